package runner

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

// Main is the runner function's main: it reads the app's outputs and bus
// from the environment the harness construct sets, builds the AWS clients
// once and serves the state machine's requests for tests. It never
// returns.
func Main(tests []testharness.Test) {
	outputs, err := testharness.OutputsFromEnviron(os.Getenv)
	if err != nil {
		log.Fatalf("runner: %v", err)
	}
	bus := os.Getenv(testharness.EnvEventBusName)
	if bus == "" {
		log.Fatalf("runner: %s is not set", testharness.EnvEventBusName)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL: the local cloud.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("runner: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	env := testharness.NewEnv(cfg, outputs)
	byName := make(map[string]testharness.Test, len(tests))
	for _, t := range tests {
		byName[t.Name] = t
	}
	h := &Handler{
		Tests:  byName,
		Env:    env,
		Events: &completion.Publisher{Client: env.EventBridge, Bus: bus},
	}
	lambda.Start(h.Handle)
}

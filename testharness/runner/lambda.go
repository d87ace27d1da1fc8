package runner

import (
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/internal/fnmain"
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
	bus := fnmain.Getenv("runner", testharness.EnvEventBusName)
	env := testharness.NewEnv(fnmain.AWSConfig("runner"), outputs)
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

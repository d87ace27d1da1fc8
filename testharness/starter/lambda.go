package starter

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness"
)

// Main is the starter function's main: it reads the test state machine's
// ARN from the environment, builds the AWS clients once and serves the
// deploy-time check's CloudFormation requests and the state machine's
// status changes. tests are the suite, whose names it reports for a run
// that ended without its report. It never returns.
func Main(tests []testharness.Test) {
	arn := os.Getenv(testharness.EnvStateMachineArn)
	if arn == "" {
		log.Fatalf("starter: %s is not set", testharness.EnvStateMachineArn)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL: the local cloud.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("starter: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	names := make([]string, len(tests))
	for i, t := range tests {
		names[i] = t.Name
	}
	h := &Handler{StateMachineArn: arn, SFN: sfn.NewFromConfig(cfg), CloudFormation: cloudformation.NewFromConfig(cfg), Tests: names}
	lambda.Start(h.Handle)
}

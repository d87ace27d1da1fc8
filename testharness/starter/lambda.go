package starter

import (
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/fnmain"
)

// Main is the starter function's main: it reads the test state machine's
// ARN from the environment, builds the AWS clients once and serves the
// deploy-time check's CloudFormation requests and the state machine's
// status changes. tests are the suite, whose names it reports for a run
// that ended without its report. It never returns.
func Main(tests []testharness.Test) {
	arn := fnmain.Getenv("starter", testharness.EnvStateMachineArn)
	cfg := fnmain.AWSConfig("starter")
	names := make([]string, len(tests))
	for i, t := range tests {
		names[i] = t.Name
	}
	h := &Handler{StateMachineArn: arn, SFN: sfn.NewFromConfig(cfg), CloudFormation: cloudformation.NewFromConfig(cfg), Tests: names}
	lambda.Start(h.Handle)
}

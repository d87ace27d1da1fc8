package await

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/internal/fnmain"
)

// Main is the await function's main: it reads the harness table's name
// from the environment, builds the AWS clients once and serves the Await
// tasks and the completion events. It never returns.
func Main() {
	table := fnmain.Getenv("await", testharness.EnvHarnessTable)
	cfg := fnmain.AWSConfig("await")
	h := &Handler{Table: table, DB: dynamodb.NewFromConfig(cfg), SFN: sfn.NewFromConfig(cfg), Diagnoser: diagnose.New(cfg)}
	// A custom endpoint may be a local cloud that can tell when it has
	// settled (the handler falls back to the deadline where it cannot).
	if endpoint := os.Getenv("AWS_ENDPOINT_URL"); endpoint != "" {
		self := os.Getenv("AWS_LAMBDA_FUNCTION_NAME")
		h.NotifySettled = func(ctx context.Context, until time.Time, ignore string, payload any) error {
			return testharness.NotifyWhenSettled(ctx, nil, endpoint, until, []string{ignore}, self, payload)
		}
	}
	lambda.Start(h.Handle)
}

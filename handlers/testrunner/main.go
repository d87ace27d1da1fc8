// Command testrunner is the harness's runner function (built as bootstrap
// for provided.al2023): the test state machine calls it for each test's
// act, assert and cleanup, and once for the report. This file only wires;
// see handler.go.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

func main() {
	outputs, err := testharness.OutputsFromEnviron(os.Getenv)
	if err != nil {
		log.Fatalf("testrunner: %v", err)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL: the local cloud.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("testrunner: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	env := testharness.NewEnv(cfg, outputs)
	tests := map[string]testharness.Test{}
	for _, t := range suite.Tests() {
		tests[t.Name] = t
	}
	h := &Handler{
		Tests:  tests,
		Env:    env,
		Events: &completion.Publisher{Client: env.EventBridge, Bus: outputs[schemas.OutputEventBusName]},
	}
	lambda.Start(h.Handle)
}

// Command teststarter is the deploy-time check's custom resource
// (Custom::TestRun; built as bootstrap for provided.al2023): it starts the
// test state machine with the CloudFormation request, whose report step
// answers it, and answers itself for a run that timed out or was stopped
// (the state machine's status change events). This file only wires; see
// handler.go.
package main

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
	"github.com/tracebridge/tracebridge/testharness/suite"
)

func main() {
	arn := os.Getenv(testharness.EnvStateMachineArn)
	if arn == "" {
		log.Fatalf("teststarter: %s is not set", testharness.EnvStateMachineArn)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL: the local cloud.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("teststarter: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	var tests []string
	for _, t := range suite.Tests() {
		tests = append(tests, t.Name)
	}
	h := &Handler{StateMachineArn: arn, SFN: sfn.NewFromConfig(cfg), CloudFormation: cloudformation.NewFromConfig(cfg), Tests: tests}
	lambda.Start(h.Handle)
}

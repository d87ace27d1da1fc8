// Command teststarter is the deploy-time check's custom resource
// (Custom::TestRun; built as bootstrap for provided.al2023): it starts the
// test state machine with the CloudFormation request, whose report step
// answers it. This file only wires; see handler.go.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness"
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
	h := &Handler{StateMachineArn: arn, SFN: sfn.NewFromConfig(cfg)}
	lambda.Start(h.Handle)
}

// Command testawait is the harness's await function (built as bootstrap for
// provided.al2023): the Await task hands it a task token, the app bus rule
// hands it completion events, and it completes the task when both are
// there. This file only wires; see handler.go.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness"
)

func main() {
	table := os.Getenv(testharness.EnvHarnessTable)
	if table == "" {
		log.Fatalf("testawait: %s is not set", testharness.EnvHarnessTable)
	}
	// LoadDefaultConfig honours AWS_ENDPOINT_URL: the local cloud.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("testawait: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	h := &Handler{Table: table, DB: dynamodb.NewFromConfig(cfg), SFN: sfn.NewFromConfig(cfg)}
	lambda.Start(h.Handle)
}

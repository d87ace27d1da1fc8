// Command auditlog is the audit Lambda function (built as bootstrap for
// provided.al2023): a Pipe's batch of DynamoDB stream records in, one audit
// entry per record in the audit log group and a UserAuditLogged completion
// event per record out. This file only wires; see handler.go.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

func main() {
	bus, group := os.Getenv(schemas.EnvEventBusName), os.Getenv(schemas.EnvAuditLogGroupName)
	if bus == "" || group == "" {
		log.Fatalf("auditlog: %s and %s must be set", schemas.EnvEventBusName, schemas.EnvAuditLogGroupName)
	}
	cfg, err := config.LoadDefaultConfig(context.Background()) // honours AWS_ENDPOINT_URL
	if err != nil {
		log.Fatalf("auditlog: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	h := &Handler{
		Logs:      cloudwatchlogs.NewFromConfig(cfg),
		Events:    &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: bus},
		LogGroup:  group,
		LogStream: streamName(),
	}
	lambda.Start(h.Handle)
}

// streamName is one log stream per process, as Lambda names its own:
// date/[function version]random id.
func streamName() string {
	id := make([]byte, 16)
	_, _ = rand.Read(id) // crypto/rand.Read never fails (Go 1.24+)
	return time.Now().UTC().Format("2006/01/02") + "/[" + os.Getenv("AWS_LAMBDA_FUNCTION_VERSION") + "]" + hex.EncodeToString(id)
}

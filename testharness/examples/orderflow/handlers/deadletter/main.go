// Command deadletter is the order flow example's dead-letter consumer
// (built as bootstrap for provided.al2023): batches of the orders'
// dead-letter queue in, through an event source mapping;
// OrderDeadLettered events out. This file only wires; see handler.go.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

func main() {
	bus := os.Getenv(orders.EnvEventBusName)
	if bus == "" {
		log.Fatalf("deadletter: %s must be set", orders.EnvEventBusName)
	}
	cfg, err := config.LoadDefaultConfig(context.Background()) // honours AWS_ENDPOINT_URL
	if err != nil {
		log.Fatalf("deadletter: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	h := &Handler{Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: bus}}
	lambda.Start(h.Handle)
}

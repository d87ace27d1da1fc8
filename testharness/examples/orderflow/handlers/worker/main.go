// Command worker is the order flow example's queue consumer (built as
// bootstrap for provided.al2023): batches of the orders queue in, through
// an event source mapping; orders stored and OrderAccepted events out.
// This file only wires; see handler.go.
package main

import (
	"context"
	"log"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-xray-sdk-go/instrumentation/awsv2"

	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

func main() {
	bus, table := os.Getenv(orders.EnvEventBusName), os.Getenv(orders.EnvTableName)
	if bus == "" || table == "" {
		log.Fatalf("worker: %s and %s must be set", orders.EnvEventBusName, orders.EnvTableName)
	}
	cfg, err := config.LoadDefaultConfig(context.Background()) // honours AWS_ENDPOINT_URL
	if err != nil {
		log.Fatalf("worker: load AWS config: %v", err)
	}
	awsv2.AWSV2Instrumentor(&cfg.APIOptions)
	h := &Handler{
		DB:     dynamodb.NewFromConfig(cfg),
		Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: bus},
		Table:  table,
		Log:    slog.New(slog.NewJSONHandler(os.Stdout, nil)),
	}
	lambda.Start(h.Handle)
}

package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// A batch in the shape Lambda's SQS event source mapping sends (the
// example event of the Lambda Developer Guide, "Using Lambda with Amazon
// SQS", with order bodies): the good order is stored and announced; the
// order with no quantity and the body that is not an order are the
// batch's failed items, and only they.
func TestHandleReportsOnlyTheBadMessages(t *testing.T) {
	ctx := context.Background()
	cfg := localtest.Config(t)
	db := dynamodb.NewFromConfig(cfg)
	table := localtest.Name("orders")
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(table), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(orders.TableKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(orders.TableKey), KeyType: types.KeyTypeHash}}}); err != nil {
		t.Fatal(err)
	}
	bus := localtest.NewBus(t)
	h := &Handler{DB: db, Table: table, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Events: &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: bus.Name}}
	raw, err := os.ReadFile("testdata/batch.json")
	if err != nil {
		t.Fatal(err)
	}
	var batch events.SQSEvent
	if err := json.Unmarshal(raw, &batch); err != nil {
		t.Fatal(err)
	}
	resp, err := h.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if want := []string{batch.Records[1].MessageId, batch.Records[2].MessageId}; len(failed) != 2 || failed[0] != want[0] || failed[1] != want[1] {
		t.Errorf("failed items %v, want %v", failed, want)
	}
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{orders.TableKey: &types.AttributeValueMemberS{Value: "o-1"}}})
	if err != nil || got.Item == nil {
		t.Fatalf("order o-1 not stored: %v", err)
	}
	localtest.Settle(t)
	accepted := localtest.Details[orders.Accepted](t, bus.Events(t), orders.DetailTypeOrderAccepted)
	if len(accepted) != 1 || accepted[0] != (orders.Accepted{CorrelationID: "tb-golden-1", OrderID: "o-1", Quantity: 2}) {
		t.Errorf("OrderAccepted events %+v, want the one of o-1", accepted)
	}
}

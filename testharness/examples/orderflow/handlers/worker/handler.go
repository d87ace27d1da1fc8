package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

// PutItemAPI is the part of the DynamoDB client the worker uses.
type PutItemAPI interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
}

// Handler accepts the orders of an SQS batch: each valid order is stored
// in the orders table and announced with OrderAccepted. A message it
// cannot accept is a failed item of the batch response, so only that
// message goes back to the queue, whose redrive policy moves it to the
// dead-letter queue once it has failed often enough. Storing an order
// again overwrites it: a message delivered twice does no harm.
type Handler struct {
	DB     PutItemAPI
	Events *completion.Publisher
	Table  string
	Log    *slog.Logger
}

// Handle processes one batch (the mapping has ReportBatchItemFailures).
func (h *Handler) Handle(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	for _, m := range batch.Records {
		if err := h.accept(ctx, m); err != nil {
			h.Log.Warn("order not accepted", "messageId", m.MessageId, "receiveCount", m.Attributes["ApproximateReceiveCount"], "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
	}
	return resp, nil
}

// accept stores and announces one order, in a subsegment annotated with
// its correlation id when the invocation is traced.
func (h *Handler) accept(ctx context.Context, m events.SQSMessage) (err error) {
	var o orders.Order
	if err := json.Unmarshal([]byte(m.Body), &o); err != nil {
		return fmt.Errorf("body is not an order: %w", err)
	}
	if err := o.Check(); err != nil {
		return fmt.Errorf("order %q: %w", o.OrderID, err)
	}
	if _, traced := ctx.Value(xray.LambdaTraceHeaderKey).(string); traced || xray.GetSegment(ctx) != nil {
		var seg *xray.Segment
		ctx, seg = xray.BeginSubsegment(ctx, "accept-order")
		completion.Annotate(seg, o.CorrelationID)
		defer func() { seg.Close(err) }()
	}
	_, err = h.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(h.Table), Item: map[string]types.AttributeValue{
		orders.TableKey: &types.AttributeValueMemberS{Value: o.OrderID},
		"correlationId": &types.AttributeValueMemberS{Value: o.CorrelationID},
		"quantity":      &types.AttributeValueMemberN{Value: strconv.Itoa(o.Quantity)},
	}})
	if err != nil {
		return fmt.Errorf("store order %s: %w", o.OrderID, err)
	}
	accepted := orders.Accepted{CorrelationID: o.CorrelationID, OrderID: o.OrderID, Quantity: o.Quantity}
	if err := h.Events.PublishOne(ctx, orders.DetailTypeOrderAccepted, accepted); err != nil {
		return fmt.Errorf("announce order %s: %w", o.OrderID, err)
	}
	return nil
}

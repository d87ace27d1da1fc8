package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

// Handler announces each message that reached the orders' dead-letter
// queue with OrderDeadLettered, so that whoever sent it (a test, an
// operator's alarm) learns at once that it will not be processed. A body
// that is not an order is announced without a correlation id.
type Handler struct {
	Events *completion.Publisher
}

// Handle processes one batch of the dead-letter queue. A message whose
// event cannot be put fails the whole batch, which comes back after the
// queue's visibility timeout.
func (h *Handler) Handle(ctx context.Context, batch events.SQSEvent) error {
	evs := make([]completion.Event, len(batch.Records))
	for i, m := range batch.Records {
		var o orders.Order
		_ = json.Unmarshal([]byte(m.Body), &o) // not an order: no correlation id
		evs[i] = completion.Event{DetailType: orders.DetailTypeOrderDeadLettered,
			Detail: orders.DeadLettered{CorrelationID: o.CorrelationID, MessageID: m.MessageId, Body: m.Body}}
	}
	errs, err := h.Events.Publish(ctx, evs)
	if err != nil {
		return err
	}
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("message %s: %w", batch.Records[i].MessageId, err)
		}
	}
	return nil
}

// Package orders is the order flow example's contract, shared by its
// stack, its handlers and its tests: the order message, the events that
// tell how an order went, the stack outputs and the functions'
// environment.
package orders

import (
	"errors"
	"fmt"
)

// Order is the body of a message on the orders queue.
type Order struct {
	OrderID string `json:"orderId"`
	// CorrelationID travels in the message, since nothing else crosses SQS
	// with it; the handlers copy it into their events.
	CorrelationID string `json:"correlationId"`
	Quantity      int    `json:"quantity"`
}

// Check tells why an order cannot be accepted, or nil.
func (o Order) Check() error {
	var problems []error
	if o.OrderID == "" {
		problems = append(problems, errors.New("no orderId"))
	}
	if o.Quantity < 1 {
		problems = append(problems, fmt.Errorf("quantity %d is not positive", o.Quantity))
	}
	return errors.Join(problems...)
}

// The events on the app's bus (source completion.Source), each with the
// correlation id in detail.correlationId.
const (
	// DetailTypeOrderAccepted: the worker stored an order (Accepted). The
	// rule that starts the fulfilment workflow matches it.
	DetailTypeOrderAccepted = "OrderAccepted"
	// DetailTypeOrderFulfilled and DetailTypeOrderHeld: the workflow's
	// outcome (Outcome), held when the quantity is over HoldQuantity.
	DetailTypeOrderFulfilled = "OrderFulfilled"
	DetailTypeOrderHeld      = "OrderHeld"
	// DetailTypeOrderDeadLettered: a message the worker kept failing on
	// reached the dead-letter queue (DeadLettered).
	DetailTypeOrderDeadLettered = "OrderDeadLettered"
)

// HoldQuantity is the largest quantity the workflow fulfils at once.
const HoldQuantity = 100

// Accepted is the detail of OrderAccepted.
type Accepted struct {
	CorrelationID string `json:"correlationId"`
	OrderID       string `json:"orderId"`
	Quantity      int    `json:"quantity"`
}

// Outcome is the detail of OrderFulfilled and OrderHeld.
type Outcome struct {
	CorrelationID string `json:"correlationId"`
	OrderID       string `json:"orderId"`
}

// DeadLettered is the detail of OrderDeadLettered. CorrelationID is
// empty when the body is not an order at all.
type DeadLettered struct {
	CorrelationID string `json:"correlationId"`
	MessageID     string `json:"messageId"`
	Body          string `json:"body"`
}

// Stack outputs the tests read.
const (
	OutputQueueURL  = "OrdersQueueUrl"
	OutputTableName = "OrdersTableName"
)

// The functions' environment.
const (
	EnvEventBusName = "EVENT_BUS_NAME"
	EnvTableName    = "ORDERS_TABLE"
)

// TableKey is the orders table's partition key (a string): the order id.
const TableKey = "orderId"

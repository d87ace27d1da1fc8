// Package suite is the order flow example's integration test suite: the
// tests its state machine runs at deploy time and `tracebridge test` runs
// against the local cloud. Each test keys its orders by a fresh
// correlation id, so the tests run side by side, and deletes them after.
package suite

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

// Deadline of the tests whose flow runs straight through; it only matters
// when nothing happens at all.
const Deadline = 30 * time.Second

// DeadLetterDeadline is the bad order's: it reaches the dead-letter queue
// after two receives, each failed receive waiting out the queue's
// visibility timeout (30 s on AWS, skipped on the local cloud's virtual
// time).
const DeadLetterDeadline = 3 * time.Minute

// Tests returns the suite.
func Tests() []testharness.Test {
	return []testharness.Test{orderFulfilled(), largeOrderHeld(), badOrderDeadLettered()}
}

// orderFulfilled: an order on the queue → the worker (event source
// mapping) stores it and announces it → the rule starts the workflow with
// the order → OrderFulfilled.
func orderFulfilled() testharness.Test {
	return workflowTest("order_fulfilled", 3, orders.DetailTypeOrderFulfilled, orders.DetailTypeOrderHeld)
}

// largeOrderHeld: an order over the hold quantity takes the workflow's
// other branch, which the rule's input transformation feeds with the
// quantity.
func largeOrderHeld() testharness.Test {
	return workflowTest("large_order_held", orders.HoldQuantity+1, orders.DetailTypeOrderHeld, orders.DetailTypeOrderFulfilled)
}

// workflowTest sends one order of quantity and awaits the workflow's
// outcome want; other is the outcome that fails the test.
func workflowTest(name string, quantity int, want, other string) testharness.Test {
	return testharness.Test{
		Name:     name,
		Deadline: Deadline,
		Act: func(ctx context.Context, env *testharness.Env) (testharness.Run, error) {
			id, err := testharness.NewCorrelationID(name)
			if err != nil {
				return testharness.Run{}, err
			}
			run := testharness.Run{CorrelationID: id, State: map[string]string{"order": id}}
			run.Trigger, err = send(ctx, env, 0, orders.Order{OrderID: id, CorrelationID: id, Quantity: quantity})
			return run, err
		},
		Await: testharness.Await{Success: []string{want}, Failure: []string{other, orders.DetailTypeOrderDeadLettered}},
		Assert: func(ctx context.Context, env *testharness.Env, run testharness.Run, done testharness.Completion) error {
			var out orders.Outcome
			if err := json.Unmarshal(done.Detail, &out); err != nil {
				return fmt.Errorf("decode %s: %w", done.DetailType, err)
			}
			if out.OrderID != run.State["order"] {
				return fmt.Errorf("%s names order %q, want %q", done.DetailType, out.OrderID, run.State["order"])
			}
			if got, err := storedQuantity(ctx, env, run.State["order"]); err != nil || got != quantity {
				return fmt.Errorf("stored order %s: quantity %d (%v), want %d", run.State["order"], got, err, quantity)
			}
			_, err := env.ExpectTrace(ctx, run.CorrelationID, testharness.SegmentExpectation{
				Origin:      testharness.OriginLambdaFunction,
				Subsegments: []string{"accept-order"},
				Calls:       []testharness.AWSCall{{Service: "DynamoDB", Operation: "PutItem"}, {Service: "EventBridge", Operation: "PutEvents"}},
				Annotations: map[string]string{testharness.CorrelationAnnotation: run.CorrelationID},
			})
			return err
		},
		Cleanup: deleteOrders("order"),
	}
}

// badOrderDeadLettered: a bad order sent in one batch with two good ones.
// The worker reports it alone as a failed item, so the good ones are
// stored and deleted from the queue while the bad one comes back, fails
// again, and the queue's redrive policy (maxReceiveCount 2) moves it to
// the dead-letter queue, whose consumer announces it.
func badOrderDeadLettered() testharness.Test {
	return testharness.Test{
		Name:     "bad_order_dead_lettered",
		Deadline: DeadLetterDeadline,
		Act: func(ctx context.Context, env *testharness.Env) (testharness.Run, error) {
			id, err := testharness.NewCorrelationID("badorder")
			if err != nil {
				return testharness.Run{}, err
			}
			run := testharness.Run{CorrelationID: id, State: map[string]string{"good1": id + "-good1", "good2": id + "-good2", "bad": id + "-bad"}}
			// Only the bad order carries the run's correlation id: the good
			// ones' events cannot end the wait. It is the trigger.
			run.Trigger, err = send(ctx, env, 1,
				orders.Order{OrderID: run.State["good1"], CorrelationID: id + "-good", Quantity: 1},
				orders.Order{OrderID: run.State["bad"], CorrelationID: id, Quantity: 0},
				orders.Order{OrderID: run.State["good2"], CorrelationID: id + "-good", Quantity: 2})
			return run, err
		},
		// No failure event: OrderAccepted would say the bad order was taken,
		// but naming it here would send every order's OrderAccepted to the
		// harness, right beside the workflow tests' own events. A bad order
		// taken fails this test when the cloud settles without the event.
		Await: testharness.Await{Success: []string{orders.DetailTypeOrderDeadLettered}},
		Assert: func(ctx context.Context, env *testharness.Env, run testharness.Run, done testharness.Completion) error {
			var dead orders.DeadLettered
			if err := json.Unmarshal(done.Detail, &dead); err != nil {
				return fmt.Errorf("decode %s: %w", done.DetailType, err)
			}
			var o orders.Order
			if err := json.Unmarshal([]byte(dead.Body), &o); err != nil || o.OrderID != run.State["bad"] {
				return fmt.Errorf("dead-lettered body %q, want the bad order %s", dead.Body, run.State["bad"])
			}
			for _, k := range []string{"good1", "good2"} {
				if _, err := storedQuantity(ctx, env, run.State[k]); err != nil {
					return fmt.Errorf("the good order %s of the bad one's batch: %w", run.State[k], err)
				}
			}
			if _, err := storedQuantity(ctx, env, run.State["bad"]); !errors.Is(err, errNotStored) {
				return fmt.Errorf("the bad order %s: %v, want it not stored", run.State["bad"], err)
			}
			return nil
		},
		Cleanup: deleteOrders("good1", "good2", "bad"),
	}
}

// send puts orders on the queue in one SendMessageBatch, so that the
// mapping sees them together, and returns the trigger of the one at
// index traced: the message the test's flow starts from.
func send(ctx context.Context, env *testharness.Env, traced int, batch ...orders.Order) (*testharness.Trigger, error) {
	url, err := env.Output(orders.OutputQueueURL)
	if err != nil {
		return nil, err
	}
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(url)}
	for i, o := range batch {
		body, err := json.Marshal(o)
		if err != nil {
			return nil, err
		}
		in.Entries = append(in.Entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))})
	}
	at := time.Now()
	out, err := sqs.NewFromConfig(env.AWS).SendMessageBatch(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("SendMessageBatch to %s: %w", url, err)
	}
	if len(out.Failed) > 0 {
		return nil, fmt.Errorf("SendMessageBatch to %s: entry %s failed: %s", url, aws.ToString(out.Failed[0].Id), aws.ToString(out.Failed[0].Message))
	}
	trigger := &testharness.Trigger{At: at, SQSMessage: &testharness.SQSMessageTrigger{Queue: url, Body: aws.ToString(in.Entries[traced].MessageBody)}}
	for _, e := range out.Successful {
		if aws.ToString(e.Id) == aws.ToString(in.Entries[traced].Id) {
			trigger.SQSMessage.MessageID = aws.ToString(e.MessageId)
		}
	}
	return trigger, nil
}

var errNotStored = errors.New("not in the orders table")

// storedQuantity reads an order's quantity from the orders table.
func storedQuantity(ctx context.Context, env *testharness.Env, orderID string) (int, error) {
	table, err := env.Output(orders.OutputTableName)
	if err != nil {
		return 0, err
	}
	out, err := env.DynamoDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{orders.TableKey: &types.AttributeValueMemberS{Value: orderID}}})
	if err != nil {
		return 0, fmt.Errorf("GetItem %s: %w", orderID, err)
	}
	if out.Item == nil {
		return 0, errNotStored
	}
	n, _ := out.Item["quantity"].(*types.AttributeValueMemberN)
	if n == nil {
		return 0, fmt.Errorf("order %s has no numeric quantity", orderID)
	}
	return strconv.Atoi(n.Value)
}

// deleteOrders removes the orders whose ids are in the run's state under
// keys; missing orders are no error.
func deleteOrders(keys ...string) func(context.Context, *testharness.Env, testharness.Run) error {
	return func(ctx context.Context, env *testharness.Env, run testharness.Run) error {
		table, err := env.Output(orders.OutputTableName)
		if err != nil {
			return err
		}
		var errs []error
		for _, k := range keys {
			id := run.State[k]
			if id == "" {
				continue
			}
			if _, err := env.DynamoDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table),
				Key: map[string]types.AttributeValue{orders.TableKey: &types.AttributeValueMemberS{Value: id}}}); err != nil {
				errs = append(errs, fmt.Errorf("DeleteItem %s: %w", id, err))
			}
		}
		return errors.Join(errs...)
	}
}

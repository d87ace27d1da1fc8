package localtest

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Bus is an event bus whose every event a rule copies to an SQS queue,
// where the test reads them back.
type Bus struct {
	// Name is the bus's name, for the code under test to put events on.
	Name string

	queueURL string
	sqs      *sqs.Client
	received []Event
}

// Event is an event the bus received, as its rule's SQS target got it.
type Event struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
	// TraceHeader is the X-Ray trace header PutEvents carried: EventBridge
	// hands it to an SQS target as the message's AWSTraceHeader.
	TraceHeader string `json:"-"`
}

// maxVisibilityTimeout is SQS's limit, 12 hours (SQS Developer Guide,
// "Amazon SQS visibility timeout").
const maxVisibilityTimeout = 12 * 60 * 60

// everyEvent is a pattern every event on a bus matches.
const everyEvent = `{"account":["000000000000"]}`

// NewBus creates a bus, a queue and a rule routing every event of the bus
// to the queue.
func NewBus(t testing.TB) *Bus {
	t.Helper()
	ctx := context.Background()
	cfg := Config(t)
	events, queues := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	b := &Bus{Name: Name("bus"), sqs: queues}
	if _, err := events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(b.Name)}); err != nil {
		t.Fatalf("CreateEventBus: %v", err)
	}
	q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(b.Name)})
	if err != nil {
		t.Fatalf("CreateQueue: %v", err)
	}
	b.queueURL = aws.ToString(q.QueueUrl)
	attrs, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: q.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	rule := aws.String("capture")
	if _, err := events.PutRule(ctx, &eventbridge.PutRuleInput{Name: rule, EventBusName: aws.String(b.Name), EventPattern: aws.String(everyEvent)}); err != nil {
		t.Fatalf("PutRule: %v", err)
	}
	out, err := events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: rule, EventBusName: aws.String(b.Name),
		Targets: []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)])}}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets: %+v, %v", out, err)
	}
	return b
}

// Events returns every event the bus has received so far, in the order
// they arrived, once the cloud has settled (so that none is on its way).
func (b *Bus) Events(t testing.TB) []Event {
	t.Helper()
	Settle(t)
	ctx := context.Background()
	for {
		// Received messages stay invisible for SQS's longest visibility
		// timeout, longer than any test: each is read once.
		out, err := b.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(b.queueURL), MaxNumberOfMessages: 10,
			VisibilityTimeout:           maxVisibilityTimeout,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAWSTraceHeader}})
		if err != nil {
			t.Fatalf("ReceiveMessage: %v", err)
		}
		if len(out.Messages) == 0 {
			return b.received
		}
		for _, m := range out.Messages {
			var e Event
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &e); err != nil {
				t.Fatalf("message %s is not an event: %v", aws.ToString(m.Body), err)
			}
			e.TraceHeader = m.Attributes[string(sqstypes.MessageSystemAttributeNameAWSTraceHeader)]
			b.received = append(b.received, e)
		}
	}
}

// Count is how many events the bus has received so far, once the cloud
// has settled: those Events returned and those it has not read yet. It
// reads the queue's attributes, not the events, for tests of thousands.
func (b *Bus) Count(t testing.TB) int {
	t.Helper()
	Settle(t)
	out, err := b.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(b.queueURL),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	waiting, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	if err != nil {
		t.Fatalf("ApproximateNumberOfMessages: %v", err)
	}
	return len(b.received) + waiting
}

// Details decodes the details of the events of one detail-type, in order.
func Details[T any](t testing.TB, events []Event, detailType string) []T {
	t.Helper()
	var out []T
	for _, e := range events {
		if e.DetailType != detailType {
			continue
		}
		var d T
		if err := json.Unmarshal(e.Detail, &d); err != nil {
			t.Fatalf("%s detail %s: %v", detailType, e.Detail, err)
		}
		out = append(out, d)
	}
	return out
}

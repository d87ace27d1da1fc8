package sqs_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/sqs"
)

func TestSendReceiveDeleteWithAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "work", nil)
	// The SDK checks MD5OfMessageBody and MD5OfMessageAttributes of the
	// answers to SendMessage and ReceiveMessage; a wrong one fails here.
	sent, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(`{"order":1} ü`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"trace":   {DataType: aws.String("String"), StringValue: aws.String("abc")},
			"count":   {DataType: aws.String("Number"), StringValue: aws.String("3")},
			"payload": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2}},
		},
		MessageSystemAttributes: map[string]types.MessageSystemAttributeValue{
			"AWSTraceHeader": {DataType: aws.String("String"), StringValue: aws.String("Root=1-abc")},
		}})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	got, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}, MessageAttributeNames: []string{"All"}})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(got.Messages) != 1 {
		t.Fatalf("received %d messages, want 1", len(got.Messages))
	}
	m := got.Messages[0]
	if aws.ToString(m.MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m.Body) != `{"order":1} ü` {
		t.Errorf("message %s %q, want %s", aws.ToString(m.MessageId), aws.ToString(m.Body), aws.ToString(sent.MessageId))
	}
	if len(m.MessageAttributes) != 3 || string(m.MessageAttributes["payload"].BinaryValue) != "\x00\x01\x02" {
		t.Errorf("MessageAttributes = %v", m.MessageAttributes)
	}
	if m.Attributes["ApproximateReceiveCount"] != "1" || m.Attributes["SentTimestamp"] != strconv.FormatInt(start.UnixMilli(), 10) ||
		m.Attributes["AWSTraceHeader"] != "Root=1-abc" || m.Attributes["SenderId"] == "" {
		t.Errorf("Attributes = %v", m.Attributes)
	}
	only, _ := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("second"),
		MessageAttributes: map[string]types.MessageAttributeValue{"a.x": {DataType: aws.String("String"), StringValue: aws.String("1")}, "b": {DataType: aws.String("String"), StringValue: aws.String("2")}}})
	got2, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: []string{"a.*"}})
	if err != nil || len(got2.Messages) != 1 || aws.ToString(got2.Messages[0].MessageId) != aws.ToString(only.MessageId) {
		t.Fatalf("ReceiveMessage second = %v, %v", got2, err)
	}
	if attrs := got2.Messages[0].MessageAttributes; len(attrs) != 1 || aws.ToString(attrs["a.x"].StringValue) != "1" {
		t.Errorf("selected attributes a.* = %v", attrs)
	}

	if _, err := e.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatalf("DeleteMessage: %v", err)
	}
	_, err = e.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: aws.String("garbage")})
	wantCode(t, err, "ReceiptHandleIsInvalid")
	attrs, _ := e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "1" {
		t.Errorf("counts after delete = %v", attrs.Attributes)
	}

	_, err = e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x"),
		MessageAttributes: map[string]types.MessageAttributeValue{"bad": {DataType: aws.String("Date"), StringValue: aws.String("1")}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	wantCode(t, err, "InvalidParameterValue")
	if _, err := e.client.PurgeQueue(ctx, &awssqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("PurgeQueue: %v", err)
	}
	attrs, _ = e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
	if attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Errorf("counts after purge = %v", attrs.Attributes)
	}
}

func TestBatches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "batch", nil)
	out, err := e.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("one")},
		{Id: aws.String("2"), MessageBody: aws.String("two"), MessageAttributes: map[string]types.MessageAttributeValue{"k": {DataType: aws.String("String"), StringValue: aws.String("v")}}},
		{Id: aws.String("3"), MessageBody: aws.String("three"), DelaySeconds: 901},
	}})
	if err != nil {
		t.Fatalf("SendMessageBatch: %v", err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "3" || aws.ToString(out.Failed[0].Code) != "InvalidParameterValue" || !out.Failed[0].SenderFault {
		t.Errorf("SendMessageBatch = %+v", out)
	}
	_, err = e.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{}})
	wantCode(t, err, "AWS.SimpleQueueService.EmptyBatchRequest")
	_, err = e.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.SendMessageBatchRequestEntry{
		{Id: aws.String("1"), MessageBody: aws.String("a")}, {Id: aws.String("1"), MessageBody: aws.String("b")}}})
	wantCode(t, err, "AWS.SimpleQueueService.BatchEntryIdsNotDistinct")
	many := make([]types.SendMessageBatchRequestEntry, 11)
	for i := range many {
		many[i] = types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("m")}
	}
	_, err = e.client.SendMessageBatch(ctx, &awssqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: many})
	wantCode(t, err, "AWS.SimpleQueueService.TooManyEntriesInBatchRequest")

	got, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10})
	if err != nil || len(got.Messages) != 2 {
		t.Fatalf("ReceiveMessage = %v, %v", got, err)
	}
	vis, err := e.client.ChangeMessageVisibilityBatch(ctx, &awssqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: []types.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: got.Messages[0].ReceiptHandle, VisibilityTimeout: 100},
		{Id: aws.String("b"), ReceiptHandle: aws.String("bad")},
	}})
	if err != nil || len(vis.Successful) != 1 || len(vis.Failed) != 1 || aws.ToString(vis.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v, %v", vis, err)
	}
	del, err := e.client.DeleteMessageBatch(ctx, &awssqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: []types.DeleteMessageBatchRequestEntry{
		{Id: aws.String("a"), ReceiptHandle: got.Messages[0].ReceiptHandle}, {Id: aws.String("b"), ReceiptHandle: got.Messages[1].ReceiptHandle}}})
	if err != nil || len(del.Successful) != 2 {
		t.Fatalf("DeleteMessageBatch = %+v, %v", del, err)
	}
}

// TestLongPollReturnsWhenMessageArrives blocks a ReceiveMessage on the
// clock, then sends: the receive returns the message without any time
// passing.
func TestLongPollReturnsWhenMessageArrives(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "poll", nil)
	type result struct {
		out *awssqs.ReceiveMessageOutput
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		done <- result{out, err}
	}()
	e.clock.awaitTimer(t, 20*time.Second) // the poll is waiting
	if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("wake up")}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.err != nil || len(r.out.Messages) != 1 || aws.ToString(r.out.Messages[0].Body) != "wake up" {
			t.Fatalf("long poll = %+v, %v", r.out, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not return after a send")
	}
	if !e.clock.Now().Equal(start) {
		t.Errorf("clock moved to %v", e.clock.Now())
	}

	// With nothing sent, the poll ends empty when the wait time passes.
	go func() {
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
		done <- result{out, err}
	}()
	e.clock.awaitTimer(t, 5*time.Second)
	e.clock.Advance(5 * time.Second)
	select {
	case r := <-done:
		if r.err != nil || len(r.out.Messages) != 0 {
			t.Fatalf("expired long poll = %+v, %v", r.out, r.err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not end at its wait time")
	}
}

func TestVisibilityTimeoutOnTheClock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "vis", map[string]string{"VisibilityTimeout": "30"})
	if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	receive := func() []types.Message {
		t.Helper()
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Messages
	}
	first := receive()
	if len(first) != 1 {
		t.Fatalf("first receive got %d", len(first))
	}
	if got := receive(); len(got) != 0 {
		t.Fatalf("in-flight message received again: %v", got)
	}
	e.clock.Advance(29 * time.Second)
	if got := receive(); len(got) != 0 {
		t.Fatal("message visible before its timeout")
	}
	e.clock.Advance(time.Second)
	second := receive()
	if len(second) != 1 || second[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("after the timeout: %+v", second)
	}
	_, err := e.client.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: first[0].ReceiptHandle, VisibilityTimeout: 0})
	wantCode(t, err, "AWS.SimpleQueueService.MessageNotInflight") // that handle is stale
	if _, err := e.client.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: second[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatalf("ChangeMessageVisibility: %v", err)
	}
	third, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), VisibilityTimeout: 10,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(third.Messages) != 1 || third.Messages[0].Attributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("after visibility 0: %+v %v", third, err)
	}

	// A long poll also wakes when an in-flight message times out.
	done := make(chan int, 1)
	go func() {
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			done <- -1
			return
		}
		done <- len(out.Messages)
	}()
	e.clock.awaitTimer(t, 20*time.Second)
	e.clock.Advance(10 * time.Second) // the receive's own VisibilityTimeout, before the poll ends
	select {
	case n := <-done:
		if n != 1 {
			t.Fatalf("long poll over a timing-out message got %d", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll did not wake when the message became visible")
	}
}

func TestRedriveToDeadLetterQueue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dlq := e.queue(t, "dead", nil)
	src := e.queue(t, "src", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`})
	if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison")}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src)})
		if err != nil || len(out.Messages) != 1 {
			t.Fatalf("receive %d: %+v %v", i, out, err)
		}
	}
	out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src)})
	if err != nil || len(out.Messages) != 0 {
		t.Fatalf("third receive from the source = %+v %v; want the message moved", out, err)
	}
	out, err = e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(dlq),
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameDeadLetterQueueSourceArn}})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "poison" {
		t.Fatalf("dead-letter queue = %+v %v", out, err)
	}
	if got := out.Messages[0].Attributes["DeadLetterQueueSourceArn"]; got != "arn:aws:sqs:us-east-1:000000000000:src" {
		t.Errorf("DeadLetterQueueSourceArn = %q, want the source queue's ARN", got)
	}
}

// TestGoAPISendMessage is what EventBridge targets and dead-letter
// configurations call.
func TestGoAPISendMessage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "target", nil)
	const trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	id, err := e.svc.SendMessage(ctx, "arn:aws:sqs:us-east-1:000000000000:target", sqs.SendInput{Body: `{"detail-type":"Object Created"}`,
		MessageAttributes: map[string]sqs.MessageAttributeValue{"source": {DataType: "String", StringValue: aws.String("events")}},
		SystemAttributes:  map[string]string{"AWSTraceHeader": trace}})
	if err != nil || id == "" {
		t.Fatalf("SendMessage = %q, %v", id, err)
	}
	out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(url), MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAWSTraceHeader}})
	if err != nil || len(out.Messages) != 1 || aws.ToString(out.Messages[0].MessageId) != id ||
		aws.ToString(out.Messages[0].MessageAttributes["source"].StringValue) != "events" || out.Messages[0].Attributes["AWSTraceHeader"] != trace {
		t.Fatalf("received %+v, %v", out, err)
	}
	if _, err := e.svc.SendMessage(ctx, "arn:aws:sqs:us-east-1:000000000000:nope", sqs.SendInput{Body: "x"}); err == nil {
		t.Error("SendMessage to a missing queue succeeded")
	}
	if _, err := e.svc.SendMessage(ctx, "not-an-arn", sqs.SendInput{Body: "x"}); err == nil {
		t.Error("SendMessage to a bad ARN succeeded")
	}
}

package sqs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/sqs"
)

// TestPollTellsWhenTheNextMessageReturns is what Lambda's event source
// mappings poll with: no long poll, but the time the earliest in-flight
// message becomes visible again, so the poller waits on a timer.
func TestPollTellsWhenTheNextMessageReturns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const queueARN = "arn:aws:sqs:us-east-1:000000000000:polled"
	url := e.queue(t, "polled", map[string]string{"VisibilityTimeout": "30"})
	got, next, err := e.svc.Poll(ctx, queueARN, sqs.ReceiveInput{MaxNumberOfMessages: 10})
	if err != nil || len(got) != 0 || !next.IsZero() {
		t.Fatalf("empty queue: %v, next %v, %v", got, next, err)
	}
	for _, body := range []string{"a", "b"} {
		if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	got, next, err = e.svc.Poll(ctx, queueARN, sqs.ReceiveInput{MaxNumberOfMessages: 10, AttributeNames: []string{"All"}})
	if err != nil || len(got) != 2 || got[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("poll = %+v, %v", got, err)
	}
	if want := start.Add(30 * time.Second); !next.Equal(want) {
		t.Errorf("next visible = %v, want %v (the visibility timeout)", next, want)
	}
	if _, _, err := e.svc.Poll(ctx, queueARN, sqs.ReceiveInput{MaxNumberOfMessages: 11}); err == nil {
		t.Error("Poll of 11 messages succeeded")
	}
	if _, _, err := e.svc.Poll(ctx, "arn:aws:sqs:us-east-1:000000000000:missing", sqs.ReceiveInput{MaxNumberOfMessages: 1}); err == nil {
		t.Error("Poll of a missing queue succeeded")
	}
}

// TestWatchWakesOnEveryWayAMessageArrives: a send, a visibility change to
// zero, a redrive into the watched queue, and a queue created again under
// the watched name.
func TestWatchWakesOnEveryWayAMessageArrives(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	dlq := e.queue(t, "watched-dlq", nil)
	src := e.queue(t, "watched", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:watched-dlq","maxReceiveCount":"1"}`})
	woken := map[string]int{}
	for _, name := range []string{"watched", "watched-dlq"} {
		stop, err := e.svc.Watch("arn:aws:sqs:us-east-1:000000000000:"+name, func() { woken[name]++ })
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(stop)
	}
	if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("m")}); err != nil {
		t.Fatal(err)
	}
	if woken["watched"] != 1 {
		t.Fatalf("a send woke the watcher %d times, want 1", woken["watched"])
	}
	for range 2 { // received once, then moved by the redrive policy
		if _, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(src)}); err != nil {
			t.Fatal(err)
		}
	}
	if woken["watched-dlq"] != 1 {
		t.Fatalf("the redrive woke the dead-letter queue's watcher %d times, want 1", woken["watched-dlq"])
	}
	out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: aws.String(dlq), VisibilityTimeout: 60})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("dead-letter queue: %+v %v", out, err)
	}
	if _, err := e.client.ChangeMessageVisibility(ctx, &awssqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq),
		ReceiptHandle: out.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	if woken["watched-dlq"] != 2 {
		t.Fatalf("a visibility change woke the watcher %d times in all, want 2", woken["watched-dlq"])
	}
	if _, err := e.client.DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: aws.String(src)}); err != nil {
		t.Fatal(err)
	}
	src = e.queue(t, "watched", nil)
	before := woken["watched"]
	if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	if woken["watched"] != before+1 {
		t.Error("a send to the queue created again did not wake the watcher")
	}
}

package sqs_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
)

// BenchmarkSendReceiveDelete is one message's round trip through the SDK:
// SendMessage, ReceiveMessage, DeleteMessage.
func BenchmarkSendReceiveDelete(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	url := aws.String(e.queue(b, "bench", nil))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: url, MessageBody: aws.String("payload")}); err != nil {
			b.Fatal(err)
		}
		out, err := e.client.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{QueueUrl: url})
		if err != nil || len(out.Messages) != 1 {
			b.Fatalf("receive: %v %v", out, err)
		}
		if _, err := e.client.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: url, ReceiptHandle: out.Messages[0].ReceiptHandle}); err != nil {
			b.Fatal(err)
		}
	}
}

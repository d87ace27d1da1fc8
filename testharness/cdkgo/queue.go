package cdkgo

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NewDeadLetterQueue defines an encrypted, TLS-only SQS queue that keeps the
// events a delivery (a rule target, a pipe) gave up on for the longest time
// SQS allows, so a failure can be inspected and redriven. of names that
// delivery, for the cdk-nag suppression of the queue's own dead-letter
// queue.
func NewDeadLetterQueue(scope constructs.Construct, id, of string) awssqs.Queue {
	q := awssqs.NewQueue(scope, jsii.String(id), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	Suppress(q, "AwsSolutions-SQS3",
		"This queue is itself the dead-letter queue of "+of+"; a DLQ of a DLQ would only move the same messages again.")
	return q
}

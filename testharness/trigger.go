package testharness

import "time"

// Trigger is what a test's Act wrote that should start a flow of the app:
// the place the diagnosis (package diagnose) starts following the deployed
// glue from when the awaited completion event does not come. Exactly one of
// S3Object, DynamoDBItem and SQSMessage is set. It crosses the state
// machine inside Run as JSON.
type Trigger struct {
	S3Object     *S3ObjectTrigger     `json:"s3Object,omitempty"`
	DynamoDBItem *DynamoDBItemTrigger `json:"dynamodbItem,omitempty"`
	SQSMessage   *SQSMessageTrigger   `json:"sqsMessage,omitempty"`
	// At is when the act wrote it; it bounds the searches of logs and
	// stream records to what happened since.
	At time.Time `json:"at"`
}

// S3ObjectTrigger is an object the act put.
type S3ObjectTrigger struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
}

// DynamoDBItemTrigger is an item the act wrote: its table and its key
// attributes, all strings (for the reference app PK and SK).
type DynamoDBItemTrigger struct {
	Table string            `json:"table"`
	Key   map[string]string `json:"key"`
}

// SQSMessageTrigger is a message the act sent to a queue.
type SQSMessageTrigger struct {
	// Queue is the queue's URL or ARN.
	Queue string `json:"queue"`
	// MessageID is SendMessage's answer: it finds the message in the
	// queue's dead-letter queue.
	MessageID string `json:"messageId,omitempty"`
	// Body is the message body, which the filters of the queue's event
	// source mappings are tested against. It rides in the state machine's
	// payload (at most 256 KiB with everything else): an act may leave a
	// large one out, and the filters are then left unchecked (SendMessage
	// takes no empty body, so "" cannot be a body that was sent).
	Body string `json:"body"`
}

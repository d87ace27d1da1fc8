package lambda

import (
	"bytes"
	"encoding/json"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// QueueMessage is a message an event source mapping received.
type QueueMessage struct {
	MessageID, ReceiptHandle, Body, MD5OfBody, MD5OfMessageAttributes string
	// Attributes are the system attributes (ApproximateReceiveCount,
	// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp,
	// AWSTraceHeader, …).
	Attributes        map[string]string
	MessageAttributes map[string]QueueMessageAttribute
}

// QueueMessageAttribute is a message attribute's value.
type QueueMessageAttribute struct {
	DataType    string
	StringValue *string
	BinaryValue []byte
}

// sqsRecord is one record of the SQS event Lambda sends a function, with
// the members in the order of the Lambda Developer Guide's example event
// ("Using Lambda with Amazon SQS").
type sqsRecord struct {
	MessageID              string                         `json:"messageId"`
	ReceiptHandle          string                         `json:"receiptHandle"`
	Body                   string                         `json:"body"`
	Attributes             map[string]string              `json:"attributes"`
	MessageAttributes      map[string]sqsMessageAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes string                         `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                         `json:"md5OfBody"`
	EventSource            string                         `json:"eventSource"`
	EventSourceARN         string                         `json:"eventSourceARN"`
	AWSRegion              string                         `json:"awsRegion"`
}

// sqsMessageAttribute is a message attribute in the event: the list
// members are always there, empty (the guide's example event).
type sqsMessageAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues []string `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

func newSQSRecord(queueARN string, m QueueMessage) sqsRecord {
	r := sqsRecord{MessageID: m.MessageID, ReceiptHandle: m.ReceiptHandle, Body: m.Body, Attributes: m.Attributes,
		MessageAttributes: map[string]sqsMessageAttribute{}, MD5OfMessageAttributes: m.MD5OfMessageAttributes,
		MD5OfBody: m.MD5OfBody, EventSource: "aws:sqs", EventSourceARN: queueARN, AWSRegion: arn.Region}
	if r.Attributes == nil {
		r.Attributes = map[string]string{}
	}
	for name, v := range m.MessageAttributes {
		r.MessageAttributes[name] = sqsMessageAttribute{StringValue: v.StringValue, BinaryValue: v.BinaryValue,
			StringListValues: []string{}, BinaryListValues: []string{}, DataType: v.DataType}
	}
	return r
}

// sqsEvent is the payload of one batch.
func sqsEvent(records []sqsRecord) ([]byte, error) {
	return json.Marshal(struct {
		Records []sqsRecord `json:"Records"`
	}{records})
}

// matchesFilters applies a mapping's filters to a record: it passes when
// any filter matches, or when there are none. A body that is JSON is
// matched as the object it holds, any other body as a string (Lambda
// Developer Guide, "Filtering Amazon SQS messages").
func matchesFilters(filters []*eventpattern.Pattern, r sqsRecord) bool {
	if len(filters) == 0 {
		return true
	}
	doc := map[string]any{"messageId": r.MessageID, "receiptHandle": r.ReceiptHandle, "body": r.Body,
		"attributes": r.Attributes, "messageAttributes": r.MessageAttributes, "md5OfBody": r.MD5OfBody,
		"eventSource": r.EventSource, "eventSourceARN": r.EventSourceARN, "awsRegion": r.AWSRegion}
	var body map[string]any
	if json.Unmarshal([]byte(r.Body), &body) == nil {
		doc["body"] = body
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return false
	}
	ev, err := eventpattern.ParseEvent(raw)
	if err != nil {
		return false
	}
	for _, f := range filters {
		if f.MatchesEvent(ev) {
			return true
		}
	}
	return false
}

// failedItems reads a function's answer to a batch when the mapping
// reports batch item failures: the message ids to keep in the queue. ok
// is false when the whole batch counts as failed: an item whose
// itemIdentifier is missing, empty or not a message of the batch (Lambda
// Developer Guide, "Handling errors for an SQS event source in Lambda":
// success and failure conditions), or batchItemFailures that is not a
// list of such items. An answer that is not an object, or has no or a
// null batchItemFailures, is a complete success.
func failedItems(payload []byte, batch map[string]bool) (failed map[string]bool, ok bool) {
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if !bytes.HasPrefix(bytes.TrimSpace(payload), []byte("{")) {
		return nil, true
	}
	if json.Unmarshal(payload, &resp) != nil {
		return nil, false
	}
	failed = map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || !batch[*f.ItemIdentifier] {
			return nil, false
		}
		failed[*f.ItemIdentifier] = true
	}
	return failed, true
}

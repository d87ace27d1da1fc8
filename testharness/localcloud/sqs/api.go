package sqs

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// The operations, as the awsJson protocol names and shapes them; the
// query protocol converts its form to these shapes (query.go).
func (s *Service) jsonOperations() map[string]awsproto.JSONOperation {
	return map[string]awsproto.JSONOperation{
		"CreateQueue":                  awsproto.JSONOp(s.createQueue),
		"DeleteQueue":                  awsproto.JSONOp(s.deleteQueue),
		"GetQueueUrl":                  awsproto.JSONOp(s.getQueueURL),
		"ListQueues":                   awsproto.JSONOp(s.listQueues),
		"GetQueueAttributes":           awsproto.JSONOp(s.getQueueAttributes),
		"SetQueueAttributes":           awsproto.JSONOp(s.setQueueAttributes),
		"PurgeQueue":                   awsproto.JSONOp(s.purgeQueue),
		"SendMessage":                  awsproto.JSONOp(s.sendMessage),
		"SendMessageBatch":             awsproto.JSONOp(s.sendMessageBatch),
		"ReceiveMessage":               awsproto.JSONOp(s.receiveMessage),
		"DeleteMessage":                awsproto.JSONOp(s.deleteMessage),
		"DeleteMessageBatch":           awsproto.JSONOp(s.deleteMessageBatch),
		"ChangeMessageVisibility":      awsproto.JSONOp(s.changeMessageVisibility),
		"ChangeMessageVisibilityBatch": awsproto.JSONOp(s.changeMessageVisibilityBatch),
	}
}

// flexInt reads a number, or the string of one (query parameters arrive
// as strings).
type flexInt int

func (f *flexInt) UnmarshalJSON(b []byte) error {
	n, err := strconv.Atoi(strings.Trim(string(b), `"`))
	if err != nil {
		return fmt.Errorf("not an integer: %s", b)
	}
	*f = flexInt(n)
	return nil
}

func intPtr(f *flexInt) *int {
	if f == nil {
		return nil
	}
	n := int(*f)
	return &n
}

type empty struct{}

type queueURLInput struct {
	QueueUrl string
}

type queueURLOutput struct {
	QueueUrl string
}

type createQueueInput struct {
	QueueName  string
	Attributes map[string]string
	Tags       map[string]string `json:"tags"`
}

func (s *Service) createQueue(ctx context.Context, in *createQueueInput) (*queueURLOutput, error) {
	url, err := s.CreateQueue(ctx, in.QueueName, in.Attributes, in.Tags)
	return &queueURLOutput{QueueUrl: url}, err
}

func (s *Service) deleteQueue(ctx context.Context, in *queueURLInput) (*empty, error) {
	return &empty{}, s.DeleteQueue(ctx, in.QueueUrl)
}

type getQueueURLInput struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

func (s *Service) getQueueURL(ctx context.Context, in *getQueueURLInput) (*queueURLOutput, error) {
	if in.QueueName == "" {
		return nil, errMissingParameter("QueueName")
	}
	url, err := s.QueueURL(ctx, in.QueueName)
	return &queueURLOutput{QueueUrl: url}, err
}

type listQueuesInput struct {
	QueueNamePrefix string
	MaxResults      *flexInt
	NextToken       string
}

type listQueuesOutput struct {
	QueueUrls []string `json:",omitempty"`
	NextToken string   `json:",omitempty"`
}

// listQueues pages with MaxResults; the token is the index to go on from.
func (s *Service) listQueues(ctx context.Context, in *listQueuesInput) (*listQueuesOutput, error) {
	urls := s.ListQueues(ctx, in.QueueNamePrefix)
	if in.MaxResults == nil {
		return &listQueuesOutput{QueueUrls: urls[:min(len(urls), 1000)]}, nil
	}
	max := int(*in.MaxResults)
	if max < 1 || max > 1000 {
		return nil, errInvalidParameterValue("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be between 1 and 1000.", max)
	}
	from := 0
	if in.NextToken != "" {
		n, err := strconv.Atoi(in.NextToken)
		if err != nil || n < 0 {
			return nil, errInvalidParameterValue("Invalid NextToken value.")
		}
		from = min(n, len(urls))
	}
	out := &listQueuesOutput{QueueUrls: urls[from:min(from+max, len(urls))]}
	if from+max < len(urls) {
		out.NextToken = strconv.Itoa(from + max)
	}
	return out, nil
}

type getQueueAttributesInput struct {
	QueueUrl       string
	AttributeNames []string
}

type attributesOutput struct {
	Attributes map[string]string `json:",omitempty"`
}

func (s *Service) getQueueAttributes(ctx context.Context, in *getQueueAttributesInput) (*attributesOutput, error) {
	attrs, err := s.QueueAttributes(ctx, in.QueueUrl, in.AttributeNames)
	if err != nil {
		return nil, err
	}
	return &attributesOutput{Attributes: attrs}, nil
}

type setQueueAttributesInput struct {
	QueueUrl   string
	Attributes map[string]string
}

func (s *Service) setQueueAttributes(ctx context.Context, in *setQueueAttributesInput) (*empty, error) {
	return &empty{}, s.SetQueueAttributes(ctx, in.QueueUrl, in.Attributes)
}

func (s *Service) purgeQueue(ctx context.Context, in *queueURLInput) (*empty, error) {
	return &empty{}, s.PurgeQueue(ctx, in.QueueUrl)
}

type sendEntry struct {
	Id                      string
	MessageBody             string
	DelaySeconds            *flexInt
	MessageAttributes       map[string]MessageAttributeValue
	MessageSystemAttributes map[string]MessageAttributeValue
	MessageGroupId          string
	MessageDeduplicationId  string
}

func (e *sendEntry) input() SendInput {
	in := SendInput{Body: e.MessageBody, DelaySeconds: intPtr(e.DelaySeconds), MessageAttributes: e.MessageAttributes}
	set := func(k, v string) {
		if v != "" {
			if in.SystemAttributes == nil {
				in.SystemAttributes = map[string]string{}
			}
			in.SystemAttributes[k] = v
		}
	}
	if v, ok := e.MessageSystemAttributes["AWSTraceHeader"]; ok {
		set("AWSTraceHeader", deref(v.StringValue))
	}
	set("MessageGroupId", e.MessageGroupId)
	set("MessageDeduplicationId", e.MessageDeduplicationId)
	return in
}

type sendMessageInput struct {
	QueueUrl string
	sendEntry
}

type sendMessageOutput struct {
	Id                     string `json:",omitempty"`
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
}

func (s *Service) sendMessage(ctx context.Context, in *sendMessageInput) (*sendMessageOutput, error) {
	res, err := s.Send(ctx, in.QueueUrl, in.input())
	if err != nil {
		return nil, err
	}
	return &sendMessageOutput{MessageId: res.MessageID, MD5OfMessageBody: res.MD5OfBody, MD5OfMessageAttributes: res.MD5OfAttributes}, nil
}

type batchError struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

type batchOutput[T any] struct {
	Successful []T
	Failed     []batchError
}

// checkBatch applies SQS's batch rules: 1–10 entries, distinct ids.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return errEmptyBatch()
	}
	if len(ids) > 10 {
		return errTooManyEntries()
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			return errBatchIDsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

// entryError turns an entry's failure into its batch error; a failure
// that is not the caller's fault fails the whole request.
func entryError(id string, err error) (batchError, error) {
	e := awsproto.AsError(err)
	if !e.IsClientError() {
		return batchError{}, err
	}
	return batchError{Id: id, SenderFault: true, Code: e.Code, Message: e.Message}, nil
}

type sendMessageBatchInput struct {
	QueueUrl string
	Entries  []sendEntry
}

func (s *Service) sendMessageBatch(ctx context.Context, in *sendMessageBatchInput) (*batchOutput[sendMessageOutput], error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	out := &batchOutput[sendMessageOutput]{Successful: []sendMessageOutput{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		res, err := s.Send(ctx, in.QueueUrl, e.input())
		if err != nil {
			if awsproto.AsError(err).Code == "QueueDoesNotExist" {
				return nil, err
			}
			be, err := entryError(e.Id, err)
			if err != nil {
				return nil, err
			}
			out.Failed = append(out.Failed, be)
			continue
		}
		out.Successful = append(out.Successful, sendMessageOutput{Id: e.Id, MessageId: res.MessageID,
			MD5OfMessageBody: res.MD5OfBody, MD5OfMessageAttributes: res.MD5OfAttributes})
	}
	return out, nil
}

type receiveMessageInput struct {
	QueueUrl                    string
	MaxNumberOfMessages         *flexInt
	WaitTimeSeconds             *flexInt
	VisibilityTimeout           *flexInt
	AttributeNames              []string
	MessageSystemAttributeNames []string
	MessageAttributeNames       []string
	ReceiveRequestAttemptId     string
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string                `json:",omitempty"`
	MD5OfMessageAttributes string                           `json:",omitempty"`
	MessageAttributes      map[string]MessageAttributeValue `json:",omitempty"`
}

type receiveMessageOutput struct {
	Messages []receivedMessage `json:",omitempty"`
}

func (s *Service) receiveMessage(ctx context.Context, in *receiveMessageInput) (*receiveMessageOutput, error) {
	got, err := s.Receive(ctx, in.QueueUrl, ReceiveInput{MaxNumberOfMessages: int(deref0(in.MaxNumberOfMessages)),
		WaitTimeSeconds: intPtr(in.WaitTimeSeconds), VisibilityTimeout: intPtr(in.VisibilityTimeout),
		AttributeNames: append(in.AttributeNames, in.MessageSystemAttributeNames...), MessageAttributeNames: in.MessageAttributeNames})
	if err != nil {
		return nil, err
	}
	out := &receiveMessageOutput{}
	for _, m := range got {
		out.Messages = append(out.Messages, receivedMessage{MessageId: m.MessageID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.MD5OfBody,
			Body: m.Body, Attributes: m.Attributes, MD5OfMessageAttributes: m.MD5OfMessageAttributes, MessageAttributes: m.MessageAttributes})
	}
	return out, nil
}

func deref0(f *flexInt) flexInt {
	if f == nil {
		return 0
	}
	return *f
}

type receiptInput struct {
	QueueUrl          string
	Id                string
	ReceiptHandle     string
	VisibilityTimeout flexInt
}

func (s *Service) deleteMessage(ctx context.Context, in *receiptInput) (*empty, error) {
	return &empty{}, s.DeleteMessage(ctx, in.QueueUrl, in.ReceiptHandle)
}

func (s *Service) changeMessageVisibility(ctx context.Context, in *receiptInput) (*empty, error) {
	return &empty{}, s.ChangeMessageVisibility(ctx, in.QueueUrl, in.ReceiptHandle, int(in.VisibilityTimeout))
}

type receiptBatchInput struct {
	QueueUrl string
	Entries  []receiptInput
}

type batchID struct{ Id string }

// receiptBatch runs fn for each entry of a Delete/ChangeMessageVisibility
// batch.
func (s *Service) receiptBatch(in *receiptBatchInput, fn func(e receiptInput) error) (*batchOutput[batchID], error) {
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return nil, err
	}
	out := &batchOutput[batchID]{Successful: []batchID{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := fn(e); err != nil {
			if awsproto.AsError(err).Code == "QueueDoesNotExist" {
				return nil, err
			}
			be, err := entryError(e.Id, err)
			if err != nil {
				return nil, err
			}
			out.Failed = append(out.Failed, be)
			continue
		}
		out.Successful = append(out.Successful, batchID{Id: e.Id})
	}
	return out, nil
}

func (s *Service) deleteMessageBatch(ctx context.Context, in *receiptBatchInput) (*batchOutput[batchID], error) {
	return s.receiptBatch(in, func(e receiptInput) error { return s.DeleteMessage(ctx, in.QueueUrl, e.ReceiptHandle) })
}

func (s *Service) changeMessageVisibilityBatch(ctx context.Context, in *receiptBatchInput) (*batchOutput[batchID], error) {
	return s.receiptBatch(in, func(e receiptInput) error {
		return s.ChangeMessageVisibility(ctx, in.QueueUrl, e.ReceiptHandle, int(e.VisibilityTimeout))
	})
}

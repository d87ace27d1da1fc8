package sqs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// message is a message in a queue.
type message struct {
	id, body       string
	md5Body        string
	md5Attrs       string
	attrs          map[string]MessageAttributeValue
	systemAttrs    map[string]string // AWSTraceHeader, MessageGroupId, …
	senderID       string
	sentAt         time.Time
	firstReceiveAt time.Time
	visibleAt      time.Time
	receiveCount   int
	receipt        string // the latest receipt handle
}

// SendInput is one message to send.
type SendInput struct {
	Body              string
	DelaySeconds      *int
	MessageAttributes map[string]MessageAttributeValue
	// SystemAttributes: AWSTraceHeader (the one SQS accepts from
	// senders), MessageGroupId and MessageDeduplicationId for FIFO.
	SystemAttributes map[string]string
}

// SendResult is what SendMessage answers.
type SendResult struct {
	MessageID, MD5OfBody, MD5OfAttributes string
}

// SendMessage sends a message to the queue with the ARN queueARN. It is
// the Go API for EventBridge targets and dead-letter queues, Lambda
// destinations and Pipes' dead-letter queues.
func (s *Service) SendMessage(ctx context.Context, queueARN string, in SendInput) (string, error) {
	s.mu.Lock()
	q, err := s.queueByARN(queueARN)
	s.mu.Unlock()
	if err != nil {
		return "", err
	}
	res, err := s.Send(ctx, s.queueURL(ctx, q.name), in)
	return res.MessageID, err
}

// Send sends a message to the queue at queueURL.
func (s *Service) Send(ctx context.Context, queueURL string, in SendInput) (SendResult, error) {
	if in.Body == "" {
		return SendResult{}, errMissingParameter("MessageBody")
	}
	if err := validateMessageAttributes(in.MessageAttributes); err != nil {
		return SendResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return SendResult{}, err
	}
	size := len(in.Body)
	for n, v := range in.MessageAttributes {
		size += len(n) + len(v.DataType) + len(deref(v.StringValue)) + len(v.BinaryValue)
	}
	if limit := q.intAttr("MaximumMessageSize"); size > limit {
		return SendResult{}, errInvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", limit)
	}
	delay := q.intAttr("DelaySeconds")
	if in.DelaySeconds != nil {
		if *in.DelaySeconds < 0 || *in.DelaySeconds > 900 {
			return SendResult{}, errInvalidParameterValue("Value %d for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.", *in.DelaySeconds)
		}
		delay = *in.DelaySeconds
	}
	if q.attrs["FifoQueue"] == "true" && in.SystemAttributes["MessageGroupId"] == "" {
		return SendResult{}, errMissingParameter("MessageGroupId")
	}
	now := s.now()
	m := &message{id: awsproto.NewRequestID(), body: in.Body, md5Body: md5Hex(in.Body), md5Attrs: md5OfAttributes(in.MessageAttributes),
		attrs: in.MessageAttributes, systemAttrs: in.SystemAttributes, senderID: senderID(ctx),
		sentAt: now, visibleAt: now.Add(time.Duration(delay) * time.Second)}
	q.messages = append(q.messages, m)
	s.wakeLocked(q)
	return SendResult{MessageID: m.id, MD5OfBody: m.md5Body, MD5OfAttributes: m.md5Attrs}, nil
}

// senderID is the SenderId attribute: the caller's access key for a user,
// or "ROLEID:session" style for a role session (the role ARN here).
func senderID(ctx context.Context) string {
	p := identity.FromContext(ctx)
	if p.IsRole() {
		return p.RoleARN + ":" + p.SessionName
	}
	return p.Account()
}

func validateMessageAttributes(attrs map[string]MessageAttributeValue) error {
	if len(attrs) > 10 {
		return errInvalidParameterValue("Number of message attributes [%d] exceeds the allowed maximum [10].", len(attrs))
	}
	for name, v := range attrs {
		switch {
		case name == "" || strings.HasPrefix(strings.ToLower(name), "aws.") || strings.HasPrefix(strings.ToLower(name), "amazon."):
			return errInvalidParameterValue("The message attribute name '%s' is invalid.", name)
		case v.DataType == "":
			return errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute type.", name)
		case strings.HasPrefix(v.DataType, "Binary") && len(v.BinaryValue) == 0,
			!strings.HasPrefix(v.DataType, "Binary") && deref(v.StringValue) == "":
			return errInvalidParameterValue("The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, v.DataType)
		case !strings.HasPrefix(v.DataType, "String") && !strings.HasPrefix(v.DataType, "Number") && !strings.HasPrefix(v.DataType, "Binary"):
			return errInvalidParameterValue("The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", name)
		}
	}
	return nil
}

// ReceiveInput is a ReceiveMessage request.
type ReceiveInput struct {
	MaxNumberOfMessages int // 1 when zero
	// WaitTimeSeconds is the long poll; nil takes the queue's
	// ReceiveMessageWaitTimeSeconds.
	WaitTimeSeconds *int
	// VisibilityTimeout overrides the queue's for these messages.
	VisibilityTimeout *int
	// AttributeNames are system attributes to return ("All", "SentTimestamp", …).
	AttributeNames []string
	// MessageAttributeNames select message attributes ("All", ".*", "name",
	// "prefix.*").
	MessageAttributeNames []string
}

// ReceivedMessage is one message handed to a consumer.
type ReceivedMessage struct {
	MessageID, ReceiptHandle, Body, MD5OfBody, MD5OfMessageAttributes string
	Attributes                                                        map[string]string
	MessageAttributes                                                 map[string]MessageAttributeValue
}

// Receive receives messages, waiting up to the long-poll time for one to
// become available. It blocks on the queue's ready channel and the
// clock, never polling in a loop.
func (s *Service) Receive(ctx context.Context, queueURL string, in ReceiveInput) ([]ReceivedMessage, error) {
	max := in.MaxNumberOfMessages
	if max == 0 {
		max = 1
	}
	if max < 1 || max > 10 {
		return nil, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return nil, errInvalidParameterValue("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return nil, errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", *in.VisibilityTimeout)
	}
	var (
		deadline <-chan time.Time
		expired  bool
	)
	for {
		s.mu.Lock()
		q, err := s.queueByURL(queueURL)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		got, nextVisible := s.takeLocked(ctx, q, max, in)
		if len(got) > 0 || expired {
			s.mu.Unlock()
			return got, nil
		}
		if deadline == nil {
			wait := q.intAttr("ReceiveMessageWaitTimeSeconds")
			if in.WaitTimeSeconds != nil {
				wait = *in.WaitTimeSeconds
			}
			if wait == 0 {
				s.mu.Unlock()
				return nil, nil
			}
			deadline = s.clock.After(time.Duration(wait) * time.Second)
		}
		ready := q.ready
		var becomesVisible <-chan time.Time
		if !nextVisible.IsZero() {
			becomesVisible = s.clock.After(nextVisible.Sub(s.now()))
		}
		s.mu.Unlock()
		select {
		case <-ready:
		case <-becomesVisible:
		case <-deadline:
			expired = true // one last look: a message may be due at the same instant
		case <-ctx.Done():
			return nil, fmt.Errorf("receive from %s: %w", queueURL, ctx.Err())
		}
	}
}

// takeLocked hands out up to max visible messages, moving those past the
// redrive policy's maxReceiveCount to the dead-letter queue and dropping
// expired ones. It also returns when the next invisible message becomes
// visible (zero if none). Must hold s.mu.
func (s *Service) takeLocked(ctx context.Context, q *queue, max int, in ReceiveInput) ([]ReceivedMessage, time.Time) {
	now := s.now()
	retention := time.Duration(q.intAttr("MessageRetentionPeriod")) * time.Second
	visibility := q.intAttr("VisibilityTimeout")
	if in.VisibilityTimeout != nil {
		visibility = *in.VisibilityTimeout
	}
	var redrive *redrivePolicy
	if p, err := parseRedrivePolicy(q.attrs["RedrivePolicy"]); err == nil {
		redrive = &p
	}
	var (
		out         []ReceivedMessage
		nextVisible time.Time
	)
	kept := q.messages[:0]
	for _, m := range q.messages {
		if now.Sub(m.sentAt) >= retention {
			continue // expired
		}
		if m.visibleAt.After(now) || len(out) == max {
			if m.visibleAt.After(now) && (nextVisible.IsZero() || m.visibleAt.Before(nextVisible)) {
				nextVisible = m.visibleAt
			}
			kept = append(kept, m)
			continue
		}
		if redrive != nil && m.receiveCount >= redrive.MaxReceiveCount {
			if dlq, err := s.queueByARN(redrive.DeadLetterTargetArn); err == nil && dlq != q {
				m.visibleAt, m.receiveCount, m.receipt = now, 0, ""
				m.firstReceiveAt = time.Time{}
				// The DeadLetterQueueSourceArn system attribute names the
				// queue the message came from (MessageSystemAttributeName).
				m.systemAttrs = maps.Clone(m.systemAttrs)
				if m.systemAttrs == nil {
					m.systemAttrs = map[string]string{}
				}
				m.systemAttrs["DeadLetterQueueSourceArn"] = q.arn
				dlq.messages = append(dlq.messages, m)
				s.wakeLocked(dlq)
				continue
			}
		}
		m.receiveCount++
		if m.firstReceiveAt.IsZero() {
			m.firstReceiveAt = now
		}
		m.visibleAt = now.Add(time.Duration(visibility) * time.Second)
		m.receipt = newReceiptHandle(q.name, m.id)
		if visibility > 0 && (nextVisible.IsZero() || m.visibleAt.Before(nextVisible)) {
			nextVisible = m.visibleAt
		}
		out = append(out, received(m, in))
		kept = append(kept, m)
	}
	clear(q.messages[len(kept):])
	q.messages = kept
	return out, nextVisible
}

func received(m *message, in ReceiveInput) ReceivedMessage {
	r := ReceivedMessage{MessageID: m.id, ReceiptHandle: m.receipt, Body: m.body, MD5OfBody: m.md5Body}
	system := map[string]string{
		"SenderId":                         m.senderID,
		"SentTimestamp":                    strconv.FormatInt(m.sentAt.UnixMilli(), 10),
		"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceiveAt.UnixMilli(), 10),
	}
	for k, v := range m.systemAttrs {
		system[k] = v
	}
	for _, n := range in.AttributeNames {
		if n == "All" {
			r.Attributes = system
			break
		}
		if v, ok := system[n]; ok {
			if r.Attributes == nil {
				r.Attributes = map[string]string{}
			}
			r.Attributes[n] = v
		}
	}
	for name, v := range m.attrs {
		if attributeSelected(name, in.MessageAttributeNames) {
			if r.MessageAttributes == nil {
				r.MessageAttributes = map[string]MessageAttributeValue{}
			}
			r.MessageAttributes[name] = v
		}
	}
	r.MD5OfMessageAttributes = md5OfAttributes(r.MessageAttributes)
	return r
}

func attributeSelected(name string, selectors []string) bool {
	for _, sel := range selectors {
		if sel == "All" || sel == ".*" || sel == name {
			return true
		}
		if prefix, ok := strings.CutSuffix(sel, ".*"); ok && strings.HasPrefix(name, prefix+".") {
			return true
		}
	}
	return false
}

// newReceiptHandle encodes the queue and message with a random part, so
// each receive hands out a new handle.
func newReceiptHandle(queueName, messageID string) string {
	var nonce [12]byte
	_, _ = rand.Read(nonce[:])
	return base64.StdEncoding.EncodeToString([]byte(queueName + "\x00" + messageID + "\x00" + base64.RawStdEncoding.EncodeToString(nonce[:])))
}

// findByReceipt returns the message a handle names, nil if it is gone or
// was received again since. Must hold s.mu.
func findByReceipt(q *queue, handle string) (*message, int, error) {
	raw, err := base64.StdEncoding.DecodeString(handle)
	parts := strings.Split(string(raw), "\x00")
	if err != nil || len(parts) != 3 {
		return nil, -1, errReceiptHandleIsInvalid(handle)
	}
	for i, m := range q.messages {
		if m.id == parts[1] && m.receipt == handle {
			return m, i, nil
		}
	}
	return nil, -1, nil
}

// DeleteMessage deletes a received message. A valid handle of a message
// already deleted (or received again) succeeds without effect, as in SQS.
func (s *Service) DeleteMessage(ctx context.Context, queueURL, receiptHandle string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return err
	}
	if receiptHandle == "" {
		return errMissingParameter("ReceiptHandle")
	}
	_, i, err := findByReceipt(q, receiptHandle)
	if err != nil || i < 0 {
		return err
	}
	q.messages = append(q.messages[:i], q.messages[i+1:]...)
	return nil
}

// ChangeMessageVisibility sets when an in-flight message becomes visible
// again, counted from now.
func (s *Service) ChangeMessageVisibility(ctx context.Context, queueURL, receiptHandle string, timeout int) error {
	if timeout < 0 || timeout > 43200 {
		return errInvalidParameterValue("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided.", timeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return err
	}
	m, _, err := findByReceipt(q, receiptHandle)
	if err != nil {
		return err
	}
	now := s.now()
	if m == nil || !m.visibleAt.After(now) {
		return errMessageNotInflight()
	}
	m.visibleAt = now.Add(time.Duration(timeout) * time.Second)
	s.wakeLocked(q)
	return nil
}

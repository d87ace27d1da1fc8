package sqs

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// queue is one queue and its messages.
type queue struct {
	name     string
	arn      string
	attrs    map[string]string // settable attributes, defaults filled in
	tags     map[string]string
	created  time.Time
	modified time.Time
	messages []*message // in send order
	// ready is closed (and replaced) whenever a message may have become
	// receivable, waking long polls.
	ready chan struct{}
}

// settableAttributes are the attributes CreateQueue and SetQueueAttributes
// take, with their defaults and valid ranges (SQS API Reference,
// SetQueueAttributes). Empty bounds mean a string attribute.
var settableAttributes = map[string]struct {
	def      string
	min, max int
}{
	"DelaySeconds":                  {"0", 0, 900},
	"MaximumMessageSize":            {"262144", 1024, 262144},
	"MessageRetentionPeriod":        {"345600", 60, 1209600},
	"ReceiveMessageWaitTimeSeconds": {"0", 0, 20},
	"VisibilityTimeout":             {"30", 0, 43200},
	"KmsDataKeyReusePeriodSeconds":  {"", 60, 86400},
	"Policy":                        {}, "RedrivePolicy": {}, "RedriveAllowPolicy": {},
	"KmsMasterKeyId": {}, "SqsManagedSseEnabled": {"true", 0, 0}, "FifoQueue": {},
	"ContentBasedDeduplication": {}, "DeduplicationScope": {}, "FifoThroughputLimit": {},
}

// validateAttributes checks names and values of queue attributes.
func validateAttributes(attrs map[string]string) error {
	for name, v := range attrs {
		spec, ok := settableAttributes[name]
		if !ok {
			return errInvalidAttributeName(name)
		}
		if spec.max > 0 {
			n, err := strconv.Atoi(v)
			if err != nil || n < spec.min || n > spec.max {
				return errInvalidAttributeValue(name)
			}
		}
		if name == "RedrivePolicy" && v != "" {
			if _, err := parseRedrivePolicy(v); err != nil {
				return err
			}
		}
	}
	return nil
}

// redrivePolicy is the RedrivePolicy attribute's JSON.
type redrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int    `json:"maxReceiveCount"`
}

func parseRedrivePolicy(v string) (redrivePolicy, error) {
	var raw struct {
		DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
		MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
	}
	var p redrivePolicy
	if err := json.Unmarshal([]byte(v), &raw); err != nil {
		return p, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Invalid JSON.", v)
	}
	// CloudFormation and the SDKs send maxReceiveCount as a number or
	// a string.
	n, err := strconv.Atoi(strings.Trim(string(raw.MaxReceiveCount), `"`))
	if err != nil || n < 1 || n > 1000 || raw.DeadLetterTargetArn == "" {
		return p, errInvalidParameterValue("Value %s for parameter RedrivePolicy is invalid. Reason: Redrive policy is not a valid JSON map with deadLetterTargetArn and maxReceiveCount (1 to 1000).", v)
	}
	return redrivePolicy{DeadLetterTargetArn: raw.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

func (q *queue) intAttr(name string) int {
	n, _ := strconv.Atoi(q.attrs[name])
	return n
}

func validQueueName(name string) bool {
	base := strings.TrimSuffix(name, ".fifo")
	if base == "" || len(name) > 80 {
		return false
	}
	for _, c := range base {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// CreateQueue creates a queue, or returns the URL of an existing one
// whose attributes are the same, as SQS does.
func (s *Service) CreateQueue(ctx context.Context, name string, attrs, tags map[string]string) (string, error) {
	if name == "" {
		return "", errMissingParameter("QueueName")
	}
	if !validQueueName(name) {
		return "", errInvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length")
	}
	if strings.HasSuffix(name, ".fifo") != (attrs["FifoQueue"] == "true") {
		return "", errInvalidParameterValue("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.")
	}
	if err := validateAttributes(attrs); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q := s.queues[name]; q != nil {
		for k, v := range attrs {
			if q.attrs[k] != v {
				return "", errQueueNameExists(k)
			}
		}
		return s.queueURL(ctx, name), nil
	}
	now := s.now()
	q := &queue{name: name, arn: arn.New("sqs", name), attrs: map[string]string{}, tags: map[string]string{},
		created: now, modified: now, ready: make(chan struct{})}
	for k, spec := range settableAttributes {
		if spec.def != "" {
			q.attrs[k] = spec.def
		}
	}
	for k, v := range attrs {
		q.attrs[k] = v
	}
	for k, v := range tags {
		q.tags[k] = v
	}
	s.queues[name] = q
	return s.queueURL(ctx, name), nil
}

// DeleteQueue deletes a queue and its messages.
func (s *Service) DeleteQueue(ctx context.Context, queueURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return err
	}
	delete(s.queues, q.name)
	s.wakeLocked(q)
	return nil
}

// QueueURL returns the URL of a named queue.
func (s *Service) QueueURL(ctx context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.queues[name] == nil {
		return "", errQueueDoesNotExist()
	}
	return s.queueURL(ctx, name), nil
}

// ListQueues returns the URLs of the queues whose names begin with prefix.
func (s *Service) ListQueues(ctx context.Context, prefix string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for name := range s.queues {
		if strings.HasPrefix(name, prefix) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	urls := make([]string, 0, len(names))
	for _, n := range names {
		urls = append(urls, s.queueURL(ctx, n))
	}
	return urls
}

// QueueAttributes returns the named attributes ("All" for every one),
// including the computed ones (QueueArn, ApproximateNumberOfMessages…).
func (s *Service) QueueAttributes(ctx context.Context, queueURL string, names []string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return nil, err
	}
	now := s.now()
	all := map[string]string{}
	for k, v := range q.attrs {
		all[k] = v
	}
	visible, inflight, delayed := 0, 0, 0
	for _, m := range q.messages {
		switch {
		case m.receiveCount == 0 && m.visibleAt.After(now):
			delayed++
		case m.visibleAt.After(now):
			inflight++
		default:
			visible++
		}
	}
	all["QueueArn"] = q.arn
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(inflight)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.modified.Unix(), 10)
	out := map[string]string{}
	for _, n := range names {
		if n == "All" {
			return all, nil
		}
		v, ok := all[n]
		if !ok {
			if _, settable := settableAttributes[n]; !settable {
				return nil, errInvalidAttributeName(n)
			}
			continue
		}
		out[n] = v
	}
	return out, nil
}

// SetQueueAttributes changes queue attributes.
func (s *Service) SetQueueAttributes(ctx context.Context, queueURL string, attrs map[string]string) error {
	if err := validateAttributes(attrs); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return err
	}
	for k, v := range attrs {
		if v == "" && settableAttributes[k].def == "" {
			delete(q.attrs, k)
			continue
		}
		q.attrs[k] = v
	}
	q.modified = s.now()
	return nil
}

// PurgeQueue deletes every message of a queue.
func (s *Service) PurgeQueue(ctx context.Context, queueURL string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByURL(queueURL)
	if err != nil {
		return err
	}
	q.messages = nil
	return nil
}

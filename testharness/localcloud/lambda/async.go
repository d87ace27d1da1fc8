package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Lambda's asynchronous defaults
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html):
// two retries, the first after one minute and the next after two, and
// events kept for up to six hours.
const (
	defaultMaxRetries  = 2
	defaultMaxEventAge = 6 * time.Hour
)

// eventInvokeConfig is a function's asynchronous invocation configuration.
type eventInvokeConfig struct {
	MaximumRetryAttempts     *int
	MaximumEventAgeInSeconds *int
	OnSuccess, OnFailure     string // destination ARNs
	LastModified             time.Time
}

func (c *eventInvokeConfig) maxRetries() int {
	if c == nil || c.MaximumRetryAttempts == nil {
		return defaultMaxRetries
	}
	return *c.MaximumRetryAttempts
}

func (c *eventInvokeConfig) onFailure() string {
	if c == nil {
		return ""
	}
	return c.OnFailure
}

// asyncRetryDelay is how long after the n-th failed attempt Lambda tries
// again: one minute after the first, two after the second.
func asyncRetryDelay(n int) time.Duration { return time.Duration(n) * time.Minute }

func (c *eventInvokeConfig) maxAge() time.Duration {
	if c == nil || c.MaximumEventAgeInSeconds == nil {
		return defaultMaxEventAge
	}
	return time.Duration(*c.MaximumEventAgeInSeconds) * time.Second
}

// AsyncOptions describe the service that invokes a function
// asynchronously, which its resource policy must allow.
type AsyncOptions struct {
	// Principal is the calling service ("events.amazonaws.com").
	Principal string
	// SourceARN is the resource that causes the invocation (a rule, a
	// bucket); SourceAccount its account.
	SourceARN     string
	SourceAccount string
	TraceHeader   string
	// RequestID is the id the invocation gets, "" for a new one: the
	// caller's handle on what the invocation then does (the console
	// follows an event to the invocation it caused).
	RequestID string
}

// InvokeAsync queues an event for a function on behalf of an AWS service,
// as EventBridge and S3 do. The function's resource policy must have a
// statement allowing opts.Principal (and, where the statement sets them,
// the source ARN and account); otherwise it returns an AccessDeniedException
// and queues nothing.
func (s *Service) InvokeAsync(ctx context.Context, functionARN string, payload []byte, opts AsyncOptions) error {
	fn, err := s.lookup(functionARN, "")
	if err != nil {
		return err
	}
	if err := checkPayload(payload, maxAsyncPayload, "InvokeAsync"); err != nil {
		return err
	}
	s.mu.Lock()
	ok := allows(fn.cfg.ARN, fn.policy, invokeRequestor{principal: opts.Principal, sourceARN: opts.SourceARN, sourceAccount: opts.SourceAccount})
	s.mu.Unlock()
	if !ok {
		return accessDenied(opts.Principal, fn.cfg.ARN, opts.SourceARN)
	}
	if err := s.asyncInvokeFault(ctx, fn, opts.TraceHeader); err != nil {
		return err
	}
	requestID := opts.RequestID
	if requestID == "" {
		requestID = awsproto.NewRequestID()
	}
	s.enqueue(ctx, fn, requestID, payload, opts.TraceHeader)
	return nil
}

// InvokeEvent queues an event invocation (InvocationType Event) for a
// caller that acts with its own identity, as CloudFormation does when it
// runs a custom resource's service token: no resource policy is consulted.
func (s *Service) InvokeEvent(ctx context.Context, functionNameOrARN string, payload []byte, traceHeader string) error {
	fn, err := s.lookup(functionNameOrARN, "")
	if err != nil {
		return err
	}
	if err := checkPayload(payload, maxAsyncPayload, "InvokeAsync"); err != nil {
		return err
	}
	if err := s.asyncInvokeFault(ctx, fn, traceHeader); err != nil {
		return err
	}
	s.enqueue(ctx, fn, awsproto.NewRequestID(), payload, traceHeader)
	return nil
}

// asyncEvent is one queued event.
type asyncEvent struct {
	requestID string
	payload   []byte
	trace     string
	queued    time.Time
}

// enqueue accepts an event: it is delivered in the background, retried on
// function errors, and its outcome sent to the configured destination.
//
// The event is work in progress from here until its last attempt, except
// while it waits for a retry.
func (s *Service) enqueue(ctx context.Context, fn *function, requestID string, payload []byte, traceHeader string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	s.asyncPending++
	ev := asyncEvent{requestID: requestID, payload: payload, trace: traceHeader, queued: s.clock.Now()}
	work := s.opts.Activity.Begin(ctx, "lambda event for "+fn.cfg.Name)
	go func() {
		defer s.wg.Done()
		defer s.asyncDone()
		defer work.Done()
		s.deliver(fn, ev, work)
	}()
}

// asyncDone counts an asynchronous event as finished and wakes
// WaitAsyncIdle callers when none is left.
func (s *Service) asyncDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.asyncPending--
	if s.asyncPending > 0 {
		return
	}
	for _, ch := range s.idleWaiters {
		close(ch)
	}
	s.idleWaiters = nil
}

// WaitAsyncIdle returns once no asynchronous event is queued or running,
// retries included. Tests use it to prove that something was not invoked:
// after the events that could have caused an invocation were delivered,
// an idle service has run all it ever will for them.
func (s *Service) WaitAsyncIdle(ctx context.Context) error {
	s.mu.Lock()
	if s.asyncPending == 0 {
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.idleWaiters = append(s.idleWaiters, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for asynchronous invocations to finish: %w", ctx.Err())
	}
}

// deliver runs the attempts of one event, waiting between them on the
// service's clock; work is the event's work in progress.
func (s *Service) deliver(fn *function, ev asyncEvent, work *activity.Work) {
	var last *Result
	var conf *eventInvokeConfig
	attempts := 0
	condition := "RetriesExhausted"
	for {
		s.mu.Lock()
		conf = fn.invokeConfig
		s.mu.Unlock()
		if s.clock.Now().Sub(ev.queued) > conf.maxAge() {
			condition = "EventAgeExceeded"
			break
		}
		req := invocationRequest{payload: ev.payload, async: true, requestID: ev.requestID,
			InvokeOptions: InvokeOptions{TraceHeader: ev.trace},
			retry:         &AsyncAttempt{Attempt: attempts + 1, MaxRetries: conf.maxRetries(), OnFailure: conf.onFailure()}}
		if attempts+1 <= conf.maxRetries() {
			req.retryDelay = asyncRetryDelay(attempts + 1)
		}
		res, err := s.run(s.ctx, fn, req, true)
		if s.ctx.Err() != nil {
			return
		}
		if err != nil {
			e := awsproto.AsError(err)
			res = Result{Payload: errorDocument(e.Code, e.Message), FunctionError: "Unhandled", ExecutedVersion: latest}
		}
		attempts++
		last = &res
		if res.FunctionError == "" {
			s.sendRecord(fn, conf, ev, "Success", attempts, last)
			return
		}
		if attempts > conf.maxRetries() {
			break
		}
		if !s.waitForRetry(fn, asyncRetryDelay(attempts), work) {
			return
		}
	}
	s.sendRecord(fn, conf, ev, condition, attempts, last)
}

// waitForRetry waits d on the service's clock with the event's work paused,
// so a pending retry holds the cloud busy only once it is due. It reports
// false when the service closed first.
func (s *Service) waitForRetry(fn *function, d time.Duration, work *activity.Work) bool {
	return work.Sleep(s.ctx, d, "lambda retry of "+fn.cfg.Name)
}

// DestinationRecord is the invocation record Lambda sends to an
// asynchronous destination
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
type DestinationRecord struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  RequestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *ResponseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

// RequestContext identifies the event and why the record was sent:
// Condition is Success, RetriesExhausted or EventAgeExceeded.
type RequestContext struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

// ResponseContext describes the last attempt's result.
type ResponseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// DestinationSender delivers invocation records to a destination ARN (an
// SQS queue, SNS topic, EventBridge bus or Lambda function). The wiring
// implements it with those services' Go APIs; for an EventBridge bus the
// detail-type is "Lambda Function Invocation Result - Success" or
// "- Failure" by RequestContext.Condition.
type DestinationSender interface {
	SendInvocationRecord(ctx context.Context, destinationARN string, record DestinationRecord) error
}

// sendRecord sends the event's record to the destination its outcome is
// configured for, if any. A destination that fails to take the record
// loses it, as the record has nowhere else to go.
func (s *Service) sendRecord(fn *function, conf *eventInvokeConfig, ev asyncEvent, condition string, attempts int, last *Result) {
	if conf == nil || s.opts.Destinations == nil {
		return
	}
	dest := conf.OnFailure
	if condition == "Success" {
		dest = conf.OnSuccess
	}
	if dest == "" {
		return
	}
	rec := DestinationRecord{
		Version:   "1.0",
		Timestamp: s.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: RequestContext{
			RequestID: ev.requestID, FunctionARN: fn.cfg.ARN + ":" + latest,
			Condition: condition, ApproximateInvokeCount: attempts,
		},
		RequestPayload: rawJSON(ev.payload),
	}
	if last != nil {
		rec.ResponseContext = &ResponseContext{StatusCode: http.StatusOK, ExecutedVersion: latest, FunctionError: last.FunctionError}
		rec.ResponsePayload = rawJSON(last.Payload)
	}
	_ = s.opts.Destinations.SendInvocationRecord(s.ctx, dest, rec)
}

// rawJSON embeds a payload in a record: as is when it is JSON, else as a
// JSON string.
func rawJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	q, _ := json.Marshal(string(b))
	return q
}

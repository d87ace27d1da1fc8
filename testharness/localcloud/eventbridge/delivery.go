package eventbridge

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge/transform"
)

// Retry defaults of a rule target (EventBridge User Guide, "Event retry
// policy and using dead-letter queues": 24 hours and up to 185 times).
const (
	DefaultMaxRetryAttempts = 185
	DefaultMaxEventAge      = 24 * time.Hour
	// firstRetryDelay and maxRetryDelay bound the exponential backoff.
	// AWS adds jitter; the local cloud does not, so tests can advance a
	// fake clock by known amounts.
	firstRetryDelay = time.Second
	maxRetryDelay   = 5 * time.Minute
)

// Principal is the service principal EventBridge invokes targets as.
const Principal = "events.amazonaws.com"

// item is one event for one rule target.
type item struct {
	ev       *event
	ruleARN  string
	ruleName string
	target   ruleTarget
	// work is the delivery in progress, from enqueue until it is
	// delivered, given up on, or handed to a retry.
	work *activity.Work
	// invocationID is the request id a Lambda target's invocation gets;
	// a retry asks again for the same one (the failed attempt queued
	// nothing).
	invocationID string
}

// queues holds one delivery queue per rule target, so a target receives
// its events in the order they were put, and a slow target holds up no
// other.
type queues struct {
	mu      sync.Mutex
	byKey   map[string]*queue // guarded by mu
	pending int               // guarded by mu: queued or being attempted
	idle    *sync.Cond        // signalled when pending drops to 0
}

type queue struct {
	mu     sync.Mutex
	items  []item // guarded by mu
	signal chan struct{}
	done   chan struct{}
}

func (q *queues) init() {
	q.byKey = map[string]*queue{}
	q.idle = sync.NewCond(&q.mu)
}

func (q *queues) enqueue(s *Service, it item) {
	key := it.ruleARN + "\x00" + it.target.Id
	q.mu.Lock()
	if s.ctx.Err() != nil { // closed
		q.mu.Unlock()
		return
	}
	q.pending++
	it.work = s.opts.Activity.Begin(s.ctx, "eventbridge delivery to "+it.target.Arn)
	tq := q.byKey[key]
	if tq == nil {
		tq = &queue{signal: make(chan struct{}, 1), done: make(chan struct{})}
		q.byKey[key] = tq
		s.wg.Add(1)
		go s.runQueue(tq)
	}
	q.mu.Unlock()
	tq.mu.Lock()
	tq.items = append(tq.items, it)
	tq.mu.Unlock()
	select {
	case tq.signal <- struct{}{}:
	default:
	}
}

// settle marks n units of work done.
func (q *queues) settle(n int) {
	q.mu.Lock()
	q.pending = max(q.pending-n, 0)
	if q.pending == 0 {
		q.idle.Broadcast()
	}
	q.mu.Unlock()
}

func (q *queues) stopAll() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, tq := range q.byKey {
		close(tq.done)
	}
	q.byKey = map[string]*queue{}
	q.pending = 0
	q.idle.Broadcast()
}

// Flush waits until every delivery queued so far has been attempted:
// delivered, given up on, or waiting for a retry delay. Tests use it to
// prove that nothing was delivered.
func (s *Service) Flush(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		s.q.mu.Lock()
		s.q.idle.Broadcast()
		s.q.mu.Unlock()
	})
	defer stop()
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	for s.q.pending > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("eventbridge: flush: %w", err)
		}
		s.q.idle.Wait()
	}
	return nil
}

func (s *Service) runQueue(tq *queue) {
	defer s.wg.Done()
	for {
		select {
		case <-tq.done:
			return
		case <-s.ctx.Done():
			return
		case <-tq.signal:
		}
		for {
			tq.mu.Lock()
			if len(tq.items) == 0 {
				tq.mu.Unlock()
				break
			}
			it := tq.items[0]
			tq.items = tq.items[1:]
			tq.mu.Unlock()
			s.firstAttempt(it)
		}
	}
}

// firstAttempt delivers an item once; a retryable failure continues in a
// goroutine of its own that waits on the clock, so later events are not
// held up behind it.
func (s *Service) firstAttempt(it item) {
	defer s.q.settle(1)
	defer it.work.Done()
	it.invocationID = awsproto.NewRequestID()
	err := s.attempt(it)
	s.observeAttempt(it, 1, err)
	if err == nil {
		return
	}
	code, msg, retryable := classify(err)
	if !retryable {
		s.giveUp(it, code, msg, 1, "")
		return
	}
	retry := it
	retry.work = s.opts.Activity.Begin(s.ctx, "eventbridge retry to "+it.target.Arn)
	s.wg.Add(1)
	go s.retry(retry, code, msg)
}

// retryLimits are a target's MaximumRetryAttempts and
// MaximumEventAgeInSeconds, defaulted.
func (t ruleTarget) retryLimits() (maxRetries int, maxAge time.Duration) {
	maxRetries, maxAge = DefaultMaxRetryAttempts, DefaultMaxEventAge
	if p := t.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			maxRetries = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*p.MaximumEventAgeInSeconds) * time.Second
		}
	}
	return maxRetries, maxAge
}

// retryDelay is the backoff after the n-th failed attempt: 1 s, doubling,
// at most maxRetryDelay.
func retryDelay(n int) time.Duration {
	d := firstRetryDelay
	for i := 1; i < n && d < maxRetryDelay; i++ {
		d *= 2
	}
	return min(d, maxRetryDelay)
}

// retry attempts an item again after backoffs, with its work paused while
// it waits.
func (s *Service) retry(it item, code, msg string) {
	defer s.wg.Done()
	defer it.work.Done()
	maxRetries, maxAge := it.target.retryLimits()
	attempts := 1
	for {
		if attempts-1 >= maxRetries {
			s.giveUp(it, code, msg, attempts, "MaximumRetryAttempts")
			return
		}
		if !s.backOff(it, retryDelay(attempts)) {
			return
		}
		if s.clock.Now().Sub(it.ev.ingested) > maxAge {
			s.giveUp(it, code, msg, attempts, "MaximumEventAgeInSeconds")
			return
		}
		attempts++
		err := s.attempt(it)
		s.observeAttempt(it, attempts, err)
		if err == nil {
			return
		}
		var retryable bool
		code, msg, retryable = classify(err)
		if !retryable {
			s.giveUp(it, code, msg, attempts, "")
			return
		}
	}
}

// backOff waits delay with the item's work paused. It reports false when
// the service closed first.
func (s *Service) backOff(it item, delay time.Duration) bool {
	return it.work.Sleep(s.ctx, delay, "eventbridge retry to "+it.target.Arn)
}

// attempt delivers an item once, never holding the service lock.
func (s *Service) attempt(it item) error {
	t := it.target
	input, err := transform.Apply(t.spec(), it.ev.envelope,
		transform.Context{RuleARN: it.ruleARN, RuleName: it.ruleName, IngestionTime: it.ev.ingested})
	if err != nil {
		return awsproto.Errorf("InvalidParameter", http.StatusBadRequest, "input transformation: %v", err)
	}
	a, err := arn.Parse(t.Arn)
	if err != nil {
		return awsproto.Errorf("InvalidParameter", http.StatusBadRequest, "target ARN: %v", err)
	}
	ctx := s.ctx
	trace := it.ev.entry.TraceHeader
	switch a.Service {
	case "lambda":
		if s.opts.Lambda == nil {
			return errNoConsumer
		}
		return s.opts.Lambda.InvokeAsync(ctx, t.Arn, input, AsyncInvokeOptions{
			SourceARN: it.ruleARN, SourceAccount: arn.Account, Principal: Principal, TraceHeader: trace, RequestID: it.invocationID})
	case "sqs":
		if s.opts.SQS == nil {
			return errNoConsumer
		}
		m := QueueMessage{Body: string(input), RuleARN: it.ruleARN, TraceHeader: trace}
		if t.SqsParameters != nil {
			m.MessageGroupID = t.SqsParameters.MessageGroupId
		}
		return s.opts.SQS.SendMessage(ctx, t.Arn, m)
	case "states":
		if s.opts.StepFns == nil {
			return errNoConsumer
		}
		return s.opts.StepFns.StartExecution(ctx, t.Arn, t.RoleArn, string(input), trace)
	case "events":
		if !strings.HasPrefix(a.Resource, "event-bus/") {
			return errNoConsumer
		}
		e := it.ev.entry
		e.EventBusName = t.Arn
		_, err := s.PutEvent(ctx, e)
		var entryErr *EntryError
		if errors.As(err, &entryErr) && entryErr.Code == "ResourceNotFoundException" {
			return awsproto.NewError(entryErr.Code, http.StatusNotFound, entryErr.Message)
		}
		return err
	}
	if tgt := s.opts.Targets[a.Service]; tgt != nil {
		return tgt.Deliver(ctx, Delivery{RuleARN: it.ruleARN, TargetID: t.Id, TargetARN: t.Arn,
			RoleARN: t.RoleArn, Input: input, TraceHeader: trace})
	}
	return errNoConsumer
}

var errNoConsumer = awsproto.NewError("ResourceNotFoundException", http.StatusNotFound,
	"the local cloud has no service connected for this target")

// classify maps a delivery error to a dead-letter ERROR_CODE and tells
// whether EventBridge retries it: throttling and server errors are
// retried; missing permissions, missing resources and other client errors
// are not ("EventBridge doesn't retry other 4xx HTTP errors"; permission
// and missing-resource errors go straight to the dead-letter queue).
func classify(err error) (code, msg string, retryable bool) {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		return "ERROR_FROM_TARGET", err.Error(), true
	}
	switch {
	case e.Status == http.StatusForbidden || strings.Contains(e.Code, "AccessDenied"):
		return "NO_PERMISSIONS", e.Message, false
	case e.Status == http.StatusNotFound || strings.Contains(e.Code, "NotFound") || strings.Contains(e.Code, "NonExistent"):
		return "NO_RESOURCE", e.Message, false
	case e.Status == http.StatusTooManyRequests || strings.Contains(e.Code, "Throttl"):
		return "THROTTLING", e.Message, true
	case e.Status >= 500:
		return "ERROR_FROM_TARGET", e.Message, true
	}
	return "INVALID_PARAMETER", e.Message, false
}

// giveUp sends an undeliverable event to the target's dead-letter queue
// with the attributes AWS adds, or drops it.
func (s *Service) giveUp(it item, code, msg string, attempts int, exhausted string) {
	f := DeliveryFailure{
		Delivery: Delivery{RuleARN: it.ruleARN, TargetID: it.target.Id, TargetARN: it.target.Arn,
			RoleARN: it.target.RoleArn, TraceHeader: it.ev.entry.TraceHeader},
		EventID: it.ev.id, ErrorCode: code, ErrorMessage: msg, Attempts: attempts,
	}
	if dlq := it.target.DeadLetterConfig; dlq != nil && dlq.Arn != "" {
		f.DeadLetterARN = dlq.Arn
		attrs := map[string]string{
			"RULE_ARN":       it.ruleARN,
			"TARGET_ARN":     it.target.Arn,
			"ERROR_CODE":     code,
			"ERROR_MESSAGE":  msg,
			"RETRY_ATTEMPTS": strconv.Itoa(attempts - 1),
		}
		if exhausted != "" {
			attrs["EXHAUSTED_RETRY_CONDITION"] = exhausted
		}
		if s.opts.SQS == nil {
			f.DeadLetterErr = errNoConsumer
		} else if err := s.opts.SQS.SendMessage(s.ctx, dlq.Arn, QueueMessage{Body: string(it.ev.envelope), Attributes: attrs, RuleARN: it.ruleARN,
			TraceHeader: it.ev.entry.TraceHeader}); err != nil {
			f.DeadLetterErr = fmt.Errorf("send to dead-letter queue %s: %w", dlq.Arn, err)
		}
	}
	if s.opts.OnDeliveryFailure != nil {
		s.opts.OnDeliveryFailure(f)
	}
}

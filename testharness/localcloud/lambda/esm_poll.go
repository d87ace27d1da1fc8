package lambda

import (
	"context"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// QueueSource is SQS as an event source mapping polls it. ctx carries the
// function role's principal (identity.FromContext): Lambda polls with the
// function's execution role, so the source authorizes every call with it.
type QueueSource interface {
	// Allowed returns the denial when the role may not do action
	// ("sqs:ReceiveMessage") on the queue, else nil.
	Allowed(ctx context.Context, action, queueARN string) error
	QueueAttributes(ctx context.Context, queueARN string) (map[string]string, error)
	// Poll takes up to max visible messages, with every system and
	// message attribute, without waiting; next is when the earliest
	// message in flight or delayed becomes visible (zero when none).
	Poll(ctx context.Context, queueARN string, max int) (msgs []QueueMessage, next time.Time, err error)
	DeleteMessage(ctx context.Context, queueARN, receiptHandle string) error
	// Watch calls wake whenever messages may have become receivable in
	// the queue, until stop; wake returns at once and calls nothing back.
	Watch(queueARN string, wake func()) (stop func(), err error)
}

// esmPoller polls one mapping's queue and invokes its function with what
// it receives, one batch at a time, until stopped. Its work is paused
// while the queue has nothing for it: the queue's watcher resumes it
// when a message arrives, and a timer the cloud knows brings it back when
// an in-flight message becomes visible again, so the cloud can settle
// (and virtual time jump) while a mapping waits.
type esmPoller struct {
	s        *Service
	uuid     string
	queueARN string
	st       esmSettings
	work     *activity.Work
	wake     chan struct{} // a token per wake-up; stale tokens cost one extra poll
	cancel   context.CancelFunc
}

// newPoller starts polling. Must hold s.mu (for s.wg against Close).
func (s *Service) newPoller(uuid, queueARN string, st esmSettings) (*esmPoller, error) {
	ctx, cancel := context.WithCancel(s.ctx)
	p := &esmPoller{s: s, uuid: uuid, queueARN: queueARN, st: st, wake: make(chan struct{}, 1), cancel: cancel}
	p.work = s.opts.Activity.Begin(ctx, "event source mapping "+uuid)
	unwatch, err := s.opts.Queues.Watch(queueARN, p.woken)
	if err != nil {
		p.work.Done()
		cancel()
		return nil, sqsCallError("ReceiveMessage", err)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer p.work.Done()
		defer unwatch()
		for {
			batch, ok := p.nextBatch(ctx)
			if !ok {
				return
			}
			p.process(ctx, batch)
		}
	}()
	return p, nil
}

// woken is the queue's watcher: the sender resumes the poller's work
// before its own ends (the activity package's hand-over).
func (p *esmPoller) woken() {
	p.work.Resume()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// stop asks the poller to end; a batch being processed finishes.
func (p *esmPoller) stop() { p.cancel() }

// roleContext is ctx acting as a session of the function's role, as Lambda
// polls a queue.
func roleContext(ctx context.Context, cfg config) context.Context {
	return identity.NewContext(ctx, identity.RoleSession(cfg.Role, cfg.Name, ""))
}

// nextBatch waits for messages and gathers a batch: up to BatchSize, as
// soon as any have come when there is no batching window, else until the
// window has passed since the first or the batch is full (Lambda
// Developer Guide, "Batching behavior"). ok is false when the poller
// stopped.
func (p *esmPoller) nextBatch(ctx context.Context) (batch []QueueMessage, ok bool) {
	var window *activity.Timer
	defer func() {
		if window != nil {
			window.Stop()
		}
	}()
	for {
		wakes := p.work.Wakes()
		msgs, next := p.poll(ctx, min(10, p.st.batchSize-len(batch)))
		batch = append(batch, msgs...)
		if len(batch) == p.st.batchSize || len(batch) > 0 && p.st.window == 0 {
			return batch, true
		}
		if len(batch) > 0 && window == nil {
			window = p.s.opts.Activity.NewTimer(ctx, time.Duration(p.st.window)*time.Second,
				"event source mapping "+p.uuid+" batching window")
		}
		if len(msgs) > 0 {
			continue // there may be more right away
		}
		var windowEnd <-chan time.Time
		if window != nil {
			windowEnd = window.C
		}
		ended, ok := p.idle(ctx, wakes, next, windowEnd)
		if !ok {
			return nil, false
		}
		if ended {
			return batch, true
		}
	}
}

// poll takes up to max messages as the function's role. A queue that is
// gone, or that the role may no longer read, gives nothing until a
// message arrives in it again.
func (p *esmPoller) poll(ctx context.Context, max int) ([]QueueMessage, time.Time) {
	fn, err := p.s.lookup(p.st.functionARN, "")
	if err != nil {
		return nil, time.Time{} // the function was deleted: the messages wait
	}
	msgs, next, err := p.s.opts.Queues.Poll(roleContext(ctx, fn.cfg), p.queueARN, max)
	if err != nil {
		return nil, time.Time{}
	}
	return msgs, next
}

// idle pauses the poller's work until the queue wakes it, the earliest
// in-flight message becomes visible (next, on a timer the cloud knows),
// or windowEnd fires (ended). ok is false when the poller stopped.
func (p *esmPoller) idle(ctx context.Context, wakes uint64, next time.Time, windowEnd <-chan time.Time) (ended, ok bool) {
	var visible <-chan time.Time
	if !next.IsZero() {
		tm := p.s.opts.Activity.NewTimer(ctx, next.Sub(p.s.clock.Now()), "event source mapping "+p.uuid+": a message becomes visible")
		defer tm.Stop()
		visible = tm.C
	}
	if !p.work.PauseUnlessWoken(wakes) {
		return false, true
	}
	defer p.work.Resume() // before the timer stops pending: the hand-over
	select {
	case <-p.wake:
	case <-visible:
	case <-windowEnd:
		return true, true
	case <-ctx.Done():
		return false, false
	}
	return false, true
}

// process invokes the function with a batch and deletes what it handled:
// every message on success; with ReportBatchItemFailures all but the
// failed items; nothing when the invocation failed, so the batch comes
// back after the queue's visibility timeout and its receive count grows
// toward the queue's redrive policy (Lambda Developer Guide, "Handling
// errors for an SQS event source in Lambda"). Messages no filter matches
// are deleted without invoking.
func (p *esmPoller) process(ctx context.Context, batch []QueueMessage) {
	fn, err := p.s.lookup(p.st.functionARN, "")
	if err != nil {
		return
	}
	roleCtx := roleContext(ctx, fn.cfg)
	var records []sqsRecord
	for _, m := range batch {
		r := newSQSRecord(p.queueARN, m)
		if !matchesFilters(p.st.filters, r) {
			_ = p.s.opts.Queues.DeleteMessage(roleCtx, p.queueARN, m.ReceiptHandle)
			continue
		}
		records = append(records, r)
	}
	p.invoke(ctx, fn, roleCtx, records)
}

// invoke runs the function on records, cutting a batch whose event is
// over the synchronous payload limit in halves (Lambda stops gathering a
// batch at 6 MB).
func (p *esmPoller) invoke(ctx context.Context, fn *function, roleCtx context.Context, records []sqsRecord) {
	if len(records) == 0 {
		return
	}
	payload, err := sqsEvent(records)
	if err != nil {
		return
	}
	if len(payload) > maxSyncPayload && len(records) > 1 {
		half := len(records) / 2
		p.invoke(ctx, fn, roleCtx, records[:half])
		p.invoke(ctx, fn, roleCtx, records[half:])
		return
	}
	res, err := p.s.run(ctx, fn, invocationRequest{payload: payload}, true)
	if err != nil || res.FunctionError != "" {
		return
	}
	var failed map[string]bool
	if p.st.reportFailures {
		ids := make(map[string]bool, len(records))
		for _, r := range records {
			ids[r.MessageID] = true
		}
		var ok bool
		if failed, ok = failedItems(res.Payload, ids); !ok {
			return
		}
	}
	for _, r := range records {
		if !failed[r.MessageID] {
			_ = p.s.opts.Queues.DeleteMessage(roleCtx, p.queueARN, r.ReceiptHandle)
		}
	}
}

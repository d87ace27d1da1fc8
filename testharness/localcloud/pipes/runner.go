package pipes

import (
	"context"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// Retry backoff of a failed batch, on the service's clock: 1 s, doubling,
// at most a minute (Pipes backs off on customer errors; the exact
// schedule is not documented).
const (
	firstBackoff = time.Second
	maxBackoff   = time.Minute
)

// run is a pipe's delivery loop: wait for records, form a batch, deliver
// it, move the position. It ends when ctx is cancelled.
func (s *Service) run(ctx context.Context, p *pipe) {
	for {
		batch, scanned, ok := s.nextBatch(ctx, p)
		if !ok {
			return
		}
		if !s.deliver(ctx, p, batch) {
			return
		}
		s.setCursor(p, scanned)
	}
}

// nextBatch waits until the stream has records after the pipe's position
// and returns those that pass the filters (at most BatchSize), waiting up
// to the batching window for a full batch, with the position of the last
// record it looked at. ok is false when ctx ended.
func (s *Service) nextBatch(ctx context.Context, p *pipe) (batch []dynamodbstreams.Record, scanned string, ok bool) {
	size := p.cfg.batchSize
	s.mu.Lock()
	cursor := p.cursor
	s.mu.Unlock()
	for {
		wakes := p.work.Wakes()
		batch, scanned = p.scan(cursor, nil, size)
		if scanned != cursor {
			break
		}
		// Caught up: idle until the stream's writer resumes the work.
		if !p.work.PauseUnlessWoken(wakes) {
			continue
		}
		select {
		case <-p.sub.C():
			p.work.Resume()
		case <-ctx.Done():
			return nil, "", false
		}
	}
	if len(batch) == 0 || len(batch) == size || p.cfg.windowSeconds == 0 {
		return batch, scanned, true
	}
	window := s.clock.After(time.Duration(p.cfg.windowSeconds) * time.Second)
	for len(batch) < size {
		select {
		case <-p.sub.C():
			batch, scanned = p.scan(scanned, batch, size)
		case <-window:
			return batch, scanned, true
		case <-ctx.Done():
			return nil, "", false
		}
	}
	return batch, scanned, true
}

// scan reads records after the position after, appending those that pass
// the filters to batch until it holds size, and returns the position of
// the last record read.
func (p *pipe) scan(after string, batch []dynamodbstreams.Record, size int) ([]dynamodbstreams.Record, string) {
	for len(batch) < size {
		recs, _ := p.sub.Read(after, size-len(batch))
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			after = r.Dynamodb.SequenceNumber
			passed := p.matches(r)
			p.observer.RecordFiltered(p.arn, r, passed)
			if passed {
				batch = append(batch, r)
			}
		}
	}
	return batch, after
}

// matches applies the filters to a record as it is delivered: a record
// passes when any filter matches it, or when there are none (EventBridge
// User Guide, "Event filtering in Amazon EventBridge Pipes").
func (p *pipe) matches(r dynamodbstreams.Record) bool {
	if len(p.cfg.filters) == 0 {
		return true
	}
	ev, err := eventpattern.ParseEvent(r.Event())
	if err != nil {
		return false
	}
	for _, f := range p.cfg.filters {
		if f.MatchesEvent(ev) {
			return true
		}
	}
	return false
}

// deliver sends a batch to the pipe's target until every record is
// delivered or discarded, as stream sources do (Lambda Developer Guide,
// "Configuring partial batch response with DynamoDB and Lambda" and the
// DynamoDB error handling page, which Pipes mirrors): a function error
// retries the batch, bisected first when OnPartialBatchItemFailure is
// AUTOMATIC_BISECT (splitting does not count as a retry); a partial batch
// failure retries from the first failed record; records older than
// MaximumRecordAgeInSeconds, or still failing after MaximumRetryAttempts,
// go to the dead-letter queue and the pipe moves on. It returns false
// when ctx ended first.
func (s *Service) deliver(ctx context.Context, p *pipe, batch []dynamodbstreams.Record) bool {
	pending := [][]dynamodbstreams.Record{batch}
	for len(pending) > 0 {
		b := pending[0]
		pending = pending[1:]
		attempts := 0
		for len(b) > 0 {
			if old := p.expired(b, s.clock.Now()); old > 0 {
				s.deadLetter(ctx, p, b[:old], "RecordAgeExceeded")
				s.setCursor(p, b[old-1].Dynamodb.SequenceNumber)
				b = b[old:]
				continue
			}
			failedFrom := s.invoke(ctx, p, b)
			if ctx.Err() != nil {
				return false
			}
			if failedFrom < 0 {
				s.setCursor(p, b[len(b)-1].Dynamodb.SequenceNumber)
				break
			}
			if failedFrom > 0 {
				s.setCursor(p, b[failedFrom-1].Dynamodb.SequenceNumber)
				b = b[failedFrom:]
			} else if p.cfg.bisect && len(b) > 1 {
				half := len(b) / 2
				pending = append([][]dynamodbstreams.Record{b[:half], b[half:]}, pending...)
				break
			}
			attempts++
			if p.cfg.maxRetries >= 0 && attempts > p.cfg.maxRetries {
				s.deadLetter(ctx, p, b, "RetryAttemptsExhausted")
				s.setCursor(p, b[len(b)-1].Dynamodb.SequenceNumber)
				break
			}
			if !s.backOff(ctx, p, min(firstBackoff<<min(attempts-1, 10), maxBackoff)) {
				return false
			}
		}
	}
	return true
}

// backOff waits before a retry with the pipe's work paused. It reports
// false when ctx ended first.
func (s *Service) backOff(ctx context.Context, p *pipe, d time.Duration) bool {
	return p.work.Sleep(ctx, d, "pipe "+p.cfg.spec.Name+" retry")
}

// expired returns how many leading records of b are older than
// MaximumRecordAgeInSeconds.
func (p *pipe) expired(b []dynamodbstreams.Record, now time.Time) int {
	if p.cfg.maxAgeSeconds < 0 {
		return 0
	}
	limit := time.Duration(p.cfg.maxAgeSeconds) * time.Second
	n := 0
	for n < len(b) && now.Sub(b[n].Dynamodb.ApproximateCreationDateTime) > limit {
		n++
	}
	return n
}

func (s *Service) setCursor(p *pipe, seq string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq > p.cursor { // one length, so string order is numeric order
		p.cursor = seq
	}
}

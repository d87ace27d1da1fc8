package dynamodbstreams

import "fmt"

// Subscription lets an in-process consumer (an EventBridge Pipe) read a
// stream without polling: C is signalled after every Append to the stream
// (and when it is disabled), and Read returns what is new. The consumer
// keeps its own position, a sequence number, so it decides when a record
// counts as processed.
type Subscription struct {
	svc *Service
	st  *stream
	c   chan struct{}
	// wake, when set, is called on every append before C is signalled,
	// in the writer's goroutine (see SetWaker). Guarded by svc.mu.
	wake func()
}

// SetWaker has fn called on every append to the stream, in the writer's
// goroutine before the write returns, so that a consumer's paused work is
// marked busy before the writer's own request ends. fn must not call back
// into the streams service.
func (sub *Subscription) SetWaker(fn func()) {
	sub.svc.mu.Lock()
	defer sub.svc.mu.Unlock()
	sub.wake = fn
}

// Subscribe starts a subscription at startingPosition, TRIM_HORIZON or
// LATEST, and returns it with the position to pass to the first Read.
func (s *Service) Subscribe(streamARN, startingPosition string) (*Subscription, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[streamARN]
	if st == nil {
		return nil, "", errStreamNotFound(streamARN)
	}
	var from string
	switch startingPosition {
	case "TRIM_HORIZON":
	case "LATEST":
		from = formatSequence(st.lastCounter)
	default:
		return nil, "", fmt.Errorf("subscribe to %s: starting position %q is not TRIM_HORIZON or LATEST", streamARN, startingPosition)
	}
	sub := &Subscription{svc: s, st: st, c: make(chan struct{}, 1)}
	st.subscribers[sub] = struct{}{}
	if len(st.records) > 0 && startingPosition == "TRIM_HORIZON" {
		sub.c <- struct{}{}
	}
	return sub, from, nil
}

// C is signalled (coalesced, never blocking the writer) when the stream
// has new records or was closed.
func (sub *Subscription) C() <-chan struct{} { return sub.c }

// StreamARN is the subscribed stream.
func (sub *Subscription) StreamARN() string { return sub.st.arn }

// ShardID is the stream's one shard.
func (sub *Subscription) ShardID() string { return sub.st.shardID }

// Read returns up to limit retained records after the sequence number
// after ("" reads from the trim horizon), oldest first. Records trimmed
// meanwhile are skipped, as a consumer that restarts at TRIM_HORIZON after
// a TrimmedDataAccessException skips them. closed tells whether the stream
// is disabled and has nothing after the returned records.
func (sub *Subscription) Read(after string, limit int) (recs []Record, closed bool) {
	var n uint64
	if after != "" {
		n, _ = parseSequence(after)
	}
	s := sub.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	s.trim(sub.st, s.clock.Now())
	recs = sub.st.after(n, limit)
	last := n
	if len(recs) > 0 {
		last = recs[len(recs)-1].counter
	}
	return recs, !sub.st.enabled && last >= sub.st.lastCounter
}

// Close ends the subscription.
func (sub *Subscription) Close() {
	s := sub.svc
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(sub.st.subscribers, sub)
}

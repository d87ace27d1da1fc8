package activity

import (
	"context"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// RunVirtualTime makes v the cloud's virtual time: whenever the cloud has
// settled — no work in progress, no timer that fired still waking its
// goroutine, no settled waiter still acting (WhenSettled) — it jumps v to
// the earliest pending timer, so a retry backoff, a Wait state or a
// deadline comes at once instead of after its real time. It returns when
// ctx ends. t must have been made on v.
//
// Only the tracker's timers are jumped to: they stand for work the cloud
// owes (a retry, a delivery, a step of an execution). Clock timers of
// housekeeping (TTL sweeps) fire as time passes, but never draw time on.
func (t *Tracker) RunVirtualTime(ctx context.Context, v *clock.Virtual) {
	for {
		t.mu.Lock()
		next, ok := t.nextJumpLocked(v.Now())
		change := t.change
		t.mu.Unlock()
		if ok {
			v.AdvanceTo(next)
			continue // the fired timers are due now: nothing moves until they are served
		}
		select {
		case <-change:
		case <-ctx.Done():
			return
		}
	}
}

// nextJumpLocked returns the time to jump to, or false while the cloud
// has not settled or has no timer pending. Must hold t.mu.
func (t *Tracker) nextJumpLocked(now time.Time) (time.Time, bool) {
	for _, w := range t.works {
		if !w.paused {
			return time.Time{}, false
		}
	}
	for _, s := range t.waiters {
		if len(t.pendingLocked(*s)) == 0 {
			return time.Time{}, false // about to act on the settled cloud
		}
	}
	var next time.Time
	for _, tm := range t.timers {
		if !tm.due.After(now) {
			return time.Time{}, false // fired; its goroutine has yet to resume
		}
		if next.IsZero() || tm.due.Before(next) {
			next = tm.due
		}
	}
	return next, !next.IsZero()
}

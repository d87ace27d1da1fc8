package asl

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock is the executor's only source of time: Wait states, retry
// intervals, task timeouts, heartbeats and the execution timeout all wait on
// After. Tests replace it with a FakeClock so nothing really sleeps.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time                         { return time.Now() }
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// FakeClock is a Clock that moves only when told to. Timers fire when
// Advance (or AdvanceToNext) passes their deadline.
type FakeClock struct {
	mu      sync.Mutex
	now     time.Time
	timers  []fakeTimer
	changed chan struct{} // closed and replaced whenever a timer is added
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// NewFakeClock returns a clock stopped at start.
func NewFakeClock(start time.Time) *FakeClock {
	return &FakeClock{now: start, changed: make(chan struct{})}
}

func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *FakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.timers = append(c.timers, fakeTimer{at: c.now.Add(d), ch: ch})
	close(c.changed)
	c.changed = make(chan struct{})
	return ch
}

// Advance moves time forward by d and fires every timer now due.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanceTo(c.now.Add(d))
}

// AdvanceToNext moves time to the earliest pending timer and fires it (and
// any other timer due by then). It reports false when no timer is pending.
func (c *FakeClock) AdvanceToNext() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.timers) == 0 {
		return false
	}
	sort.Slice(c.timers, func(i, j int) bool { return c.timers[i].at.Before(c.timers[j].at) })
	c.advanceTo(c.timers[0].at)
	return true
}

// advanceTo must be called with c.mu held.
func (c *FakeClock) advanceTo(t time.Time) {
	if t.After(c.now) {
		c.now = t
	}
	kept := c.timers[:0]
	for _, tm := range c.timers {
		if tm.at.After(c.now) {
			kept = append(kept, tm)
			continue
		}
		tm.ch <- c.now
	}
	c.timers = kept
}

// Pending is the number of timers not yet fired.
func (c *FakeClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// AutoAdvance jumps to the next deadline whenever a timer is pending, until
// ctx ends: Wait states and retry intervals then complete at once while
// Now() reports the time they would have taken. Run it in its own
// goroutine. A task with a timeout whose invoker has not returned yet will
// time out, so use it with invokers that either answer synchronously
// before any timer is armed, or never answer (to test timeouts).
func (c *FakeClock) AutoAdvance(ctx context.Context) {
	for {
		c.mu.Lock()
		changed, pending := c.changed, len(c.timers)
		c.mu.Unlock()
		if pending > 0 {
			c.AdvanceToNext()
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

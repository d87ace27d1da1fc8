// Package clock gives every local service an injectable clock, so tests can
// move time forward instead of sleeping (retention, visibility timeouts,
// event ages, Wait states).
package clock

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// Clock is the time source a service is built with.
type Clock interface {
	Now() time.Time
	// After is time.After on this clock.
	After(d time.Duration) <-chan time.Time
	// Timer is After with a stop function, for waits that may end another
	// way: stop releases the timer (a stopped timer never fires).
	Timer(d time.Duration) (c <-chan time.Time, stop func())
}

// Real is the wall clock.
type Real struct{}

func (Real) Now() time.Time                         { return time.Now() }
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (Real) Timer(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}

// Fake is a clock that moves only when told to (Advance, AdvanceToNext,
// AutoAdvance); timers fire when the time they wait for is reached.
type Fake struct {
	mu     sync.Mutex
	now    time.Time
	timers []fakeTimer
	// added is closed and replaced whenever a timer is added, so waiters
	// for timers block on it instead of polling.
	added chan struct{}
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

// Timer is After with a stop function that removes the pending timer.
func (f *Fake) Timer(d time.Duration) (<-chan time.Time, func()) {
	ch := f.After(d)
	return ch, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.timers = slices.DeleteFunc(f.timers, func(t fakeTimer) bool { return t.ch == ch })
	}
}

// NewFake returns a fake clock set to start.
func NewFake(start time.Time) *Fake { return &Fake{now: start, added: make(chan struct{})} }

func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- f.now
		return ch
	}
	f.timers = append(f.timers, fakeTimer{at: f.now.Add(d), ch: ch})
	close(f.added)
	f.added = make(chan struct{})
	return ch
}

// Advance moves the clock forward and fires every timer now due.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
	f.fireDue()
}

// AdvanceToNext moves the clock to the earliest pending timer and fires it
// (and any other timer due by then). It reports false when no timer is
// pending.
func (f *Fake) AdvanceToNext() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.timers) == 0 {
		return false
	}
	sort.Slice(f.timers, func(i, j int) bool { return f.timers[i].at.Before(f.timers[j].at) })
	if next := f.timers[0].at; next.After(f.now) {
		f.now = next
	}
	f.fireDue()
	return true
}

// fireDue fires the timers due at f.now. It must be called with f.mu held.
func (f *Fake) fireDue() {
	kept := f.timers[:0]
	for _, t := range f.timers {
		if t.at.After(f.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- f.now
	}
	f.timers = kept
}

// Waiters tells how many timers are pending, so a test can wait until the
// code under test is blocked on the clock before advancing it.
func (f *Fake) Waiters() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// waiters returns the number of pending timers and a channel closed when
// the next timer is added.
func (f *Fake) waiters() (int, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers), f.added
}

// WaitForWaiters blocks until at least n timers are pending, or ctx ends
// (its error is returned then).
func (f *Fake) WaitForWaiters(ctx context.Context, n int) error {
	for {
		pending, added := f.waiters()
		if pending >= n {
			return nil
		}
		select {
		case <-added:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// AutoAdvance jumps to the next deadline whenever a timer is pending, until
// ctx ends: waits (Wait states, retry intervals) then complete at once
// while Now reports the time they would have taken. Run it in its own
// goroutine. Work that arms a timer and then waits for something that is
// not the clock (a task's timeout while its invoker runs) times out at
// once, so use it with code that either answers before arming a timer or
// never answers (to test timeouts).
func (f *Fake) AutoAdvance(ctx context.Context) {
	for {
		pending, added := f.waiters()
		if pending > 0 {
			f.AdvanceToNext()
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-added:
		}
	}
}

// Package activity knows what the local cloud still has to do: work in
// progress (a request being served, an invocation running, an event or a
// stream record not yet delivered) and timers (a retry backoff, a batching
// window). From that it can tell when the cloud has settled: nothing is in
// progress and no timer is due before a given time, so nothing can happen
// before then unless someone outside acts.
//
// That is what lets a test end at once when the event it awaits cannot come
// any more, instead of waiting out its deadline (Tracker.WaitSettled), and
// it is what virtual time will jump on.
//
// Work and timers have an owner, taken from the context they start in
// (WithOwner): a waiter ignores what its own owners do. The test harness's
// state machine execution waits for the app's work to settle while its
// other branches run, so it ignores its own execution.
//
// The one rule that keeps the answer sound is the hand-over: whoever
// passes work on to another goroutine starts the next piece of work (Begin,
// Resume) before it ends its own, and a fired timer stays pending until the
// goroutine it woke has resumed its work and stopped the timer. Then there
// is no instant at which work in flight looks like none.
package activity

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// Tracker records the work and timers of one local cloud. Services built
// without one make their own (OrNew), which nobody waits on.
type Tracker struct {
	clk clock.Clock

	mu      sync.Mutex
	nextID  uint64
	works   map[uint64]*Work   // guarded by mu
	timers  map[uint64]*Timer  // guarded by mu
	waiters map[uint64]*Settle // guarded by mu: WhenSettled's, until they have acted
	change  chan struct{}      // guarded by mu: closed and replaced on every change
}

// OrNew returns t, or a new tracker on clk when t is nil.
func OrNew(t *Tracker, clk clock.Clock) *Tracker {
	if t != nil {
		return t
	}
	return New(clk)
}

// New returns a tracker whose timers run on clk.
func New(clk clock.Clock) *Tracker {
	return &Tracker{clk: clk, works: map[uint64]*Work{}, timers: map[uint64]*Timer{},
		waiters: map[uint64]*Settle{}, change: make(chan struct{})}
}

type ownerKey struct{}

// WithOwner returns ctx with the owner the work and timers started in it
// are recorded under (an execution ARN, say).
func WithOwner(ctx context.Context, owner string) context.Context {
	return context.WithValue(ctx, ownerKey{}, owner)
}

// OwnerOf returns the owner WithOwner put in ctx, or "".
func OwnerOf(ctx context.Context) string {
	o, _ := ctx.Value(ownerKey{}).(string)
	return o
}

// changed wakes the waiters. Must hold t.mu.
func (t *Tracker) changed() {
	close(t.change)
	t.change = make(chan struct{})
}

// Work is one piece of work in progress. Its methods are safe after Done.
type Work struct {
	t      *Tracker
	id     uint64
	owner  string
	what   string
	paused bool   // guarded by t.mu
	done   bool   // guarded by t.mu
	wakes  uint64 // guarded by t.mu: how often Resume was called
}

// Begin records work in progress, owned by ctx's owner; what says what it
// is ("lambda invocation", "eventbridge delivery") in Pending's answer.
func (t *Tracker) Begin(ctx context.Context, what string) *Work {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID++
	w := &Work{t: t, id: t.nextID, owner: OwnerOf(ctx), what: what}
	t.works[w.id] = w
	t.changed()
	return w
}

// Done ends the work.
func (w *Work) Done() {
	t := w.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if w.done {
		return
	}
	w.done = true
	delete(t.works, w.id)
	t.changed()
}

// Pause marks the work as waiting for something that is tracked on its own
// (a timer, a record not yet written): while paused it does not hold the
// cloud busy.
func (w *Work) Pause() { w.setPaused(true) }

// Resume marks paused work busy again. Whoever wakes paused work calls it
// before ending its own work (see the package comment); calling it again
// when the woken goroutine runs is harmless.
func (w *Work) Resume() {
	t := w.t
	t.mu.Lock()
	defer t.mu.Unlock()
	w.wakes++
	w.setPausedLocked(false)
}

// Sleep waits d on the tracker's clock with the work paused and the wait
// a timer the cloud knows (owned by ctx's owner), so a waiting retry or
// backoff holds the cloud busy only once it is due. The work is busy again
// before the timer stops pending (the hand-over). It reports false when
// ctx ended first.
func (w *Work) Sleep(ctx context.Context, d time.Duration, what string) bool {
	timer := w.t.NewTimer(ctx, d, what)
	defer timer.Stop()
	w.Pause()
	defer w.Resume()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// Wakes is how often the work was resumed. A consumer reads it before it
// looks for input, and pauses with PauseUnlessWoken(wakes) when it found
// none: if a producer resumed it in between, it does not pause.
func (w *Work) Wakes() uint64 {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	return w.wakes
}

// PauseUnlessWoken pauses the work unless Resume was called since Wakes
// returned since; it reports whether it paused.
func (w *Work) PauseUnlessWoken(since uint64) bool {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	if w.wakes != since {
		return false
	}
	w.setPausedLocked(true)
	return true
}

// Receive waits for a value from ch with w paused, for a goroutine that
// waits on others' work (an execution's branches, a stack's resources):
// each sender resumes w before it sends (the hand-over), so there is no
// instant at which both look idle. w is busy again when Receive returns.
func Receive[T any](w *Work, ch <-chan T) T {
	seen := w.Wakes()
	select {
	case v := <-ch:
		return v
	default:
	}
	w.PauseUnlessWoken(seen)
	v := <-ch
	w.Resume()
	return v
}

func (w *Work) setPaused(p bool) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	w.setPausedLocked(p)
}

// setPausedLocked must hold w.t.mu.
func (w *Work) setPausedLocked(p bool) {
	if w.done || w.paused == p {
		return
	}
	w.paused = p
	w.t.changed()
}

// Timer is a pending timer. It counts as pending from NewTimer until Stop,
// also after it fired: the goroutine it wakes resumes its work first and
// stops the timer then.
type Timer struct {
	// C receives the time once, when the timer fires.
	C <-chan time.Time

	t     *Tracker
	id    uint64
	owner string
	what  string
	due   time.Time
	stop  func()
	once  sync.Once
}

// NewTimer starts a timer of d on the tracker's clock, owned by ctx's
// owner.
func (t *Tracker) NewTimer(ctx context.Context, d time.Duration, what string) *Timer {
	c, stop := t.clk.Timer(d)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.nextID++
	tm := &Timer{C: c, t: t, id: t.nextID, owner: OwnerOf(ctx), what: what, due: t.clk.Now().Add(d), stop: stop}
	t.timers[tm.id] = tm
	t.changed()
	return tm
}

// Stop releases the timer; it is no longer pending and will not fire.
// Call it once the wait it served is over, whichever way it ended.
func (tm *Timer) Stop() {
	tm.once.Do(func() {
		tm.stop()
		tm.t.mu.Lock()
		defer tm.t.mu.Unlock()
		delete(tm.t.timers, tm.id)
		tm.t.changed()
	})
}

// Settle describes what a waiter waits for.
type Settle struct {
	// Until is the waiter's deadline: timers due at or after it cannot
	// change the waiter's verdict. Zero: every pending timer counts.
	Until time.Time
	// Ignore lists owners whose work and timers do not count (the waiter's
	// own execution).
	Ignore []string
}

// Pending lists what keeps the cloud from having settled for s, sorted;
// empty when it has settled.
func (t *Tracker) Pending(s Settle) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.pendingLocked(s)
}

// pendingLocked is Pending. Must hold t.mu.
func (t *Tracker) pendingLocked(s Settle) []string {
	var out []string
	for _, w := range t.works {
		if !w.paused && !slices.Contains(s.Ignore, w.owner) {
			out = append(out, w.what)
		}
	}
	for _, tm := range t.timers {
		if slices.Contains(s.Ignore, tm.owner) || (!s.Until.IsZero() && !tm.due.Before(s.Until)) {
			continue
		}
		out = append(out, fmt.Sprintf("%s timer due %s", tm.what, tm.due.UTC().Format(time.RFC3339Nano)))
	}
	sort.Strings(out)
	return out
}

// WaitSettled blocks until the cloud has settled for s — nothing in
// progress and no timer due before s.Until, ignoring s.Ignore's owners —
// and returns nil; or until s.Until has passed on the tracker's clock or
// ctx ends, returning an error that lists what was still pending.
func (t *Tracker) WaitSettled(ctx context.Context, s Settle) error {
	return t.WhenSettled(ctx, s, nil)
}

// WhenSettled is WaitSettled that acts once settled: act runs before the
// waiter stops counting as one, so whatever work act begins (invoking a
// function) is in progress before virtual time may jump past the moment
// the cloud settled. act is not run when an error is returned.
func (t *Tracker) WhenSettled(ctx context.Context, s Settle, act func()) error {
	var deadline <-chan time.Time
	if !s.Until.IsZero() {
		c, stop := t.clk.Timer(s.Until.Sub(t.clk.Now()))
		defer stop()
		deadline = c
	}
	t.mu.Lock()
	t.nextID++
	id := t.nextID
	t.waiters[id] = &s
	t.changed() // a settled waiter holds the clock: the driver must see it
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		delete(t.waiters, id)
		t.changed()
	}()
	for {
		t.mu.Lock()
		pending := t.pendingLocked(s)
		change := t.change
		t.mu.Unlock()
		if len(pending) == 0 {
			if act != nil {
				act()
			}
			return nil
		}
		select {
		case <-change:
		case <-deadline:
			return &NotSettledError{Pending: pending, Reason: "the deadline passed"}
		case <-ctx.Done():
			return &NotSettledError{Pending: pending, Reason: ctx.Err().Error()}
		}
	}
}

// NotSettledError says why WaitSettled returned before the cloud settled.
type NotSettledError struct {
	Pending []string
	Reason  string
}

func (e *NotSettledError) Error() string {
	return fmt.Sprintf("local cloud not settled (%s): %d pending: %v", e.Reason, len(e.Pending), e.Pending)
}

package activity

import (
	"context"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// virtualCloud is a tracker on a virtual clock with time running virtually.
func virtualCloud(t *testing.T) (*Tracker, *clock.Virtual) {
	t.Helper()
	v := clock.NewVirtual()
	tr := New(v)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go tr.RunVirtualTime(ctx, v)
	return tr, v
}

// waitUntil blocks until cond holds, looking again on every change of the
// tracker's state.
func waitUntil(tr *Tracker, cond func() bool) {
	for {
		tr.mu.Lock()
		change := tr.change
		tr.mu.Unlock()
		if cond() {
			return
		}
		<-change
	}
}

func TestVirtualTimePlaysBackoffsOutAtOnce(t *testing.T) {
	tr, v := virtualCloud(t)
	start := v.Now()
	wallStart := time.Now()
	w := tr.Begin(context.Background(), "async event")
	for _, backoff := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute} {
		if !w.Sleep(context.Background(), backoff, "retry") {
			t.Fatal("Sleep ended without its timer")
		}
	}
	w.Done()
	if got := v.Now().Sub(start); got < 7*time.Minute {
		t.Fatalf("the clock moved %v over backoffs of 7 minutes", got)
	}
	if wall := time.Since(wallStart); wall > time.Minute {
		t.Fatalf("the backoffs took %v of wall time", wall)
	}
}

func TestVirtualTimeDoesNotJumpWhileWorkIsBusy(t *testing.T) {
	tr, v := virtualCloud(t)
	start := v.Now()
	sleeper := tr.Begin(context.Background(), "retry")
	woke := make(chan time.Time, 1)
	go func() {
		sleeper.Sleep(context.Background(), time.Hour, "retry")
		woke <- v.Now()
		sleeper.Done()
	}()
	busy := tr.Begin(context.Background(), "invocation")
	waitUntil(tr, func() bool { return len(tr.Pending(Settle{})) == 2 }) // the invocation and the retry's timer
	select {
	case at := <-woke:
		t.Fatalf("the clock jumped to %v while an invocation was in progress", at)
	default:
	}
	busy.Done()
	if at := <-woke; at.Sub(start) < time.Hour {
		t.Fatalf("woke at +%v, before its hour", at.Sub(start))
	}
}

func TestSettledWaiterActsBeforeTheClockJumps(t *testing.T) {
	tr, v := virtualCloud(t)
	start := v.Now()
	// A retry due after the waiter's deadline cannot change its verdict,
	// so the waiter is settled once the retry waits; the clock must not
	// jump to the retry before the waiter's own work (a diagnosis) has
	// begun. The gate keeps the cloud busy until the waiter is waiting:
	// had the cloud settled before, jumping to the retry would be right.
	gate := tr.Begin(context.Background(), "gate")
	retry := tr.Begin(context.Background(), "retry")
	go func() {
		retry.Sleep(context.Background(), 10*time.Minute, "retry")
		retry.Done()
	}()
	go func() {
		waitUntil(tr, func() bool {
			tr.mu.Lock()
			defer tr.mu.Unlock()
			return len(tr.waiters) == 1
		})
		gate.Done()
	}()
	var actedAt time.Time
	var diagnosis *Work
	err := tr.WhenSettled(context.Background(), Settle{Until: start.Add(5 * time.Minute)}, func() {
		actedAt = v.Now()
		diagnosis = tr.Begin(context.Background(), "diagnosis")
	})
	if err != nil {
		t.Fatal(err)
	}
	if pending := tr.Pending(Settle{}); len(pending) != 2 {
		t.Fatalf("pending %v once the waiter acted, want the retry's timer and the diagnosis", pending)
	}
	if actedAt.Sub(start) >= 10*time.Minute {
		t.Fatalf("the waiter acted at +%v, after the clock jumped to the retry", actedAt.Sub(start))
	}
	if got := v.Now().Sub(start); got >= 10*time.Minute {
		t.Fatalf("the clock jumped to +%v while the diagnosis was in progress", got)
	}
	diagnosis.Done()
	if err := tr.WaitSettled(context.Background(), Settle{}); err != nil {
		t.Fatal(err)
	}
	if got := v.Now().Sub(start); got < 10*time.Minute {
		t.Fatalf("settled at +%v, before the retry's time", got)
	}
}

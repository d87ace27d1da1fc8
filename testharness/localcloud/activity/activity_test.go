package activity

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// settledNow reports whether WaitSettled returns at once, without waiting:
// a context already cancelled makes it answer from what is pending now.
func settledNow(tr *Tracker, s Settle) (bool, []string) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var ns *NotSettledError
	if err := tr.WaitSettled(ctx, s); errors.As(err, &ns) {
		return false, ns.Pending
	}
	return true, nil
}

func TestWorkHoldsTheCloudBusyUntilDone(t *testing.T) {
	tr := New(clock.NewFake(t0))
	w := tr.Begin(context.Background(), "delivery")
	if ok, pending := settledNow(tr, Settle{}); ok || len(pending) != 1 || pending[0] != "delivery" {
		t.Fatalf("with work in progress: settled %v, pending %v", ok, pending)
	}
	w.Done()
	w.Done() // twice is harmless
	if ok, pending := settledNow(tr, Settle{}); !ok {
		t.Fatalf("after Done: pending %v", pending)
	}
}

func TestPausedWorkDoesNotHoldTheCloudBusy(t *testing.T) {
	tr := New(clock.NewFake(t0))
	w := tr.Begin(context.Background(), "pipe")
	w.Pause()
	if ok, pending := settledNow(tr, Settle{}); !ok {
		t.Fatalf("paused work: pending %v", pending)
	}
	w.Resume()
	if ok, _ := settledNow(tr, Settle{}); ok {
		t.Fatal("resumed work must hold the cloud busy")
	}
}

func TestPauseUnlessWokenDoesNotMissAWakeUp(t *testing.T) {
	tr := New(clock.NewFake(t0))
	w := tr.Begin(context.Background(), "pipe")
	seen := w.Wakes()
	w.Resume() // a writer appends between the consumer's look and its pause
	if w.PauseUnlessWoken(seen) {
		t.Fatal("paused although woken since the consumer looked")
	}
	if ok, _ := settledNow(tr, Settle{}); ok {
		t.Fatal("the cloud settled with a record not yet read")
	}
	if !w.PauseUnlessWoken(w.Wakes()) {
		t.Fatal("did not pause with nothing new")
	}
}

func TestTimersCountOnlyBeforeUntil(t *testing.T) {
	clk := clock.NewFake(t0)
	tr := New(clk)
	retry := tr.NewTimer(context.Background(), time.Minute, "lambda retry")
	defer retry.Stop()
	if ok, pending := settledNow(tr, Settle{Until: t0.Add(30 * time.Second)}); !ok {
		t.Fatalf("a retry due after until must not count: %v", pending)
	}
	if ok, _ := settledNow(tr, Settle{Until: t0.Add(2 * time.Minute)}); ok {
		t.Fatal("a retry due before until must count")
	}
	if ok, _ := settledNow(tr, Settle{}); ok {
		t.Fatal("with no until every timer counts")
	}
}

func TestAFiredTimerCountsUntilStopped(t *testing.T) {
	clk := clock.NewFake(t0)
	tr := New(clk)
	w := tr.Begin(context.Background(), "retrying event")
	tm := tr.NewTimer(context.Background(), time.Second, "backoff")
	w.Pause()
	clk.Advance(time.Second)
	<-tm.C
	// Between the timer firing and the woken goroutine resuming its work,
	// the fired timer keeps the cloud busy.
	if ok, _ := settledNow(tr, Settle{Until: t0.Add(time.Hour)}); ok {
		t.Fatal("settled between a timer firing and its work resuming")
	}
	w.Resume()
	tm.Stop()
	w.Done()
	if ok, pending := settledNow(tr, Settle{Until: t0.Add(time.Hour)}); !ok {
		t.Fatalf("pending %v", pending)
	}
}

func TestIgnoredOwnersDoNotCount(t *testing.T) {
	tr := New(clock.NewFake(t0))
	own := WithOwner(context.Background(), "arn:execution:harness")
	w := tr.Begin(own, "execution")
	defer w.Done()
	tm := tr.NewTimer(own, time.Second, "await timeout")
	defer tm.Stop()
	if ok, pending := settledNow(tr, Settle{Until: t0.Add(time.Hour), Ignore: []string{"arn:execution:harness"}}); !ok {
		t.Fatalf("the waiter's own work counted: %v", pending)
	}
	if ok, _ := settledNow(tr, Settle{Until: t0.Add(time.Hour), Ignore: []string{"arn:execution:other"}}); ok {
		t.Fatal("another owner's work must count")
	}
}

func TestWaitSettledWakesWhenTheLastWorkEnds(t *testing.T) {
	tr := New(clock.Real{})
	w := tr.Begin(context.Background(), "invocation")
	done := make(chan error, 1)
	go func() { done <- tr.WaitSettled(context.Background(), Settle{Until: time.Now().Add(time.Hour)}) }()
	w.Done()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestWaitSettledGivesUpAtUntil(t *testing.T) {
	clk := clock.NewFake(t0)
	tr := New(clk)
	w := tr.Begin(context.Background(), "long poll")
	defer w.Done()
	done := make(chan error, 1)
	go func() { done <- tr.WaitSettled(context.Background(), Settle{Until: t0.Add(time.Minute)}) }()
	if err := clk.WaitForWaiters(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	var ns *NotSettledError
	if err := <-done; !errors.As(err, &ns) || len(ns.Pending) != 1 || ns.Pending[0] != "long poll" {
		t.Fatalf("at until: %v", err)
	}
}

func TestSleepPausesTheWorkUntilItsTimerFires(t *testing.T) {
	clk := clock.NewFake(t0)
	tr := New(clk)
	w := tr.Begin(context.Background(), "retrying event")
	defer w.Done()
	woke := make(chan bool, 1)
	go func() { woke <- w.Sleep(context.Background(), time.Minute, "retry") }()
	// Sleep arms its timer before it pauses the work (the hand-over), so
	// wait for the pause; a sleep that never paused fails the test's timeout.
	waitUntil(tr, func() bool { ok, _ := settledNow(tr, Settle{Until: t0.Add(30 * time.Second)}); return ok })
	if ok, _ := settledNow(tr, Settle{Until: t0.Add(2 * time.Minute)}); ok {
		t.Fatal("a sleep due before until must count")
	}
	clk.Advance(time.Minute)
	if !<-woke {
		t.Fatal("Sleep reported its context ended")
	}
	if ok, _ := settledNow(tr, Settle{}); ok {
		t.Fatal("the work must be busy again after Sleep")
	}
}

func TestReceivePausesTheWaiterUntilASenderHandsOver(t *testing.T) {
	tr := New(clock.NewFake(t0))
	waiter := tr.Begin(context.Background(), "parent")
	sender := tr.Begin(context.Background(), "branch")
	ch := make(chan int, 1)
	got := make(chan int, 1)
	go func() { got <- Receive(waiter, ch) }()
	waitUntil(tr, func() bool { return len(tr.Pending(Settle{})) == 1 }) // the waiter paused
	if pending := tr.Pending(Settle{}); pending[0] != "branch" {
		t.Fatalf("while waiting: pending %v, want only the sender", pending)
	}
	waiter.Resume() // the hand-over: resumed before the send, before the sender's work ends
	ch <- 7
	sender.Done()
	if v := <-got; v != 7 {
		t.Fatalf("Receive = %d", v)
	}
	if pending := tr.Pending(Settle{}); len(pending) != 1 || pending[0] != "parent" {
		t.Fatalf("after Receive: pending %v, want the waiter busy again", pending)
	}
}

package clock

import (
	"context"
	"testing"
	"time"
)

var t0 = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func fired(ch <-chan time.Time) (time.Time, bool) {
	select {
	case at := <-ch:
		return at, true
	default:
		return time.Time{}, false
	}
}

func TestFakeAdvanceFiresDueTimers(t *testing.T) {
	f := NewFake(t0)
	soon, later := f.After(time.Second), f.After(time.Minute)
	f.Advance(2 * time.Second)
	if at, ok := fired(soon); !ok || !at.Equal(t0.Add(2*time.Second)) {
		t.Fatalf("the 1s timer: fired %v at %v", ok, at)
	}
	if _, ok := fired(later); ok || f.Waiters() != 1 {
		t.Fatalf("the 1m timer fired early (%d waiters)", f.Waiters())
	}
}

func TestFakeAdvanceToNext(t *testing.T) {
	f := NewFake(t0)
	later, soon := f.After(time.Minute), f.After(time.Second)
	if !f.AdvanceToNext() || !f.Now().Equal(t0.Add(time.Second)) {
		t.Fatalf("now %v, want the earliest deadline", f.Now())
	}
	if _, ok := fired(soon); !ok {
		t.Fatal("the earliest timer did not fire")
	}
	if _, ok := fired(later); ok {
		t.Fatal("the later timer fired")
	}
	if !f.AdvanceToNext() || !f.Now().Equal(t0.Add(time.Minute)) || f.AdvanceToNext() {
		t.Fatalf("now %v after the last timer; AdvanceToNext must then report false", f.Now())
	}
}

func TestFakeWaitForWaiters(t *testing.T) {
	f := NewFake(t0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go func() { f.After(time.Second); f.After(time.Second) }()
	if err := f.WaitForWaiters(ctx, 2); err != nil || f.Waiters() < 2 {
		t.Fatalf("WaitForWaiters: %v with %d waiters", err, f.Waiters())
	}
	short, stop := context.WithCancel(context.Background())
	stop()
	if err := f.WaitForWaiters(short, 3); err != context.Canceled {
		t.Fatalf("WaitForWaiters on an ended context: %v", err)
	}
}

func TestFakeAutoAdvance(t *testing.T) {
	f := NewFake(t0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.AutoAdvance(ctx)
	select {
	case at := <-f.After(time.Hour):
		if !at.Equal(t0.Add(time.Hour)) {
			t.Fatalf("fired at %v", at)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("AutoAdvance did not fire the timer")
	}
}

func TestVirtualAdvanceToFiresDueTimersAndRearmsTheRest(t *testing.T) {
	v := NewVirtual()
	start := v.Now()
	soon, _ := v.Timer(time.Minute)
	later, _ := v.Timer(time.Hour)
	stopped, stop := v.Timer(2 * time.Minute)
	stop()
	v.AdvanceTo(start.Add(5 * time.Minute))
	if at, ok := fired(soon); !ok || at.Sub(start.Add(time.Minute)).Abs() > time.Second {
		t.Fatalf("the 1m timer: fired %v at %v, want at its due time %v", ok, at, start.Add(time.Minute))
	}
	if _, ok := fired(stopped); ok {
		t.Fatal("a stopped timer fired")
	}
	if _, ok := fired(later); ok {
		t.Fatal("the 1h timer fired 55 minutes early")
	}
	if off := v.Offset(); off < 5*time.Minute-time.Second || off > 5*time.Minute {
		t.Fatalf("offset %v after jumping 5 minutes ahead", off)
	}
	if now := v.Now(); now.Before(start.Add(5 * time.Minute)) {
		t.Fatalf("now %v, before the time jumped to", now)
	}
	v.AdvanceTo(start) // never back
	if now := v.Now(); now.Before(start.Add(5 * time.Minute)) {
		t.Fatalf("now %v went back", now)
	}
	v.AdvanceTo(start.Add(time.Hour + time.Second))
	if _, ok := fired(later); !ok {
		t.Fatal("the 1h timer did not fire when the clock reached it")
	}
}

func TestVirtualTimersFireOnTheWallClockToo(t *testing.T) {
	v := NewVirtual()
	v.AdvanceTo(v.Now().Add(time.Hour))
	select {
	case <-v.After(time.Millisecond):
	case <-time.After(10 * time.Second):
		t.Fatal("a 1ms timer did not fire as the wall clock passed it")
	}
}

package clock

import (
	"sync"
	"time"
)

// Virtual is the wall clock plus an offset that only grows: time passes as
// it does outside, and whoever knows that nothing can happen before a
// given time (the local cloud, once it has settled) jumps the clock to it
// with AdvanceTo. Timers fire when the clock reaches them either way.
//
// Between jumps a Virtual clock runs at the wall clock's pace, so code
// that reads the wall clock while no jump happens (a function process
// during one invocation) is off by exactly Offset.
type Virtual struct {
	mu     sync.Mutex
	offset time.Duration              // guarded by mu
	timers map[*virtualTimer]struct{} // guarded by mu
}

type virtualTimer struct {
	due  time.Time
	ch   chan time.Time
	wall *time.Timer // fires the timer when the wall clock gets there
}

// NewVirtual returns a virtual clock that starts at the wall clock's time.
func NewVirtual() *Virtual { return &Virtual{timers: map[*virtualTimer]struct{}{}} }

func (v *Virtual) Now() time.Time {
	v.mu.Lock()
	defer v.mu.Unlock()
	return time.Now().Add(v.offset)
}

// Offset is how far the clock is ahead of the wall clock.
func (v *Virtual) Offset() time.Duration {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.offset
}

func (v *Virtual) After(d time.Duration) <-chan time.Time {
	c, _ := v.Timer(d)
	return c
}

func (v *Virtual) Timer(d time.Duration) (<-chan time.Time, func()) {
	v.mu.Lock()
	defer v.mu.Unlock()
	tm := &virtualTimer{due: time.Now().Add(v.offset + d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		tm.ch <- tm.due
		return tm.ch, func() {}
	}
	v.timers[tm] = struct{}{}
	tm.wall = time.AfterFunc(d, func() { v.fire(tm) })
	return tm.ch, func() { v.stop(tm) }
}

// fire sends the timer's time unless it was stopped or fired already.
func (v *Virtual) fire(tm *virtualTimer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fireLocked(tm)
}

// fireLocked must hold v.mu.
func (v *Virtual) fireLocked(tm *virtualTimer) {
	if _, ok := v.timers[tm]; !ok {
		return
	}
	delete(v.timers, tm)
	tm.wall.Stop()
	tm.ch <- tm.due
}

func (v *Virtual) stop(tm *virtualTimer) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.timers[tm]; ok {
		delete(v.timers, tm)
		tm.wall.Stop()
	}
}

// AdvanceTo jumps the clock forward to t (never back) and fires the timers
// due by then; the others are rearmed to fire as much sooner on the wall
// clock as the clock jumped.
func (v *Virtual) AdvanceTo(t time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	wall := time.Now()
	if jump := t.Sub(wall.Add(v.offset)); jump > 0 {
		v.offset += jump
	}
	now := wall.Add(v.offset)
	for tm := range v.timers {
		if tm.due.After(now) {
			tm.wall.Reset(tm.due.Sub(now))
			continue
		}
		v.fireLocked(tm)
	}
}

// OffsetOf is how far c is ahead of the wall clock that clients (function
// processes among them) read: a Virtual clock's offset, else zero. The
// cloud adds it to the timestamps clients send (log events, trace
// segments), so that they line up with what the cloud stamps itself.
func OffsetOf(c Clock) time.Duration {
	if v, ok := c.(*Virtual); ok {
		return v.Offset()
	}
	return 0
}

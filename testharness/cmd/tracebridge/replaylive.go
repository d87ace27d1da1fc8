package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// maxStreamRecord bounds one record of the console's stream: an
// invocation with its log lines is the largest (observe's caps).
const maxStreamRecord = 4 << 20

// followLive prints each hop of the replay's events — rules matched,
// deliveries and their retries, invocations and Lambda's retries, dead
// letters, the app's events that came of it — as the cloud records them,
// from the console's live stream of the history after seq. It ends once
// the cloud has settled (nothing in progress, no retry or timer due at
// all: the cloud's settled answer, not a deadline), or when ctx ends;
// either way it returns the records it saw, for the closing summary.
//
// While only retries are left it says on stderr which comes next and
// when: on real time they take as long as AWS's retry policies do.
func followLive(ctx context.Context, h history, endpoint string, seq uint64, replay string, stdout, stderr io.Writer) ([]observe.Record, error) {
	f := &hops{replay: replay, out: stdout, last: seq, number: map[string]int{}, byInvocation: map[string]int{},
		byTrace: map[string]int{}, due: map[string]dueRetry{}}
	streamCtx, stopStream := context.WithCancel(ctx)
	defer stopStream()
	items := make(chan streamItem)
	go h.stream(streamCtx, seq, items)
	settled := make(chan error, 1)
	go func() {
		ok, err := testharness.WaitSettled(ctx, h.client, endpoint, time.Time{})
		if err == nil && !ok {
			err = errors.New("the local cloud answered that it has not settled")
		}
		settled <- err
	}()
	var waiting dueRetry
	for {
		select {
		case it := <-items:
			if it.err != nil {
				return f.records, it.err
			}
			if it.rec != nil {
				f.add(*it.rec)
				continue
			}
			// A batch ended: the stream has caught up with the cloud.
			if next, ok := f.next(); ok && next != waiting {
				waiting = next
				fmt.Fprintf(stderr, "waiting for %s\n", next.describe(f.now))
			}
		case err := <-settled:
			if err != nil {
				return f.records, fmt.Errorf("follow replay %s: %w", replay, err)
			}
			// Everything was recorded before the cloud settled; the
			// stream may not have brought it all yet.
			stopStream()
			rest, err := h.since(ctx, f.last)
			if err != nil {
				return f.records, err
			}
			for _, rec := range rest {
				f.add(rec)
			}
			fmt.Fprintln(stderr, "the local cloud has settled: nothing is in progress or due in it")
			return f.records, nil
		case <-ctx.Done():
			what := "nothing the history shows"
			if next, ok := f.next(); ok {
				what = next.describe(f.now)
			}
			return f.records, fmt.Errorf("stopped following replay %s (%w) while waiting for %s; the replay goes on in the local cloud", replay, context.Cause(ctx), what)
		}
	}
}

// streamItem is a record of the console's stream, the end of a batch
// (rec nil), or the stream's failure.
type streamItem struct {
	rec *observe.Record
	err error
}

// stream sends the records after seq from the console's live stream
// (server-sent events) to items, and a batch's end at every "id:" line,
// until ctx ends.
func (h history) stream(ctx context.Context, seq uint64, items chan<- streamItem) {
	send := func(it streamItem) bool {
		select {
		case items <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+"api/stream?after="+strconv.FormatUint(seq, 10), nil)
	if err != nil {
		send(streamItem{err: err})
		return
	}
	resp, err := h.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			send(streamItem{err: fmt.Errorf("follow the local cloud's history: %w", err)})
		}
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		send(streamItem{err: fmt.Errorf("follow the local cloud's history: %s answered %s", h.base, resp.Status)})
		return
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(make([]byte, 64<<10), maxStreamRecord)
	for lines.Scan() {
		line := lines.Text()
		var it streamItem
		switch {
		case strings.HasPrefix(line, "data: {"):
			var rec observe.Record
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &rec); err != nil {
				it.err = fmt.Errorf("decode a record of the local cloud's history: %w", err)
			} else {
				it.rec = &rec
			}
		case strings.HasPrefix(line, "id: "):
		default:
			continue // event names, blank lines, trace notices
		}
		if !send(it) || it.err != nil {
			return
		}
	}
	if ctx.Err() == nil {
		err := lines.Err()
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		send(streamItem{err: fmt.Errorf("follow the local cloud's history: the stream ended: %w", err)})
	}
}

// hops tells a replay's story as its records arrive.
type hops struct {
	replay string
	out    io.Writer
	// records are those seen, last the newest's sequence number, now its
	// time: the cloud's clock as far as the history tells.
	records []observe.Record
	last    uint64
	now     time.Time

	number       map[string]int      // replayed event id → its number, from 1
	byInvocation map[string]int      // a Lambda target's request id → event number
	byTrace      map[string]int      // trace id → the latest event number it belongs to
	due          map[string]dueRetry // by event and target: the retry that comes next
}

// dueRetry is a retry the cloud has scheduled.
type dueRetry struct {
	event     int
	who       string // "EventBridge" or "Lambda"
	target    string
	retry, of int
	at        time.Time
}

func (d dueRetry) describe(now time.Time) string {
	return fmt.Sprintf("%s retry %d of %d of event %d to %s at %s (in %s)", d.who, d.retry, d.of, d.event, d.target,
		d.at.Format("15:04:05.000"), max(d.at.Sub(now), 0).Round(time.Millisecond))
}

// schedule records a retry still to come under key (its event and target)
// and says it: "retry 1 of 3 scheduled at 12:03:10.123".
func (f *hops) schedule(key string, d dueRetry) string {
	f.due[key] = d
	return fmt.Sprintf("retry %d of %d scheduled at %s", d.retry, d.of, d.at.UTC().Format("15:04:05.000"))
}

// next is the earliest retry still to come.
func (f *hops) next() (dueRetry, bool) {
	var first dueRetry
	for _, d := range f.due {
		if first.at.IsZero() || d.at.Before(first.at) {
			first = d
		}
	}
	return first, !first.at.IsZero()
}

// add takes the next record and prints what it tells of the replay.
func (f *hops) add(rec observe.Record) {
	if rec.Seq <= f.last {
		return // the stream and the closing read overlap
	}
	f.records = append(f.records, rec)
	f.last, f.now = rec.Seq, rec.Time
	switch {
	case rec.Kind == observe.KindEvent && rec.Event.Replay == f.replay:
		f.event(rec)
	case rec.Kind == observe.KindDelivery:
		if n := f.number[rec.Delivery.EventID]; n > 0 {
			f.delivery(rec, n)
		}
	case rec.Kind == observe.KindInvocation:
		if n := f.byInvocation[rec.Invocation.RequestID]; n > 0 {
			f.invocation(rec, n)
		}
	case rec.Kind == observe.KindEvent && rec.Event.Replay == "" && rec.Event.Source == schemas.AppEventSource:
		if n := f.byTrace[rec.TraceID]; n > 0 {
			f.printf(rec, n, "came of it: %s (event %s, trace %s)", rec.Event.DetailType, rec.Event.ID, rec.TraceID)
		}
	}
}

func (f *hops) printf(rec observe.Record, n int, format string, args ...any) {
	fmt.Fprintf(f.out, "%s  event %d  %s\n", rec.Time.UTC().Format("15:04:05.000"), n, fmt.Sprintf(format, args...))
}

func (f *hops) own(trace string, n int) {
	if trace != "" {
		f.byTrace[trace] = n
	}
}

func (f *hops) event(rec observe.Record) {
	e := rec.Event
	n := len(f.number) + 1
	f.number[e.ID] = n
	f.own(rec.TraceID, n)
	rules := "matched no rule (no enabled rule on its bus)"
	switch {
	case len(e.Matched) > 0:
		rules = "rules matched " + namesOr(e.Matched, "")
	case len(e.Unmatched) > 0:
		rules = "matched no rule (not " + namesOr(e.Unmatched, "") + ")"
	}
	f.printf(rec, n, "%s from %s (id %s): %s", e.DetailType, e.Source, e.ID, rules)
}

// attempts counts attempts in words.
func attempts(n int) string {
	if n == 1 {
		return "1 attempt"
	}
	return strconv.Itoa(n) + " attempts"
}

// attemptName names the n-th attempt: the first, or retry n-1.
func attemptName(n int) string {
	if n <= 1 {
		return "the first attempt"
	}
	return "retry " + strconv.Itoa(n-1)
}

func (f *hops) delivery(rec observe.Record, n int) {
	d := rec.Delivery
	if d.InvocationID != "" {
		f.byInvocation[d.InvocationID] = n
	}
	key := strconv.Itoa(n) + " " + d.Rule + " " + d.TargetID
	delete(f.due, key)
	to := fmt.Sprintf("→ %s (rule %s): ", lastPart(d.Target), lastPart(d.Rule))
	switch d.Outcome {
	case observe.Retrying:
		line := to + fate(*d)
		if d.RetryAt != nil {
			line += "; " + f.schedule(key, dueRetry{event: n, who: "EventBridge", target: lastPart(d.Target), retry: d.Attempt, of: d.MaxRetries, at: *d.RetryAt})
		}
		f.printf(rec, n, "%s", line)
	default: // the last attempt's failure is followed by where the event went
		f.printf(rec, n, "%s%s", to, fate(*d))
	}
}

func (f *hops) invocation(rec observe.Record, n int) {
	inv := rec.Invocation
	f.own(rec.TraceID, n)
	fn := lastPart(inv.Function)
	attempt := 1
	if inv.Retry != nil {
		attempt = inv.Retry.Attempt
	}
	key := strconv.Itoa(n) + " " + inv.RequestID
	delete(f.due, key)
	on := ""
	if attempt > 1 {
		on = " on Lambda's " + attemptName(attempt)
	}
	if inv.ErrorType == "" {
		f.printf(rec, n, "%s ran%s: ok in %.1f ms", fn, on, inv.Duration)
		return
	}
	line := fmt.Sprintf("%s ran%s: failed %s", fn, on, inv.ErrorType)
	switch r := inv.Retry; {
	case r == nil:
	case r.RetryAt != nil:
		line += "; Lambda " + f.schedule(key, dueRetry{event: n, who: "Lambda", target: fn, retry: r.Attempt, of: r.MaxRetries, at: *r.RetryAt})
	case r.OnFailure != "":
		line += fmt.Sprintf("; Lambda gave up after %s, the event's record goes to %s", attempts(r.Attempt), lastPart(r.OnFailure))
	default:
		line += fmt.Sprintf("; Lambda gave up after %s and dropped the event (the function has no on-failure destination)", attempts(r.Attempt))
	}
	f.printf(rec, n, "%s", line)
}

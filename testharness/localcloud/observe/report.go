package observe

import (
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// TraceRoot is the Root of an X-Amzn-Trace-Id header, "" when there is
// none or it does not parse.
func TraceRoot(header string) string {
	h, err := traceheader.Parse(header)
	if err != nil {
		return ""
	}
	return h.Root
}

// Cut shortens s to at most n bytes, on a rune boundary, marking the cut
// with "…".
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// LogLine keeps a line a function wrote to a log stream until the
// invocation running in that stream's process ends (Invocation): a
// process runs one invocation at a time, so the lines of its stream
// between two ends are the later invocation's.
func (r *Recorder) LogLine(stream, line string) {
	if r == nil {
		return
	}
	r.logMu.Lock()
	defer r.logMu.Unlock()
	p := r.pending[stream]
	if p == nil {
		if len(r.pending) >= maxPendingStreams {
			// Streams whose process ended without an invocation ending
			// (a failed start) are forgotten wholesale; rare.
			clear(r.pending)
		}
		p = &pendingLines{}
		r.pending[stream] = p
	}
	if len(p.lines) == MaxInvocationLines {
		p.dropped++
		return
	}
	p.lines = append(p.lines, Cut(line, MaxLineBytes))
}

// Invocation records an ended invocation with the lines its log stream
// got since the previous invocation in it ended.
func (r *Recorder) Invocation(traceID, stream string, inv Invocation) {
	if r == nil {
		return
	}
	r.logMu.Lock()
	if p := r.pending[stream]; p != nil {
		inv.Logs, inv.LogsDropped = p.lines, p.dropped
		delete(r.pending, stream)
	}
	r.logMu.Unlock()
	if inv.Logs == nil {
		inv.Logs = []string{}
	}
	r.Add(Record{Kind: KindInvocation, TraceID: traceID, Invocation: &inv})
}

// Event records an event matched against its bus's rules.
func (r *Recorder) Event(traceID string, e Event) {
	if r == nil {
		return
	}
	e.Detail = Cut(e.Detail, MaxDetailBytes)
	if e.Matched == nil {
		e.Matched = []string{}
	}
	if e.Unmatched == nil {
		e.Unmatched = []string{}
	}
	r.Add(Record{Kind: KindEvent, TraceID: traceID, Event: &e})
}

// Delivery records an attempt to deliver an event to a target.
func (r *Recorder) Delivery(traceID string, d Delivery) {
	if r == nil {
		return
	}
	d.ErrorMessage = Cut(d.ErrorMessage, MaxLineBytes)
	r.Add(Record{Kind: KindDelivery, TraceID: traceID, Delivery: &d})
}

// StreamRecord records a stream record a pipe read.
func (r *Recorder) StreamRecord(s StreamRecord) {
	if r == nil {
		return
	}
	s.Keys = Cut(s.Keys, MaxLineBytes)
	r.Add(Record{Kind: KindStreamRecord, StreamRecord: &s})
}

// Denial records a request IAM refused.
func (r *Recorder) Denial(traceID string, d Denial) {
	if r == nil {
		return
	}
	d.Message = Cut(d.Message, MaxLineBytes)
	r.Add(Record{Kind: KindDenial, TraceID: traceID, Denial: &d})
}

// Fault records an injected fault's hit.
func (r *Recorder) Fault(traceID string, f Fault) {
	if r == nil {
		return
	}
	r.Add(Record{Kind: KindFault, TraceID: traceID, Fault: &f})
}

// TestRun records a run of the test suite.
func (r *Recorder) TestRun(t TestRun) {
	if r == nil {
		return
	}
	t.Results = append([]TestResult{}, t.Results...) // the caller's stay as they are
	for i := range t.Results {
		t.Results[i].Reason = Cut(t.Results[i].Reason, MaxDetailBytes)
	}
	r.Add(Record{Kind: KindTestRun, TestRun: &t})
}

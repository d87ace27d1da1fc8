package observe

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

func decode(t *testing.T, docs []json.RawMessage) []Record {
	t.Helper()
	out := make([]Record, len(docs))
	for i, d := range docs {
		if err := json.Unmarshal(d, &out[i]); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
	return out
}

func seqs(recs []Record) []uint64 {
	var out []uint64
	for _, r := range recs {
		out = append(out, r.Seq)
	}
	return out
}

func TestHistoryKeepsTheNewestWithinTheRecordCap(t *testing.T) {
	r := New(Options{MaxRecords: 3})
	for i := range 5 {
		r.Event("", Event{ID: fmt.Sprint(i)})
	}
	page := r.Find(Query{Limit: 10})
	if got := seqs(decode(t, page.Records)); fmt.Sprint(got) != "[3 4 5]" {
		t.Errorf("held %v, want [3 4 5]", got)
	}
	if st := r.Stats(); st.Records != 3 || st.Dropped != 2 || page.First != 3 || page.Last != 5 {
		t.Errorf("stats %+v, page first %d last %d", st, page.First, page.Last)
	}
}

func TestHistoryKeepsWithinTheByteCap(t *testing.T) {
	r := New(Options{MaxBytes: 4 << 10})
	big := strings.Repeat("x", 1000)
	for range 20 {
		r.Event("", Event{Detail: big})
	}
	st := r.Stats()
	if st.Bytes > 4<<10 || st.Records == 0 || st.Records >= 20 {
		t.Errorf("stats %+v: want under 4 KiB, some records kept", st)
	}
}

func TestFindPagesBackwardAndForwardWithFilters(t *testing.T) {
	r := New(Options{})
	for i := range 10 {
		trace := "1-00000000-00000000000000000000000a"
		if i%2 == 1 {
			trace = "1-00000000-00000000000000000000000b"
		}
		r.Event(trace, Event{ID: fmt.Sprint("e", i), Detail: fmt.Sprintf(`{"correlationId":"c-%d"}`, i)})
		r.Denial("", Denial{Service: "s3"})
	}
	newest := r.Find(Query{Kinds: []Kind{KindEvent}, Limit: 3})
	if got := seqs(decode(t, newest.Records)); fmt.Sprint(got) != "[15 17 19]" || !newest.More {
		t.Errorf("newest events %v more %v, want [15 17 19] and more", got, newest.More)
	}
	older := r.Find(Query{Kinds: []Kind{KindEvent}, Before: 15, Limit: 3})
	if got := seqs(decode(t, older.Records)); fmt.Sprint(got) != "[9 11 13]" {
		t.Errorf("events before 15: %v", got)
	}
	after := r.Find(Query{Forward: true, After: 16, Limit: 100})
	if got := seqs(decode(t, after.Records)); fmt.Sprint(got) != "[17 18 19 20]" || after.More || after.Newest != 20 {
		t.Errorf("after 16: %v more %v", got, after.More)
	}
	byTrace := r.Find(Query{TraceID: "1-00000000-00000000000000000000000b"})
	if len(byTrace.Records) != 5 {
		t.Errorf("trace b: %d records, want 5", len(byTrace.Records))
	}
	byText := decode(t, r.Find(Query{Text: `c-7\"`}).Records)
	if len(byText) != 1 || byText[0].Event.ID != "e7" {
		t.Errorf("text c-7: %+v", byText)
	}
}

func TestChangedWakesOnTheNextRecord(t *testing.T) {
	r := New(Options{})
	changed := r.Changed()
	select {
	case <-changed:
		t.Fatal("changed before anything was added")
	default:
	}
	r.Fault("", Fault{ID: "f-1"})
	select {
	case <-changed:
	default:
		t.Fatal("not woken by Add")
	}
}

func TestInvocationCarriesTheLinesOfItsStream(t *testing.T) {
	r := New(Options{Now: func() time.Time { return time.Unix(100, 0) }})
	r.LogLine("s1", "START RequestId: a")
	r.LogLine("s2", "START RequestId: b")
	r.LogLine("s1", "hello")
	r.LogLine("s1", strings.Repeat("y", MaxLineBytes+10))
	r.Invocation("", "s1", Invocation{RequestID: "a"})
	r.LogLine("s1", "START RequestId: c")
	r.Invocation("", "s1", Invocation{RequestID: "c"})
	recs := decode(t, r.Find(Query{}).Records)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	a, c := recs[0].Invocation, recs[1].Invocation
	if len(a.Logs) != 3 || a.Logs[1] != "hello" || len(a.Logs[2]) > MaxLineBytes+len("…") {
		t.Errorf("a's logs %q", a.Logs)
	}
	if len(c.Logs) != 1 || c.Logs[0] != "START RequestId: c" {
		t.Errorf("c's logs %q", c.Logs)
	}
	if !recs[0].Time.Equal(time.Unix(100, 0)) {
		t.Errorf("stamped %v, want the clock's time", recs[0].Time)
	}
}

func TestInvocationKeepsAtMostMaxLines(t *testing.T) {
	r := New(Options{})
	for i := range MaxInvocationLines + 5 {
		r.LogLine("s", fmt.Sprint(i))
	}
	r.Invocation("", "s", Invocation{})
	inv := decode(t, r.Find(Query{}).Records)[0].Invocation
	if len(inv.Logs) != MaxInvocationLines || inv.LogsDropped != 5 {
		t.Errorf("%d lines, %d dropped", len(inv.Logs), inv.LogsDropped)
	}
}

func TestNilRecorderRecordsNothing(t *testing.T) {
	var r *Recorder
	r.Event("", Event{})
	r.LogLine("s", "x")
	r.Invocation("", "s", Invocation{})
	r.TestRun(TestRun{})
}

func TestTraceRoot(t *testing.T) {
	if got := TraceRoot("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"); got != "1-5759e988-bd862e3fe1be46a994272793" {
		t.Errorf("root %q", got)
	}
	if got := TraceRoot("garbage"); got != "" {
		t.Errorf("root of garbage %q", got)
	}
}

func TestCutKeepsRunesWhole(t *testing.T) {
	if got := Cut("héllo", 2); got != "h…" {
		t.Errorf("cut %q", got)
	}
	if got := Cut("abc", 3); got != "abc" {
		t.Errorf("cut %q", got)
	}
}

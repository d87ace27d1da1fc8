package completion_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/testharness/awserr"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

func newPublisher(t *testing.T) (*completion.Publisher, *localtest.Bus) {
	t.Helper()
	bus := localtest.NewBus(t)
	return &completion.Publisher{Client: eventbridge.NewFromConfig(localtest.Config(t)), Bus: bus.Name, Backoff: func(int) time.Duration { return 0 }}, bus
}

// TestPermanentFailuresAreNotRetried: a denied PutEvents fails at once,
// with AWS's code and message; a throttled one is tried again and its
// event put once.
func TestPermanentFailuresAreNotRetried(t *testing.T) {
	denial := "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/app-bus because no identity-based policy allows the events:PutEvents action"
	t.Run("AccessDeniedException", func(t *testing.T) {
		p, bus := newPublisher(t)
		f := localtest.Fault(t, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: bus.Name, Action: faults.Error,
			ErrorCode: "AccessDeniedException", StatusCode: http.StatusBadRequest, Message: denial})
		err := p.PublishOne(context.Background(), "Something", map[string]string{"a": "b"})
		if n := localtest.Hits(t, f); n != 1 {
			t.Fatalf("%d PutEvents calls, want 1", n)
		}
		e, permanent := awserr.AsPermanent(err)
		if !permanent || e.Code != "AccessDeniedException" || e.Message != denial || e.Reason() != "events:PutEvents denied: "+denial {
			t.Errorf("PublishOne = %v: %+v, permanent %v, reason %q", err, e, permanent, e.Reason())
		}
		if evs := bus.Events(t); len(evs) != 0 {
			t.Errorf("events %+v put despite the denial", evs)
		}
	})
	t.Run("ThrottlingException", func(t *testing.T) {
		p, bus := newPublisher(t)
		f := localtest.Fault(t, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: bus.Name, Action: faults.Error,
			ErrorCode: "ThrottlingException", StatusCode: http.StatusBadRequest, Message: "Rate exceeded", Count: 1})
		if err := p.PublishOne(context.Background(), "Something", map[string]string{"a": "b"}); err != nil {
			t.Fatalf("PublishOne = %v, want the second call to succeed", err)
		}
		if !localtest.Spent(t, f) {
			t.Error("the throttled call was not made")
		}
		if evs := bus.Events(t); len(evs) != 1 || evs[0].DetailType != "Something" || string(evs[0].Detail) != `{"a":"b"}` {
			t.Errorf("events %+v, want the one event once", evs)
		}
	})
}

// TestFailedEntriesAloneAreSentAgain: of a batch whose first entry
// PutEvents fails (its partial failure), only that entry is sent again,
// so every event is put exactly once; an entry failing every attempt is
// reported on its own.
func TestFailedEntriesAloneAreSentAgain(t *testing.T) {
	p, bus := newPublisher(t)
	localtest.Fault(t, faults.Spec{Service: "events", Resource: bus.Name, Action: faults.EntryError, Count: 1})
	events := []completion.Event{{DetailType: "A", Detail: map[string]int{"n": 1}}, {DetailType: "B", Detail: map[string]int{"n": 2}}}
	errs, err := p.Publish(context.Background(), events)
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("Publish = %v, %v", errs, err)
	}
	got := bus.Events(t)
	if len(got) != 2 || got[0].DetailType != "B" || got[1].DetailType != "A" {
		t.Fatalf("events %+v, want B, then A once more", got)
	}

	localtest.Fault(t, faults.Spec{Service: "events", Resource: bus.Name, Action: faults.EntryError, Count: 3})
	errs, err = p.Publish(context.Background(), events[:1])
	if _, permanent := awserr.AsPermanent(errs[0]); err != nil || errs[0] == nil || permanent {
		t.Fatalf("Publish = %v, %v; want A's InternalFailure, transient, after 3 attempts", errs, err)
	}
}

// TestEventsCarryTheSourceTraceAndCorrelation: an event published inside
// a traced segment reaches the bus with the harness's source and that
// segment's trace, and the segment bears the correlation id the harness
// finds the trace by; untraced or without an id, nothing is annotated.
func TestEventsCarryTheSourceTraceAndCorrelation(t *testing.T) {
	p, bus := newPublisher(t)
	ctx, seg := xray.BeginSegment(context.Background(), "handler")
	completion.Annotate(seg, "run-1")
	if err := p.PublishOne(ctx, "Done", map[string]string{"correlationId": "run-1"}); err != nil {
		t.Fatal(err)
	}
	evs := bus.Events(t)
	if len(evs) != 1 || evs[0].Source != "tracebridge.app" {
		t.Fatalf("events %+v, want one from tracebridge.app", evs)
	}
	if want := "Root=" + seg.TraceID; !strings.HasPrefix(evs[0].TraceHeader, want) {
		t.Errorf("trace header %q, want the segment's trace (%s…)", evs[0].TraceHeader, want)
	}
	if got := seg.Annotations[completion.CorrelationAnnotation]; got != "run-1" || completion.CorrelationAnnotation != "correlation_id" {
		t.Errorf("annotation %s = %v, want run-1", completion.CorrelationAnnotation, got)
	}

	_, other := xray.BeginSegment(context.Background(), "handler")
	completion.Annotate(other, "")
	completion.Annotate(nil, "run-2")
	if len(other.Annotations) != 0 {
		t.Errorf("annotations %v without a correlation id", other.Annotations)
	}
}

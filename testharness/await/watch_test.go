package await

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
)

// diagnosis is a Diagnoser that answers with fixed reports: the diagnosis
// itself is tested against the local cloud in testharness/diagnose; here
// the question is what the await function does with its answer.
type diagnosis struct {
	static, full diagnose.Report
	calls        []string
}

func (d *diagnosis) Static(context.Context, testharness.Trigger) (diagnose.Report, error) {
	d.calls = append(d.calls, "static")
	return d.static, nil
}

func (d *diagnosis) Full(_ context.Context, _ testharness.Trigger, id string) (diagnose.Report, error) {
	d.calls = append(d.calls, "full "+id)
	return d.full, nil
}

var brokenRule = diagnose.Report{Broken: &diagnose.Finding{Link: "rule", Resource: "images", Detail: `rule images does not match: detail.bucket.name is "b", the pattern wants ["other"]`}}

// awaitRequest is the Await task's request with a run, a trigger and a
// deadline, as the state machine sends it.
func awaitRequest(t *testing.T, raw json.RawMessage) testharness.AwaitRequest {
	t.Helper()
	var req testharness.AwaitRequest
	if err := json.Unmarshal(raw, &req); err != nil {
		t.Fatal(err)
	}
	req.Run = &testharness.Run{CorrelationID: req.CorrelationID, Trigger: &testharness.Trigger{
		S3Object: &testharness.S3ObjectTrigger{Bucket: "b", Key: "k.png"}, At: time.Now()}}
	req.ExecutionArn, req.EnteredTime, req.DeadlineSeconds = "arn:execution", time.Now(), 30
	return req
}

func marshal(t *testing.T, v any) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func wantFailedWith(t *testing.T, r stepfunctions.ExecutionResult, errName, causePart string) {
	t.Helper()
	if r.Status != stepfunctions.StatusFailed || r.Error != errName || !strings.Contains(r.Cause, causePart) {
		t.Fatalf("execution = %s %s %q, want FAILED %s with %q", r.Status, r.Error, r.Cause, errName, causePart)
	}
}

func TestWhereTheCloudCannotSettleABrokenLinkFailsTheTaskAtOnce(t *testing.T) {
	f := newFixture(t)
	d := &diagnosis{static: brokenRule}
	f.h.Diagnoser = d
	f.h.NotifySettled = func(context.Context, time.Time, string, any) error {
		return fmt.Errorf("AWS: %w", testharness.ErrSettleUnsupported)
	}
	exec, raw := f.start(t, "c-glue")
	f.handle(t, marshal(t, awaitRequest(t, raw)))
	wantFailedWith(t, f.wait(t, exec), testharness.ErrorGlueBroken, `detail.bucket.name is "b", the pattern wants ["other"]`)
	// A completion event that still comes completes nothing.
	if out := f.handle(t, appEvent("e-late", "Done", "c-glue", "")); out.Completed != "" {
		t.Fatalf("a late event completed the failed task: %+v", out)
	}
}

func TestWhereTheCloudSettlesTheAwaitAsksToBeCalledBack(t *testing.T) {
	f := newFixture(t)
	d := &diagnosis{static: brokenRule}
	f.h.Diagnoser = d
	var asked []settledCallback
	f.h.NotifySettled = func(_ context.Context, until time.Time, ignore string, payload any) error {
		if until.IsZero() || ignore != "arn:execution" {
			t.Errorf("asked with until %v, ignore %q", until, ignore)
		}
		asked = append(asked, payload.(settledCallback))
		return nil
	}
	_, raw := f.start(t, "c-notify")
	f.handle(t, marshal(t, awaitRequest(t, raw)))
	if len(asked) != 1 || asked[0].Settled.TaskToken == "" || len(d.calls) != 0 {
		t.Fatalf("asked %+v, diagnosis calls %v: want one callback request and no diagnosis yet", asked, d.calls)
	}
}

func TestSettledWithoutTheEventFailsTheTaskWithTheDiagnosis(t *testing.T) {
	f := newFixture(t)
	d := &diagnosis{full: brokenRule}
	f.h.Diagnoser = d
	f.h.NotifySettled = func(context.Context, time.Time, string, any) error { return nil }
	exec, raw := f.start(t, "c-settled")
	req := awaitRequest(t, raw)
	f.handle(t, marshal(t, req))
	out := f.handle(t, marshal(t, settledCallback{Settled: &req}))
	if out.Completed != testharness.ErrorNoOutcome || len(d.calls) != 1 || d.calls[0] != "full c-settled" {
		t.Fatalf("settled: %+v, diagnosis calls %v", out, d.calls)
	}
	wantFailedWith(t, f.wait(t, exec), testharness.ErrorNoOutcome, "the local cloud settled without it")
	wantFailedWith(t, f.wait(t, exec), testharness.ErrorNoOutcome, `the pattern wants ["other"]`)
}

func TestSettledAfterTheEventCameChangesNothing(t *testing.T) {
	f := newFixture(t)
	d := &diagnosis{full: brokenRule}
	f.h.Diagnoser = d
	f.h.NotifySettled = func(context.Context, time.Time, string, any) error { return nil }
	exec, raw := f.start(t, "c-came")
	req := awaitRequest(t, raw)
	f.handle(t, marshal(t, req))
	f.handle(t, appEvent("e-came", "Done", "c-came", ""))
	if out := f.handle(t, marshal(t, settledCallback{Settled: &req})); out.Completed != "" || len(d.calls) != 0 {
		t.Fatalf("settled after the event: %+v, diagnosis calls %v", out, d.calls)
	}
	wantSucceededWith(t, f.wait(t, exec), "Done")
}

func TestDiagnoseAnswersTheFullDiagnosis(t *testing.T) {
	f := newFixture(t)
	f.h.Diagnoser = &diagnosis{full: brokenRule}
	out, err := f.h.Handle(context.Background(), marshal(t, testharness.DiagnoseRequest{Diagnose: true,
		Run: &testharness.Run{CorrelationID: "c-d", Trigger: &testharness.Trigger{S3Object: &testharness.S3ObjectTrigger{Bucket: "b", Key: "k"}}}}))
	if err != nil || !strings.Contains(fmt.Sprint(out), `the pattern wants ["other"]`) {
		t.Fatalf("Diagnose = %v, %v", out, err)
	}
}

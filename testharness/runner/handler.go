package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

// Defaults of the assert phase's wait within one invocation.
const (
	defaultAssertPatience = 5 * time.Second
	defaultAssertPoll     = 100 * time.Millisecond
)

// Handler runs one phase of one test (act, assert, cleanup) or the report,
// as the test state machine asks.
type Handler struct {
	Tests  map[string]testharness.Test
	Env    *testharness.Env
	Events *completion.Publisher // the app bus, for TestRunCompleted
	HTTP   *http.Client          // for CloudFormation responses; http.DefaultClient when nil
	// AssertPatience is how long the assert phase keeps re-checking an
	// incomplete trace inside one invocation before it hands
	// TraceIncomplete back to the state machine's retry (whose shortest
	// interval is a whole second); AssertPoll is the pause between checks.
	AssertPatience, AssertPoll time.Duration
	Now                        func() time.Time
	Log                        *slog.Logger
}

// Handle runs req's phase. act and assert return the updated branch
// state, cleanup the test's Result, report the RunReport.
func (h *Handler) Handle(ctx context.Context, req testharness.RunnerRequest) (any, error) {
	if req.Phase == testharness.PhaseReport {
		if req.Report == nil {
			return nil, errors.New("report phase without a report state")
		}
		return h.report(ctx, req)
	}
	if req.Branch == nil {
		return nil, fmt.Errorf("%s phase without a branch state", req.Phase)
	}
	t, ok := h.Tests[req.Branch.Test]
	if !ok {
		return nil, fmt.Errorf("no test named %q in this runner's suite", req.Branch.Test)
	}
	if t.Act == nil || t.Assert == nil || t.Cleanup == nil {
		return nil, fmt.Errorf("test %s lacks Act, Assert or Cleanup", t.Name)
	}
	switch req.Phase {
	case testharness.PhaseAct:
		return h.act(ctx, t)
	case testharness.PhaseAssert:
		return h.assert(ctx, t, *req.Branch)
	case testharness.PhaseCleanup:
		return h.cleanup(ctx, t, *req.Branch), nil
	default:
		return nil, fmt.Errorf("unknown phase %q (want act, assert, cleanup or report)", req.Phase)
	}
}

func (h *Handler) act(ctx context.Context, t testharness.Test) (*testharness.BranchState, error) {
	started := h.now()
	run, err := t.Act(ctx, h.Env)
	if err == nil && run.CorrelationID == "" {
		err = errors.New("the Act step returned no correlation id")
	}
	if err != nil {
		msg := err.Error()
		// The state machine carries only the error from here: clean up
		// what Act made before it failed, now.
		if run.CorrelationID != "" || len(run.State) > 0 {
			if cerr := t.Cleanup(ctx, h.Env, run); cerr != nil {
				msg += "; cleanup after the failed Act: " + cerr.Error()
			}
		}
		return nil, &ActFailed{Message: msg}
	}
	return &testharness.BranchState{Test: t.Name, StartedAtMs: started.UnixMilli(), Run: &run}, nil
}

// assert runs the test's Assert, re-checking within the invocation while
// the trace is incomplete, woken by nothing but a short timer: X-Ray offers
// no notification of ingestion.
func (h *Handler) assert(ctx context.Context, t testharness.Test, b testharness.BranchState) (*testharness.BranchState, error) {
	if b.Run == nil || b.Completion == nil {
		return nil, &AssertionFailed{Message: "assert phase without the run and its completion event"}
	}
	b.TraceID = testharness.TraceID(b.Completion.TraceHeader)
	patience, poll := h.AssertPatience, h.AssertPoll
	if patience == 0 {
		patience = defaultAssertPatience
	}
	if poll <= 0 {
		poll = defaultAssertPoll
	}
	giveUp := h.now().Add(patience)
	if d, ok := ctx.Deadline(); ok && d.Add(-time.Second).Before(giveUp) {
		giveUp = d.Add(-time.Second)
	}
	for {
		err := t.Assert(ctx, h.Env, *b.Run, *b.Completion)
		switch {
		case err == nil:
			return &b, nil
		case !errors.Is(err, testharness.ErrTraceIncomplete):
			return nil, &AssertionFailed{Message: err.Error()}
		case !h.now().Add(poll).Before(giveUp):
			return nil, &TraceIncomplete{Message: err.Error()}
		}
		timer := time.NewTimer(poll)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, &TraceIncomplete{Message: err.Error()}
		case <-timer.C:
		}
	}
}

// cleanup runs the test's Cleanup when Act produced a run and turns the
// branch state into the test's Result. It fails only on a bad request, so
// that every branch yields a Result.
func (h *Handler) cleanup(ctx context.Context, t testharness.Test, b testharness.BranchState) testharness.Result {
	verdict := h.now()
	res := testharness.Result{Name: t.Name, TraceID: b.TraceID}
	if b.StartedAtMs > 0 {
		res.DurationMs = verdict.UnixMilli() - b.StartedAtMs
	}
	if b.TraceID == "" && b.Completion != nil {
		res.TraceID = testharness.TraceID(b.Completion.TraceHeader)
	}
	res.Reason = failureReason(t, b)
	if b.Run != nil {
		res.CorrelationID = b.Run.CorrelationID
		if err := t.Cleanup(ctx, h.Env, *b.Run); err != nil {
			if res.Reason != "" {
				res.Reason += "; "
			}
			res.Reason += "cleanup: " + err.Error() + " (data left behind)"
		}
	}
	res.Passed = res.Reason == ""
	return res
}

// failureReason says, for a person, why the branch failed ("" if it did
// not), from the error its Catch recorded.
func failureReason(t testharness.Test, b testharness.BranchState) string {
	switch {
	case b.ActError != nil:
		return "act: " + b.ActError.Message()
	case b.AwaitError != nil:
		switch b.AwaitError.Error {
		case testharness.ErrorStatesTimeout:
			explained := "nothing happened — the trigger did not reach the function (notifications, rule pattern, pipe, permissions) " +
				"or the function failed before announcing an outcome (see its log group)"
			if b.Diagnosis != nil && b.Diagnosis.Reason != "" {
				explained = b.Diagnosis.Reason
			}
			return fmt.Sprintf("no completion event (%v) for correlation id %s within %s: %s", t.Await.Success, correlationID(b), t.Deadline, explained)
		case testharness.ErrorGlueBroken:
			return fmt.Sprintf("no completion event (%v) for correlation id %s can come: %s", t.Await.Success, correlationID(b), b.AwaitError.Message())
		case testharness.ErrorNoOutcome:
			return fmt.Sprintf("no completion event (%v) for correlation id %s: %s", t.Await.Success, correlationID(b), b.AwaitError.Message())
		case testharness.ErrorCompletionFailed:
			return "failure event " + b.AwaitError.Message()
		default:
			return fmt.Sprintf("await: %s: %s", b.AwaitError.Error, b.AwaitError.Message())
		}
	case b.AssertError != nil:
		if b.AssertError.Error == testharness.ErrorTraceIncomplete {
			return "assert: still incomplete after the retries: " + b.AssertError.Message()
		}
		if b.AssertError.Error == testharness.ErrorAssertionFailed {
			return "assert: " + b.AssertError.Message()
		}
		return fmt.Sprintf("assert: %s: %s", b.AssertError.Error, b.AssertError.Message())
	}
	return ""
}

func correlationID(b testharness.BranchState) string {
	if b.Run == nil {
		return "(none)"
	}
	return b.Run.CorrelationID
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

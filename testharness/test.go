package testharness

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Test is one integration test. The same value drives the state machine on
// AWS (Definition generates one branch per test), the harness Lambdas (which
// look tests up by Name) and in-process runs against the local cloud.
type Test struct {
	// Name identifies the test everywhere: state names, results, reports.
	// Letters, digits and underscores only (see Definition).
	Name string
	// Deadline bounds the wait for the completion event (the Await task's
	// TimeoutSeconds, rounded up to whole seconds). It only matters when
	// nothing happens at all: a failure event ends the wait at once.
	Deadline time.Duration
	// Act arranges and acts; it returns the run's correlation id and what
	// Cleanup needs. When Act fails after it created something, it returns
	// the Run built so far with the error: the runner cleans that up at
	// once, because a failed state machine task carries only the error.
	Act func(ctx context.Context, env *Env) (Run, error)
	// Await names the completion events that end the wait.
	Await Await
	// Assert checks state and the X-Ray trace once the completion event has
	// arrived. It returns an error wrapping ErrTraceIncomplete while the
	// trace is not all there yet (X-Ray ingests with a delay): the state
	// machine retries it with backoff. Any other error fails the test.
	Assert func(ctx context.Context, env *Env, run Run, done Completion) error
	// Cleanup removes what Act created. It always runs once Act returned a
	// Run: after a failed assertion, a failure event or a timeout too.
	Cleanup func(ctx context.Context, env *Env, run Run) error
}

// Await names the completion events a test waits for: detail-types of
// events on the app bus with source schemas.AppEventSource, matched on
// detail.correlationId == Run.CorrelationID.
//
// Success lists the detail-types that end the wait and let Assert run;
// Failure lists those that fail the test at once, with the detail's reason.
// A test that expects the app to reject its input lists the app's failure
// event (such as ImageMetadataFailed) under Success: for that test the
// rejection is the outcome it awaits, and the app's success event is the
// failure.
type Await struct {
	Success []string `json:"success"`
	Failure []string `json:"failure"`
}

// Run is what Act hands to Await, Assert and Cleanup.
type Run struct {
	// CorrelationID travels in the data itself (S3 user metadata
	// "correlation-id", DynamoDB attribute "correlationId"); the app copies
	// it into its completion events and X-Ray annotations.
	CorrelationID string `json:"correlationId"`
	// State is whatever Cleanup and Assert need: keys, names. It crosses
	// the state machine as JSON, so it holds strings only.
	State map[string]string `json:"state,omitempty"`
	// Trigger is the write that should start the flow under test; the
	// diagnosis follows the glue from it when the completion event does
	// not come. Nil when the act wrote nothing that starts a flow.
	Trigger *Trigger `json:"trigger,omitempty"`
}

// Completion is the completion event that ended the wait.
type Completion struct {
	DetailType string          `json:"detailType"`
	Detail     json.RawMessage `json:"detail"`
	// TraceHeader is the X-Ray header the event arrived with
	// ("Root=1-…;Parent=…;Sampled=1"), empty when it had none.
	TraceHeader string `json:"traceHeader,omitempty"`
}

// ErrTraceIncomplete is wrapped by Assert errors that may go away when
// X-Ray has ingested more segments. The runner reports it to Step Functions
// as the error name TraceIncomplete, which the Assert state retries.
var ErrTraceIncomplete = errors.New("trace incomplete")

// Result is the outcome of one test as the report step and the CLI see it;
// the JSON names are what `tracebridge test --json` prints.
type Result struct {
	Name   string `json:"name"`
	Passed bool   `json:"passed"`
	// DurationMs is the time to verdict: from the start of Act until the
	// outcome was known (the start of Cleanup).
	DurationMs    int64  `json:"durationMs"`
	TraceID       string `json:"traceId,omitempty"`
	Reason        string `json:"reason,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
}

// RunReport is the outcome of one run of the suite: the detail of the
// TestRunCompleted event and the state machine's output.
type RunReport struct {
	Results []Result `json:"results"`
	Passed  int      `json:"passed"`
	Failed  int      `json:"failed"`
	// VerdictMs is the time from the start of the execution to its report.
	VerdictMs    int64     `json:"verdictMs"`
	ExecutionArn string    `json:"executionArn"`
	StartedAt    time.Time `json:"startedAt"`
	EndedAt      time.Time `json:"endedAt"`
}

// NewRunReport counts results into a report.
func NewRunReport(executionArn string, startedAt, endedAt time.Time, results []Result) RunReport {
	r := RunReport{Results: results, ExecutionArn: executionArn, StartedAt: startedAt, EndedAt: endedAt,
		VerdictMs: endedAt.Sub(startedAt).Milliseconds()}
	if r.Results == nil {
		r.Results = []Result{}
	}
	for _, res := range results {
		if res.Passed {
			r.Passed++
		} else {
			r.Failed++
		}
	}
	return r
}

// TraceID returns the Root of an X-Ray trace header ("Root=1-…;Parent=…"),
// or "" when it has none.
func TraceID(header string) string {
	for part := range strings.SplitSeq(header, ";") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return v
		}
	}
	return ""
}

package testharness

import (
	"encoding/json"
	"time"
)

// Phases of the runner function, named in the state machine's payloads.
const (
	PhaseAct     = "act"
	PhaseAssert  = "assert"
	PhaseCleanup = "cleanup"
	PhaseReport  = "report"
)

// Error names the state machine and the harness functions agree on. A Go
// Lambda's errorType is its error's type name (aws-lambda-go,
// lambda/errors.go), and Step Functions names a function's failure after
// that errorType ("Handling Lambda errors"), so the runner returns errors
// of types with exactly these names.
const (
	// ErrorTraceIncomplete: Assert found the trace (or logs) not all there
	// yet; the Assert state retries it with backoff.
	ErrorTraceIncomplete = "TraceIncomplete"
	// ErrorActFailed, ErrorAssertionFailed: the test's own Act or Assert
	// failed; caught, the branch goes on to Cleanup.
	ErrorActFailed       = "ActFailed"
	ErrorAssertionFailed = "AssertionFailed"
	// ErrorCompletionFailed: the await function saw a Failure detail-type
	// (SendTaskFailure error; the cause is the detail's reason).
	ErrorCompletionFailed = "CompletionFailed"
	// ErrorStatesTimeout is Step Functions' name for an Await task that
	// reached TimeoutSeconds: no completion event came.
	ErrorStatesTimeout = "States.Timeout"
	// ErrorGlueBroken: right after the act, the diagnosis found a link of
	// the flow's deployed glue broken (SendTaskFailure error; the cause
	// names the link), so the completion event cannot come.
	ErrorGlueBroken = "GlueBroken"
	// ErrorNoOutcome: the local cloud settled — nothing in progress,
	// nothing due before the deadline — without the completion event, so
	// it cannot come any more (SendTaskFailure error; the cause is the
	// diagnosis).
	ErrorNoOutcome = "NoOutcome"
)

// AwaitRequest is the payload the Await task (lambda:invoke.waitForTaskToken)
// sends the await function.
type AwaitRequest struct {
	TaskToken     string   `json:"taskToken"`
	CorrelationID string   `json:"correlationId"`
	Success       []string `json:"success"`
	Failure       []string `json:"failure"`
	// Run is the act's run (its Trigger is where the diagnosis starts).
	Run *Run `json:"run,omitempty"`
	// ExecutionArn is the test execution's: the await function ignores
	// the execution's own work when it waits for the local cloud to
	// settle.
	ExecutionArn string `json:"executionArn,omitempty"`
	// EnteredTime and DeadlineSeconds give the Await task's deadline.
	EnteredTime     time.Time `json:"enteredTime,omitzero"`
	DeadlineSeconds int       `json:"deadlineSeconds,omitempty"`
}

// Deadline is when the Await task times out, zero when unknown.
func (r AwaitRequest) Deadline() time.Time {
	if r.EnteredTime.IsZero() || r.DeadlineSeconds <= 0 {
		return time.Time{}
	}
	return r.EnteredTime.Add(time.Duration(r.DeadlineSeconds) * time.Second)
}

// DiagnoseRequest is the payload of the Diagnose step that follows an
// Await task's timeout: the await function follows the glue of the run's
// flow and names what is broken.
type DiagnoseRequest struct {
	Diagnose bool `json:"diagnose"`
	Run      *Run `json:"run"`
}

// Diagnosis is the Diagnose step's answer.
type Diagnosis struct {
	// Reason names the broken link (or what was found), for a person.
	Reason string `json:"reason"`
}

// RunnerRequest is the payload the state machine sends the runner.
type RunnerRequest struct {
	Phase string `json:"phase"`
	// Branch is the test's state, for act, assert and cleanup.
	Branch *BranchState `json:"branch,omitempty"`
	// Report is the state after the Parallel, for report: the execution
	// input (with "cloudFormation" when the deploy-time check started it)
	// plus "results" or, if the Parallel itself failed, "runError".
	Report       *ReportState `json:"report,omitempty"`
	ExecutionArn string       `json:"executionArn,omitempty"`
	StartTime    time.Time    `json:"startTime,omitzero"`
}

// BranchState is the state one test's branch carries from step to step.
// The runner returns it, updated, from act and assert; Catch adds the
// error of a failed step under its *Error field.
type BranchState struct {
	Test        string      `json:"test"`
	StartedAtMs int64       `json:"startedAtMs,omitempty"`
	Run         *Run        `json:"run,omitempty"`
	Completion  *Completion `json:"completion,omitempty"`
	TraceID     string      `json:"traceId,omitempty"`

	ActError    *StepError `json:"actError,omitempty"`
	AwaitError  *StepError `json:"awaitError,omitempty"`
	AssertError *StepError `json:"assertError,omitempty"`
	// Diagnosis is what the Diagnose step found after an Await timeout.
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`
}

// StepError is what a Catch puts at its ResultPath. For a function error
// Cause is the function's error document ({"errorMessage", "errorType"}).
type StepError struct {
	Error string `json:"Error"`
	Cause string `json:"Cause"`
}

// Message is the human part of the error: the function's errorMessage
// when Cause is an error document, else Cause itself.
func (e StepError) Message() string {
	var doc struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(e.Cause), &doc) == nil && doc.ErrorMessage != "" {
		return doc.ErrorMessage
	}
	return e.Cause
}

// ReportState is the input of the report step.
type ReportState struct {
	CloudFormation json.RawMessage `json:"cloudFormation,omitempty"`
	Results        []Result        `json:"results,omitempty"`
	RunError       *StepError      `json:"runError,omitempty"`
}

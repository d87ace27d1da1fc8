package asl

import (
	"fmt"
	"strings"
)

// Predefined error names of the Amazon States Language (spec, "Errors").
const (
	StatesALL                    = "States.ALL"
	StatesHeartbeatTimeout       = "States.HeartbeatTimeout"
	StatesTimeout                = "States.Timeout"
	StatesTaskFailed             = "States.TaskFailed"
	StatesPermissions            = "States.Permissions"
	StatesResultPathMatchFailure = "States.ResultPathMatchFailure"
	StatesParameterPathFailure   = "States.ParameterPathFailure"
	StatesBranchFailed           = "States.BranchFailed"
	StatesNoChoiceMatched        = "States.NoChoiceMatched"
	StatesIntrinsicFailure       = "States.IntrinsicFailure"
	StatesExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	StatesItemReaderFailed       = "States.ItemReaderFailed"
	StatesResultWriterFailed     = "States.ResultWriterFailed"
	StatesRuntime                = "States.Runtime"
	StatesDataLimitExceeded      = "States.DataLimitExceeded"
	StatesQueryEvaluationError   = "States.QueryEvaluationError"
)

// StatesError is a failure as Step Functions records it: an error name and a
// cause. A TaskInvoker returns one to fail a task with a chosen name (for a
// Lambda, the function's errorType); any other error fails the task with
// States.TaskFailed.
type StatesError struct {
	Name  string
	Cause string
}

func (e *StatesError) Error() string {
	if e.Cause == "" {
		return e.Name
	}
	return e.Name + ": " + e.Cause
}

func newStatesError(name, format string, args ...any) *StatesError {
	return &StatesError{Name: name, Cause: fmt.Sprintf(format, args...)}
}

// Diagnostic codes Step Functions uses in InvalidDefinition messages and in
// ValidateStateMachineDefinition (API_ValidateStateMachineDefinitionDiagnostic).
const (
	CodeSchemaValidationFailed  = "SCHEMA_VALIDATION_FAILED"
	CodeMissingTransitionTarget = "MISSING_TRANSITION_TARGET"
	CodeMissingEndState         = "MISSING_END_STATE"
	CodeInvalidJSONDescription  = "INVALID_JSON_DESCRIPTION"
	CodeMissingDescription      = "MISSING_DESCRIPTION"
	CodeInvalidResource         = "INVALID_RESOURCE"
	CodeDuplicateStateName      = "DUPLICATE_STATE_NAME"
	CodeInvalidStateName        = "INVALID_STATE_NAME"
)

// Diagnostic is one problem found in a definition, shaped like
// sfn's ValidateStateMachineDefinitionDiagnostic (code, message, location).
type Diagnostic struct {
	Code     string
	Message  string
	Location string // e.g. /States/Pass/Next
}

func (d Diagnostic) String() string {
	if d.Location == "" {
		return d.Code + ": " + d.Message
	}
	return d.Code + ": " + d.Message + " at " + d.Location
}

// DefinitionError is returned by Parse. Its message is the one AWS puts in
// an InvalidDefinition exception, for example:
//
//	Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: pass3 at /States/pass1/Next'
//
// (wording from a CreateStateMachine response quoted in localstack/localstack#12487).
type DefinitionError struct {
	Diagnostics []Diagnostic
}

func (e *DefinitionError) Error() string {
	parts := make([]string, len(e.Diagnostics))
	for i, d := range e.Diagnostics {
		parts[i] = d.String()
	}
	return "Invalid State Machine Definition: '" + strings.Join(parts, ", ") + "'"
}

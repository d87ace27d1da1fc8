package asl

import "time"

// StateMachine is a parsed, validated definition (or a Parallel branch or
// Map processor, which have the same shape). It is immutable and safe to run
// from many goroutines at once.
type StateMachine struct {
	Comment        string
	StartAt        string
	TimeoutSeconds int64 // 0: no execution-level timeout
	States         map[string]*State
}

// State is one state of a machine. Name and Type are exported for callers
// that render or inspect a machine; the rest is the interpreter's compiled
// form of the definition.
type State struct {
	Name string
	Type string // Pass, Task, Choice, Wait, Succeed, Fail, Parallel, Map

	next string
	end  bool

	// Input and output processing. A nil path with the matching *Null flag
	// set means the field was JSON null.
	inputPath      *Path
	inputPathNull  bool
	outputPath     *Path
	outputPathNull bool
	resultPath     *Path
	resultPathNull bool
	parameters     *payloadTemplate
	resultSelector *payloadTemplate
	result         any
	hasResult      bool

	// Task
	resource             string
	timeoutSeconds       int64
	timeoutSecondsPath   *Path
	heartbeatSeconds     int64
	heartbeatSecondsPath *Path

	retry []*retrier
	catch []*catcher

	// Choice
	choices     []*choiceRule
	defaultNext string

	// Wait
	seconds       *int64
	timestamp     *time.Time
	secondsPath   *Path
	timestampPath *Path

	// Fail
	errorName string
	cause     string
	errorPath *valueExpr
	causePath *valueExpr

	// Parallel
	branches []*StateMachine

	// Map
	processor                    *StateMachine
	itemsPath                    *Path
	itemSelector                 *payloadTemplate
	maxConcurrency               int64
	maxConcurrencyPath           *Path
	toleratedFailureCount        int64
	toleratedFailureCountPath    *Path
	toleratedFailurePercentage   float64
	toleratedFailurePercentPath  *Path
	hasToleratedFailureThreshold bool
}

// valueExpr is a path or an intrinsic function (ErrorPath and CausePath
// accept both).
type valueExpr struct {
	path *Path
	call *intrinsicCall
}

func (v *valueExpr) eval(input, ctxObj any) (any, error) {
	if v.call != nil {
		return v.call.eval(input, ctxObj)
	}
	out, ok := v.path.get(input, ctxObj)
	if !ok {
		return nil, newStatesError(StatesRuntime, "Invalid path '%s': No results for path", v.path.raw)
	}
	return out, nil
}

// retrier is one element of a Retry field.
type retrier struct {
	errorEquals     []string
	intervalSeconds float64
	maxAttempts     int64
	backoffRate     float64
	maxDelaySeconds float64
	fullJitter      bool
}

// catcher is one element of a Catch field.
type catcher struct {
	errorEquals    []string
	next           string
	resultPath     *Path
	resultPathNull bool
}

// matchesError implements the ErrorEquals rule of the developer guide
// (concepts-error-handling): a name matches itself; States.ALL matches
// every error except States.Runtime and States.DataLimitExceeded, which are
// terminal; States.TaskFailed matches the same minus the timeouts.
func matchesError(errorEquals []string, name string) bool {
	if name == StatesRuntime || name == StatesDataLimitExceeded {
		return false
	}
	for _, e := range errorEquals {
		switch {
		case e == name, e == StatesALL:
			return true
		case e == StatesTaskFailed && name != StatesTimeout && name != StatesHeartbeatTimeout:
			return true
		}
	}
	return false
}

package asl

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// mapItem is the $$.Map.Item part of the context object, available to a
// Map state's ItemSelector.
type mapItem struct {
	index int
	value any
}

// stateRun is one visit of one state.
type stateRun struct {
	t       *thread
	st      *State
	entered time.Time
	item    *mapItem
	retries int
	token   string
}

// contextObject builds $$ for the state being run.
func (r *stateRun) contextObject() map[string]any {
	x := r.t.x
	c := map[string]any{
		"Execution":    x.ctxExecution,
		"StateMachine": x.ctxStateMachine,
		"State":        map[string]any{"Name": r.st.Name, "EnteredTime": formatTime(r.entered), "RetryCount": int64(r.retries)},
	}
	if r.token != "" {
		c["Task"] = map[string]any{"Token": r.token}
	}
	if r.item != nil {
		c["Map"] = map[string]any{"Item": map[string]any{"Index": int64(r.item.index), "Value": r.item.value}}
	}
	return c
}

var enteredEvents = map[string]types.HistoryEventType{
	"Pass": types.HistoryEventTypePassStateEntered, "Task": types.HistoryEventTypeTaskStateEntered,
	"Choice": types.HistoryEventTypeChoiceStateEntered, "Wait": types.HistoryEventTypeWaitStateEntered,
	"Succeed": types.HistoryEventTypeSucceedStateEntered, "Fail": types.HistoryEventTypeFailStateEntered,
	"Parallel": types.HistoryEventTypeParallelStateEntered, "Map": types.HistoryEventTypeMapStateEntered,
}

var exitedEvents = map[string]types.HistoryEventType{
	"Pass": types.HistoryEventTypePassStateExited, "Task": types.HistoryEventTypeTaskStateExited,
	"Choice": types.HistoryEventTypeChoiceStateExited, "Wait": types.HistoryEventTypeWaitStateExited,
	"Succeed":  types.HistoryEventTypeSucceedStateExited,
	"Parallel": types.HistoryEventTypeParallelStateExited, "Map": types.HistoryEventTypeMapStateExited,
}

// runMachine runs sm from StartAt and returns its output, or the error that
// ended it.
func (t *thread) runMachine(ctx context.Context, sm *StateMachine, input any) (any, *StatesError) {
	name := sm.StartAt
	for {
		if ctx.Err() != nil || t.x.expired() {
			return nil, errAborted
		}
		st := sm.States[name]
		r := &stateRun{t: t, st: st, entered: t.x.e.clock.Now()}
		ev := types.HistoryEvent{Type: enteredEvents[st.Type], StateEnteredEventDetails: &types.StateEnteredEventDetails{Name: aws.String(st.Name)}}
		if t.x.recording() {
			ev.StateEnteredEventDetails.Input = aws.String(encodeJSON(input))
		}
		t.emit(ev)
		out, next, err := r.run(ctx, input)
		if t.x.expired() {
			return nil, errAborted
		}
		if err != nil {
			return nil, err
		}
		if ev, ok := exitedEvents[st.Type]; ok {
			e := types.HistoryEvent{Type: ev, StateExitedEventDetails: &types.StateExitedEventDetails{Name: aws.String(st.Name)}}
			if t.x.recording() {
				e.StateExitedEventDetails.Output = aws.String(encodeJSON(out))
			}
			t.emit(e)
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// errAborted ends a thread whose context was cancelled; the execution
// reports ABORTED or TIMED_OUT, never this error.
var errAborted = &StatesError{Name: "States.Aborted", Cause: "The execution was stopped"}

// run executes the state and returns its output and the next state ("" at
// the end of the machine).
func (r *stateRun) run(ctx context.Context, input any) (any, string, *StatesError) {
	st := r.st
	switch st.Type {
	case "Fail":
		return nil, "", r.failState(input)
	case "Task", "Parallel", "Map":
		return r.withErrorHandling(ctx, input)
	}
	eff, err := r.effectiveInput(input, st.parameters)
	if err != nil {
		return nil, "", err
	}
	next := st.next
	var out any
	switch st.Type {
	case "Pass":
		result := eff
		if st.hasResult {
			result = st.result
		}
		if out, err = r.applyResultPath(input, result, st.resultPath, st.resultPathNull); err != nil {
			return nil, "", err
		}
	case "Choice":
		out = eff
		next = ""
		for _, c := range st.choices {
			ok, cerr := c.matches(eff, r.contextObject())
			if cerr != nil {
				return nil, "", asStatesError(cerr)
			}
			if ok {
				next = c.next
				break
			}
		}
		if next == "" {
			if st.defaultNext == "" {
				return nil, "", newStatesError(StatesNoChoiceMatched, "No Matches!")
			}
			next = st.defaultNext
		}
	case "Wait":
		if err := r.wait(ctx, eff); err != nil {
			return nil, "", err
		}
		out = eff
	case "Succeed":
		out = eff
	}
	out, err = r.applyOutputPath(out)
	if st.end || st.Type == "Succeed" {
		next = ""
	}
	return out, next, err
}

// effectiveInput applies InputPath, then the payload template (Parameters
// or, for Map items, ItemSelector).
func (r *stateRun) effectiveInput(input any, tmpl *payloadTemplate) (any, *StatesError) {
	st := r.st
	eff := input
	switch {
	case st.inputPathNull:
		eff = map[string]any{}
	case st.inputPath != nil:
		v, ok := st.inputPath.get(input, r.contextObject())
		if !ok {
			return nil, newStatesError(StatesRuntime, "An error occurred while executing the state '%s'. Invalid path '%s' : No results for path: %s", st.Name, st.inputPath.raw, st.inputPath.raw)
		}
		eff = v
	}
	if tmpl == nil {
		return eff, nil
	}
	return r.evalPayload(tmpl, eff)
}

func (r *stateRun) evalPayload(tmpl *payloadTemplate, input any) (any, *StatesError) {
	v, err := tmpl.eval(input, r.contextObject())
	if err != nil {
		return nil, asStatesError(err)
	}
	return v, nil
}

// applyResultPath places result into the raw state input; ResultPath null
// discards it and keeps the input.
func (r *stateRun) applyResultPath(input, result any, rp *Path, discard bool) (any, *StatesError) {
	switch {
	case discard:
		return input, nil
	case rp == nil || len(rp.expr) == 1:
		return result, nil
	}
	out, err := rp.set(input, result)
	if err != nil {
		return nil, newStatesError(StatesResultPathMatchFailure, "%v", err)
	}
	return out, nil
}

func (r *stateRun) applyOutputPath(out any) (any, *StatesError) {
	st := r.st
	switch {
	case st.outputPathNull:
		return map[string]any{}, nil
	case st.outputPath == nil:
		return out, nil
	}
	v, ok := st.outputPath.get(out, r.contextObject())
	if !ok {
		return nil, newStatesError(StatesRuntime, "An error occurred while executing the state '%s'. Invalid path '%s' : No results for path: %s", st.Name, st.outputPath.raw, st.outputPath.raw)
	}
	return v, nil
}

func asStatesError(err error) *StatesError {
	var se *StatesError
	if errors.As(err, &se) {
		return se
	}
	return &StatesError{Name: StatesRuntime, Cause: err.Error()}
}

func (r *stateRun) failState(input any) *StatesError {
	st := r.st
	se := &StatesError{Name: st.errorName, Cause: st.cause}
	for _, f := range []struct {
		expr *valueExpr
		dst  *string
	}{{st.errorPath, &se.Name}, {st.causePath, &se.Cause}} {
		if f.expr == nil {
			continue
		}
		v, err := f.expr.eval(input, r.contextObject())
		if err != nil {
			return asStatesError(err)
		}
		s, ok := v.(string)
		if !ok {
			return newStatesError(StatesRuntime, "The value of ErrorPath/CausePath in state '%s' must be a string, got %s", st.Name, jsonTypeName(v))
		}
		*f.dst = s
	}
	return se
}

// wait blocks until the Wait state's time has come, on the executor's clock.
func (r *stateRun) wait(ctx context.Context, eff any) *StatesError {
	st := r.st
	clock := r.t.x.e.clock
	var d time.Duration
	switch {
	case st.seconds != nil:
		d = time.Duration(*st.seconds) * time.Second
	case st.timestamp != nil:
		d = st.timestamp.Sub(clock.Now())
	case st.secondsPath != nil:
		v, ok := st.secondsPath.get(eff, r.contextObject())
		n, isInt := toInt(v)
		if !ok || !isInt || n < 0 {
			return newStatesError(StatesRuntime, "The SecondsPath parameter does not reference a valid non-negative integer: %s", st.secondsPath.raw)
		}
		d = time.Duration(n) * time.Second
	case st.timestampPath != nil:
		v, ok := st.timestampPath.get(eff, r.contextObject())
		s, isStr := v.(string)
		ts, err := parseTimestamp(s)
		if !ok || !isStr || err != nil {
			return newStatesError(StatesRuntime, "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: %s", st.timestampPath.raw)
		}
		d = ts.Sub(clock.Now())
	}
	if d <= 0 {
		return nil
	}
	if !r.t.work.Sleep(ctx, d, "step functions wait state") {
		return errAborted
	}
	return nil
}

package asl

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
)

// parallel runs every branch concurrently on the effective input. The
// first branch to fail cancels the others and fails the state with the
// branch's error.
func (r *stateRun) parallel(ctx context.Context, input any) (any, *StatesError) {
	eff, err := r.effectiveInput(input, r.st.parameters)
	if err != nil {
		return nil, err
	}
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeParallelStateStarted})
	results := make([]any, len(r.st.branches))
	ferr := runConcurrently(ctx, r.t, len(r.st.branches), 0, func(ctx context.Context, th *thread, i int) *StatesError {
		out, err := th.runMachine(ctx, r.st.branches[i], eff)
		results[i] = out
		return err
	}, nil)
	if ferr != nil {
		if ferr != errAborted {
			r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeParallelStateFailed})
		}
		return nil, ferr
	}
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeParallelStateSucceeded})
	return results, nil
}

// runConcurrently runs n jobs on threads forked from parent, at most limit
// at a time (0: no limit). When onFailure is nil the first failure cancels
// the rest and is returned; otherwise onFailure decides per failure
// whether to stop (returning the error to stop with) or carry on.
//
// The parent's work is paused while it waits for its jobs: each job's
// thread is work of its own, and a job that ends resumes the parent
// before its own work ends (the hand-over).
func runConcurrently(ctx context.Context, parent *thread, n int, limit int64, job func(context.Context, *thread, int) *StatesError, onFailure func(i int, err *StatesError) *StatesError) *StatesError {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if limit <= 0 || limit > int64(n) {
		limit = int64(n)
	}
	type ended struct {
		i   int
		err *StatesError
	}
	ends := make(chan ended, n)
	var first *StatesError
	running, next := 0, 0
	for next < n || running > 0 {
		for next < n && int64(running) < limit && ctx.Err() == nil {
			th, i := parent.fork(ctx), next
			go func() {
				err := job(ctx, th, i)
				parent.work.Resume()
				ends <- ended{i, err}
				th.work.Done()
			}()
			running++
			next++
		}
		if running == 0 {
			break
		}
		end := activity.Receive(parent.work, ends)
		running--
		if end.err == nil || end.err == errAborted {
			continue
		}
		err := end.err
		if onFailure != nil {
			err = onFailure(end.i, err)
		}
		if err != nil && first == nil {
			first = err
			cancel()
		}
	}
	if first != nil {
		return first
	}
	if ctx.Err() != nil {
		return errAborted
	}
	return nil
}

// mapState runs the processor once per item of ItemsPath (inline mode).
func (r *stateRun) mapState(ctx context.Context, input any) (any, *StatesError) {
	st := r.st
	eff, err := r.effectiveInput(input, nil)
	if err != nil {
		return nil, err
	}
	itemsV := eff
	if st.itemsPath != nil {
		v, ok := st.itemsPath.get(eff, r.contextObject())
		if !ok {
			return nil, newStatesError(StatesRuntime, "Invalid path '%s' : No results for path: %s", st.itemsPath.raw, st.itemsPath.raw)
		}
		itemsV = v
	}
	items, ok := itemsV.([]any)
	if !ok {
		return nil, newStatesError(StatesRuntime, "Map state input must be an array but was: %s", jsonTypeName(itemsV))
	}
	limit, err := r.intOrPath(eff, st.maxConcurrency, st.maxConcurrencyPath, 0)
	if err != nil {
		return nil, err
	}
	tolCount, err := r.intOrPath(eff, st.toleratedFailureCount, st.toleratedFailureCountPath, 0)
	if err != nil {
		return nil, err
	}
	tolPct := st.toleratedFailurePercentage
	if st.toleratedFailurePercentPath != nil {
		v, ok := st.toleratedFailurePercentPath.get(eff, r.contextObject())
		f, isNum := toFloat(v)
		if !ok || !isNum || f < 0 || f > 100 {
			return nil, newStatesError(StatesRuntime, "The value at '%s' must be a number between 0 and 100", st.toleratedFailurePercentPath.raw)
		}
		tolPct = f
	}
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapStateStarted, MapStateStartedEventDetails: &types.MapStateStartedEventDetails{Length: int32(len(items))}})

	results := make([]any, len(items))
	failures := 0
	var onFailure func(int, *StatesError) *StatesError
	if st.hasToleratedFailureThreshold {
		onFailure = func(i int, err *StatesError) *StatesError {
			failures++
			results[i] = map[string]any{"Error": err.Name, "Cause": err.Cause}
			tooMany := (st.toleratedFailureCount > 0 || st.toleratedFailureCountPath != nil) && int64(failures) > tolCount
			if !tooMany && (st.toleratedFailurePercentage > 0 || st.toleratedFailurePercentPath != nil) {
				tooMany = float64(failures)*100/float64(len(items)) > tolPct
			}
			if tooMany || (tolCount == 0 && tolPct == 0) {
				return newStatesError(StatesExceedToleratedFailure, "The specified tolerated failure threshold was exceeded")
			}
			return nil
		}
	}
	ferr := runConcurrently(ctx, r.t, len(items), limit, func(ctx context.Context, th *thread, i int) *StatesError {
		details := &types.MapIterationEventDetails{Name: aws.String(st.Name), Index: int32(i)}
		th.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapIterationStarted, MapIterationStartedEventDetails: details})
		item := &mapItem{index: i, value: items[i]}
		sub := &stateRun{t: th, st: st, entered: r.entered, item: item, retries: r.retries}
		in := items[i]
		if st.itemSelector != nil {
			v, err := sub.evalPayload(st.itemSelector, eff)
			if err != nil {
				return err
			}
			in = v
		}
		out, err := th.runMachine(ctx, st.processor, in)
		switch {
		case err == errAborted:
			th.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapIterationAborted, MapIterationAbortedEventDetails: details})
		case err != nil:
			th.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapIterationFailed, MapIterationFailedEventDetails: details})
		default:
			results[i] = out
			th.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapIterationSucceeded, MapIterationSucceededEventDetails: details})
		}
		return err
	}, onFailure)
	if ferr != nil {
		if ferr != errAborted {
			r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapStateFailed})
		}
		return nil, ferr
	}
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeMapStateSucceeded})
	return results, nil
}

// intOrPath reads an integer field (TimeoutSeconds, MaxConcurrency, ...) or,
// when set, its ...Path variant, which must select an integer >= minimum.
func (r *stateRun) intOrPath(eff any, lit int64, p *Path, minimum int64) (int64, *StatesError) {
	if p == nil {
		return lit, nil
	}
	v, ok := p.get(eff, r.contextObject())
	n, isInt := toInt(v)
	if !ok || !isInt || n < minimum {
		return 0, newStatesError(StatesRuntime, "The value at '%s' must be an integer of at least %d, got %s", p.raw, minimum, fmt.Sprint(v))
	}
	return n, nil
}

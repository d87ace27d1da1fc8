package asl

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// withErrorHandling runs a Task, Parallel or Map state with its Retry and
// Catch fields: each failed attempt is matched against the retriers in
// order (each keeps its own attempt count), and once retries are exhausted
// against the catchers.
func (r *stateRun) withErrorHandling(ctx context.Context, input any) (any, string, *StatesError) {
	st := r.st
	attempts := make([]int64, len(st.retry))
	for {
		out, err := r.attempt(ctx, input)
		if err == nil {
			if st.end {
				return out, "", nil
			}
			return out, st.next, nil
		}
		if err == errAborted || ctx.Err() != nil {
			return nil, "", errAborted
		}
		if delay, ok := r.retryDelay(err, attempts); ok {
			if delay > 0 && !r.t.work.Sleep(ctx, delay, "step functions retry interval") {
				return nil, "", errAborted
			}
			r.retries++
			r.entered = r.t.x.e.clock.Now()
			continue
		}
		for _, c := range st.catch {
			if !matchesError(c.errorEquals, err.Name) {
				continue
			}
			out, perr := r.applyResultPath(input, map[string]any{"Error": err.Name, "Cause": err.Cause}, c.resultPath, c.resultPathNull)
			if perr != nil {
				return nil, "", perr
			}
			return out, c.next, nil
		}
		return nil, "", err
	}
}

// retryDelay finds the first retrier matching err. It reports false when
// none matches or the matching one has no attempts left (a matching
// retrier with MaxAttempts 0 stops the search: the error is not retried).
func (r *stateRun) retryDelay(err *StatesError, attempts []int64) (time.Duration, bool) {
	for i, rt := range r.st.retry {
		if !matchesError(rt.errorEquals, err.Name) {
			continue
		}
		if attempts[i] >= rt.maxAttempts {
			return 0, false
		}
		secs := rt.intervalSeconds * math.Pow(rt.backoffRate, float64(attempts[i]))
		if rt.maxDelaySeconds > 0 {
			secs = math.Min(secs, rt.maxDelaySeconds)
		}
		if rt.fullJitter {
			secs = rand.Float64() * secs
		}
		attempts[i]++
		return time.Duration(secs * float64(time.Second)), true
	}
	return 0, false
}

// attempt runs the state's work once, with input and output processing.
func (r *stateRun) attempt(ctx context.Context, input any) (any, *StatesError) {
	st := r.st
	var result any
	var err *StatesError
	switch st.Type {
	case "Task":
		result, err = r.task(ctx, input)
	case "Parallel":
		result, err = r.parallel(ctx, input)
	case "Map":
		result, err = r.mapState(ctx, input)
	}
	if err != nil {
		return nil, err
	}
	if st.resultSelector != nil {
		if result, err = r.evalPayload(st.resultSelector, result); err != nil {
			return nil, err
		}
	}
	out, err := r.applyResultPath(input, result, st.resultPath, st.resultPathNull)
	if err != nil {
		return nil, err
	}
	return r.applyOutputPath(out)
}

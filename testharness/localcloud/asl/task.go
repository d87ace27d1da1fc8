package asl

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// callback is an outstanding task token.
type callback struct {
	done      chan *taskOutcome // receives exactly one outcome
	heartbeat chan struct{}
}

type taskOutcome struct {
	output any
	err    *StatesError
}

// TokenError is returned by SendTaskSuccess, SendTaskFailure and
// SendTaskHeartbeat; Code is the Step Functions API error code
// (TaskDoesNotExist, InvalidToken, InvalidOutput).
type TokenError struct {
	Code    string
	Message string
}

func (e *TokenError) Error() string { return e.Code + ": " + e.Message }

func (e *Executor) lookupToken(token string, remove bool) (*callback, error) {
	if token == "" {
		return nil, &TokenError{Code: "InvalidToken", Message: "Invalid token"}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cb, ok := e.tokens[token]
	if !ok {
		return nil, &TokenError{Code: "TaskDoesNotExist", Message: "Task Timed Out: 'Provided task does not exist anymore'"}
	}
	if remove {
		delete(e.tokens, token)
	}
	return cb, nil
}

// SendTaskSuccess completes the task waiting on token with output (JSON).
func (e *Executor) SendTaskSuccess(token string, output []byte) error {
	v, err := decodeJSON(output)
	if err != nil {
		return &TokenError{Code: "InvalidOutput", Message: err.Error()}
	}
	cb, err := e.lookupToken(token, true)
	if err != nil {
		return err
	}
	cb.done <- &taskOutcome{output: v}
	return nil
}

// SendTaskFailure fails the task waiting on token with an error name and cause.
func (e *Executor) SendTaskFailure(token, errorName, cause string) error {
	cb, err := e.lookupToken(token, true)
	if err != nil {
		return err
	}
	cb.done <- &taskOutcome{err: &StatesError{Name: errorName, Cause: cause}}
	return nil
}

// SendTaskHeartbeat resets the heartbeat timer of the task waiting on token.
func (e *Executor) SendTaskHeartbeat(token string) error {
	cb, err := e.lookupToken(token, false)
	if err != nil {
		return err
	}
	select {
	case cb.heartbeat <- struct{}{}:
	default: // a heartbeat is already pending; one is enough
	}
	return nil
}

func newTaskToken() string {
	var b [96]byte
	_, _ = rand.Read(b[:]) // never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// resourceParts splits a Resource ARN into the resourceType and resource
// that Task* events report: arn:aws:states:::lambda:invoke gives "lambda"
// and "invoke"; other ARNs give their service and the whole ARN.
func resourceParts(arn string) (string, string) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[2] == "states" && parts[3] == "" && parts[4] == "" {
		if svc, rest, ok := strings.Cut(parts[5], ":"); ok {
			return svc, rest
		}
	}
	if len(parts) >= 3 {
		return parts[2], arn
	}
	return "", arn
}

// task runs one attempt of a Task state and returns its raw result.
func (r *stateRun) task(ctx context.Context, input any) (any, *StatesError) {
	st := r.st
	x := r.t.x
	e := x.e
	r.token = ""
	var cb *callback
	if strings.HasSuffix(st.resource, ".waitForTaskToken") {
		r.token = newTaskToken()
		cb = &callback{done: make(chan *taskOutcome, 1), heartbeat: make(chan struct{}, 1)}
		e.mu.Lock()
		e.tokens[r.token] = cb
		e.mu.Unlock()
		defer func() {
			e.mu.Lock()
			delete(e.tokens, r.token)
			e.mu.Unlock()
		}()
	}
	eff, err := r.effectiveInput(input, st.parameters)
	if err != nil {
		return nil, err
	}
	timeout, err := r.intOrPath(eff, st.timeoutSeconds, st.timeoutSecondsPath, 1)
	if err != nil {
		return nil, err
	}
	heartbeat, err := r.intOrPath(eff, st.heartbeatSeconds, st.heartbeatSecondsPath, 1)
	if err != nil {
		return nil, err
	}
	params := encodeJSON(eff)
	resType, res := resourceParts(st.resource)
	sched := &types.TaskScheduledEventDetails{ResourceType: aws.String(resType), Resource: aws.String(res), Region: aws.String(e.region), Parameters: aws.String(params)}
	if timeout > 0 {
		sched.TimeoutInSeconds = aws.Int64(timeout)
	}
	if heartbeat > 0 {
		sched.HeartbeatInSeconds = aws.Int64(heartbeat)
	}
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeTaskScheduled, TaskScheduledEventDetails: sched})
	r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeTaskStarted, TaskStartedEventDetails: &types.TaskStartedEventDetails{ResourceType: aws.String(resType), Resource: aws.String(res)}})

	out, serr, timedOut := r.await(ctx, &TaskRequest{
		Resource: st.resource, Input: json.RawMessage(params), TaskToken: r.token, StateName: st.Name,
		ExecutionArn: x.arn, RetryCount: r.retries, TimeoutSecs: timeout, HeartbeatSec: heartbeat,
	}, cb, timeout, heartbeat)
	switch {
	case serr == errAborted:
		return nil, serr
	case timedOut:
		r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeTaskTimedOut, TaskTimedOutEventDetails: &types.TaskTimedOutEventDetails{ResourceType: aws.String(resType), Resource: aws.String(res), Error: aws.String(serr.Name), Cause: aws.String(serr.Cause)}})
		return nil, serr
	case serr != nil:
		r.t.emit(types.HistoryEvent{Type: types.HistoryEventTypeTaskFailed, TaskFailedEventDetails: &types.TaskFailedEventDetails{ResourceType: aws.String(resType), Resource: aws.String(res), Error: aws.String(serr.Name), Cause: aws.String(serr.Cause)}})
		return nil, serr
	}
	ev := types.HistoryEvent{Type: types.HistoryEventTypeTaskSucceeded, TaskSucceededEventDetails: &types.TaskSucceededEventDetails{ResourceType: aws.String(resType), Resource: aws.String(res)}}
	if x.recording() {
		ev.TaskSucceededEventDetails.Output = aws.String(encodeJSON(out))
	}
	r.t.emit(ev)
	return out, nil
}

type invokeResult struct {
	out json.RawMessage
	err error
}

// await calls the invoker and waits for the task's outcome, its timeout,
// its heartbeat timeout, or the end of the execution.
func (r *stateRun) await(ctx context.Context, req *TaskRequest, cb *callback, timeout, heartbeat int64) (any, *StatesError, bool) {
	clock := r.t.x.e.clock
	taskCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	resCh := make(chan invokeResult, 1)
	go func() {
		out, err := r.t.x.e.invoker.InvokeTask(taskCtx, req)
		resCh <- invokeResult{out, err}
	}()
	var timeoutC, heartbeatC <-chan time.Time
	if timeout > 0 {
		timeoutC = clock.After(time.Duration(timeout) * time.Second)
	}
	var doneC <-chan *taskOutcome
	var beatC <-chan struct{}
	if cb != nil {
		doneC, beatC = cb.done, cb.heartbeat
		if heartbeat > 0 {
			heartbeatC = clock.After(time.Duration(heartbeat) * time.Second)
		}
	}
	for {
		select {
		case res := <-resCh:
			resCh = nil
			if res.err != nil {
				return nil, taskError(res.err), false
			}
			if cb != nil {
				continue // the outcome comes through the token
			}
			if len(res.out) > maxPayloadBytes {
				return nil, newStatesError(StatesDataLimitExceeded, "The state/task '%s' returned a result with a size exceeding the maximum number of bytes service limit.", req.StateName), false
			}
			if len(res.out) == 0 {
				return nil, nil, false
			}
			v, err := decodeJSON(res.out)
			if err != nil {
				return nil, newStatesError(StatesTaskFailed, "The task returned invalid JSON: %v", err), false
			}
			return v, nil, false
		case o := <-doneC:
			return o.output, o.err, false
		case <-beatC:
			if heartbeat > 0 {
				heartbeatC = clock.After(time.Duration(heartbeat) * time.Second)
			}
		case <-timeoutC:
			return nil, &StatesError{Name: StatesTimeout, Cause: ""}, true
		case <-heartbeatC:
			return nil, &StatesError{Name: StatesHeartbeatTimeout, Cause: ""}, true
		case <-ctx.Done():
			return nil, errAborted, false
		}
	}
}

// taskError turns an invoker's error into the task's error.
func taskError(err error) *StatesError {
	var se *StatesError
	if errors.As(err, &se) {
		return se
	}
	return &StatesError{Name: StatesTaskFailed, Cause: err.Error()}
}

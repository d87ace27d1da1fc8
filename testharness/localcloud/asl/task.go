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

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
)

// callback is an outstanding task token. Whoever answers it resumes the
// waiting thread's work before the answer is sent (the hand-over).
type callback struct {
	done      chan *taskOutcome // receives exactly one outcome
	heartbeat chan struct{}
	work      *activity.Work
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
	cb.work.Resume()
	cb.done <- &taskOutcome{output: v}
	return nil
}

// SendTaskFailure fails the task waiting on token with an error name and cause.
func (e *Executor) SendTaskFailure(token, errorName, cause string) error {
	cb, err := e.lookupToken(token, true)
	if err != nil {
		return err
	}
	cb.work.Resume()
	cb.done <- &taskOutcome{err: &StatesError{Name: errorName, Cause: cause}}
	return nil
}

// SendTaskHeartbeat resets the heartbeat timer of the task waiting on token.
func (e *Executor) SendTaskHeartbeat(token string) error {
	cb, err := e.lookupToken(token, false)
	if err != nil {
		return err
	}
	cb.work.Resume()
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
		cb = &callback{done: make(chan *taskOutcome, 1), heartbeat: make(chan struct{}, 1), work: r.t.work}
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
// its heartbeat timeout, or the end of the execution. Once the invoker
// has answered, a task that waits for its token pauses the thread's work:
// the answer (SendTaskSuccess, …) or a timer resumes it.
func (r *stateRun) await(ctx context.Context, req *TaskRequest, cb *callback, timeout, heartbeat int64) (any, *StatesError, bool) {
	work, tracker := r.t.work, r.t.x.e.tracker
	taskCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	resCh := make(chan invokeResult, 1)
	go func() {
		out, err := r.t.x.e.invoker.InvokeTask(taskCtx, req)
		resCh <- invokeResult{out, err}
	}()
	// Deferred in this order, the thread is busy again before its timers
	// stop pending.
	var timeoutC, heartbeatC <-chan time.Time
	if timeout > 0 {
		tm := tracker.NewTimer(ctx, time.Duration(timeout)*time.Second, "step functions task timeout")
		defer tm.Stop()
		timeoutC = tm.C
	}
	var beat *activity.Timer
	armHeartbeat := func() {
		if beat != nil {
			beat.Stop()
		}
		beat = tracker.NewTimer(ctx, time.Duration(heartbeat)*time.Second, "step functions task heartbeat timeout")
		heartbeatC = beat.C
	}
	defer func() {
		if beat != nil {
			beat.Stop()
		}
	}()
	var doneC <-chan *taskOutcome
	var beatC <-chan struct{}
	if cb != nil {
		doneC, beatC = cb.done, cb.heartbeat
		if heartbeat > 0 {
			armHeartbeat()
		}
	}
	defer work.Resume()
	for {
		// Waiting on the token alone, the thread pauses. An answer resumes
		// it before it is sent, and is still in flight then (the answering
		// request is busy), so an answer not yet here keeps the cloud busy
		// one way or the other.
		if seen := work.Wakes(); resCh == nil && len(doneC) == 0 && len(beatC) == 0 {
			work.PauseUnlessWoken(seen)
		}
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
			work.Resume()
			if heartbeat > 0 {
				armHeartbeat()
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

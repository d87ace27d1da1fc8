package asl

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// TaskRequest is what a Task state asks its integration to do.
type TaskRequest struct {
	Resource     string          // the state's Resource ARN, as written
	Input        json.RawMessage // the effective input (after InputPath and Parameters)
	TaskToken    string          // set for .waitForTaskToken resources (also in $$.Task.Token)
	StateName    string
	ExecutionArn string
	RetryCount   int   // 0 on the first attempt
	TimeoutSecs  int64 // 0 when the state sets no timeout
	HeartbeatSec int64 // 0 when the state sets no heartbeat
}

// TaskInvoker runs Task states. It is implemented by the caller (the local
// cloud routes Lambda, SQS, EventBridge... integrations through it).
//
// InvokeTask MUST return the task's result as JSON, or an error: a
// *StatesError fails the task with that error name and cause (e.g.
// "Lambda.ServiceException"), any other error fails it with
// States.TaskFailed. ctx is cancelled when the task times out or the
// execution stops; the invoker SHOULD return promptly then.
//
// For a TaskRequest with a TaskToken the returned result is ignored: the
// task completes when the executor's SendTaskSuccess or SendTaskFailure is
// called with the token, which may happen before or after InvokeTask
// returns. An error still fails the task at once.
type TaskInvoker interface {
	InvokeTask(ctx context.Context, req *TaskRequest) (json.RawMessage, error)
}

// TaskInvokerFunc adapts a function to TaskInvoker.
type TaskInvokerFunc func(ctx context.Context, req *TaskRequest) (json.RawMessage, error)

func (f TaskInvokerFunc) InvokeTask(ctx context.Context, req *TaskRequest) (json.RawMessage, error) {
	return f(ctx, req)
}

// Executor runs state machines. One Executor serves many concurrent
// executions and owns their outstanding task tokens.
type Executor struct {
	invoker TaskInvoker
	clock   clock.Clock
	tracker *activity.Tracker
	region  string

	mu     sync.Mutex
	tokens map[string]*callback // outstanding task tokens; guarded by mu
}

// Option configures an Executor.
type Option func(*Executor)

// WithClock replaces the wall clock: Wait states, retry intervals, task
// timeouts, heartbeats and the execution timeout all wait on its After
// (tests pass a *clock.Fake, so nothing really sleeps).
func WithClock(c clock.Clock) Option { return func(e *Executor) { e.clock = c } }

// WithTracker records each execution's threads as work in progress on t,
// paused while they wait on a task token, a Wait state or a retry
// interval (timers t knows of), so that a cloud built around the executor
// can tell when it has settled and virtual time can jump. Without it
// executions are tracked by a tracker nobody waits on.
func WithTracker(t *activity.Tracker) Option { return func(e *Executor) { e.tracker = t } }

// WithRegion sets the region reported in TaskScheduled events (default us-east-1).
func WithRegion(r string) Option { return func(e *Executor) { e.region = r } }

// NewExecutor returns an executor that runs Task states through invoker.
func NewExecutor(invoker TaskInvoker, opts ...Option) *Executor {
	e := &Executor{invoker: invoker, clock: clock.Real{}, region: "us-east-1", tokens: map[string]*callback{}}
	for _, o := range opts {
		o(e)
	}
	e.tracker = activity.OrNew(e.tracker, e.clock)
	return e
}

// RunOptions describe one execution; every field is optional.
type RunOptions struct {
	ExecutionArn     string // default arn:aws:states:<region>:123456789012:execution:<machine>:<name>
	Name             string // default a random UUID
	StateMachineArn  string
	StateMachineName string // default "StateMachine"
	RoleArn          string
	History          HistorySink
	// Work is the execution's work in progress, begun by the caller (so
	// that it covers what the caller does before and after Run): the
	// executor pauses it while the execution waits and leaves it busy when
	// Run returns. Nil: the executor begins and ends its own.
	Work *activity.Work
}

// Execution statuses, as DescribeExecution reports them.
const (
	StatusSucceeded = "SUCCEEDED"
	StatusFailed    = "FAILED"
	StatusTimedOut  = "TIMED_OUT"
	StatusAborted   = "ABORTED"
)

// Result is how an execution ended.
type Result struct {
	Status    string
	Output    json.RawMessage // when Status is SUCCEEDED
	Error     string          // otherwise
	Cause     string
	StartDate time.Time
	StopDate  time.Time
}

// maxPayloadBytes is Step Functions' 256 KiB limit on inputs and results.
const maxPayloadBytes = 256 * 1024

// Run executes sm with input (JSON; empty means {}) and returns when the
// execution ends. Cancelling ctx aborts it (as StopExecution does). The
// error is non-nil only when the execution could not start.
func (e *Executor) Run(ctx context.Context, sm *StateMachine, input []byte, opts RunOptions) (*Result, error) {
	if len(input) == 0 {
		input = []byte("{}")
	}
	if len(input) > maxPayloadBytes {
		return nil, fmt.Errorf("asl: execution input is %d bytes, more than the %d allowed", len(input), maxPayloadBytes)
	}
	in, err := decodeJSON(input)
	if err != nil {
		return nil, fmt.Errorf("asl: invalid execution input: %w", err)
	}
	x := e.newExecution(sm, in, opts)
	if sm.TimeoutSeconds > 0 {
		x.deadline = x.start.Add(time.Duration(sm.TimeoutSeconds) * time.Second)
	}
	work := opts.Work
	if work == nil {
		work = e.tracker.Begin(ctx, "step functions execution "+x.arn)
		defer work.Done()
	}
	th := &thread{x: x, work: work}
	th.emit(types.HistoryEvent{Type: types.HistoryEventTypeExecutionStarted, ExecutionStartedEventDetails: &types.ExecutionStartedEventDetails{
		Input: aws.String(encodeJSON(in)), RoleArn: nonEmpty(opts.RoleArn),
	}})

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if sm.TimeoutSeconds > 0 {
		// The timer stays pending until the execution has ended, so the
		// execution does not look settled while it winds up.
		expired := e.tracker.NewTimer(ctx, time.Duration(sm.TimeoutSeconds)*time.Second, "step functions execution timeout")
		defer expired.Stop()
		go func() {
			select {
			case <-expired.C:
				work.Resume()
				cancel(errExecutionTimedOut)
			case <-runCtx.Done():
			}
		}()
	}
	out, serr := th.runMachine(runCtx, sm, in)
	res := &Result{StartDate: x.start}
	switch {
	case errors.Is(context.Cause(runCtx), errExecutionTimedOut) || x.expired():
		res.Status, res.Error, res.Cause = StatusTimedOut, StatesTimeout, "The execution timed out"
		th.emit(types.HistoryEvent{Type: types.HistoryEventTypeExecutionTimedOut, ExecutionTimedOutEventDetails: &types.ExecutionTimedOutEventDetails{Error: aws.String(res.Error), Cause: aws.String(res.Cause)}})
	case runCtx.Err() != nil:
		res.Status = StatusAborted
		th.emit(types.HistoryEvent{Type: types.HistoryEventTypeExecutionAborted, ExecutionAbortedEventDetails: &types.ExecutionAbortedEventDetails{}})
	case serr != nil:
		res.Status, res.Error, res.Cause = StatusFailed, serr.Name, serr.Cause
		th.emit(types.HistoryEvent{Type: types.HistoryEventTypeExecutionFailed, ExecutionFailedEventDetails: &types.ExecutionFailedEventDetails{Error: aws.String(serr.Name), Cause: aws.String(serr.Cause)}})
	default:
		res.Status = StatusSucceeded
		res.Output = json.RawMessage(encodeJSON(out))
		th.emit(types.HistoryEvent{Type: types.HistoryEventTypeExecutionSucceeded, ExecutionSucceededEventDetails: &types.ExecutionSucceededEventDetails{Output: aws.String(string(res.Output))}})
	}
	res.StopDate = e.clock.Now()
	return res, nil
}

var errExecutionTimedOut = errors.New("execution timed out")

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// execution is the shared state of one run.
type execution struct {
	e       *Executor
	arn     string
	start   time.Time
	history HistorySink
	// ctxBase holds the Execution and StateMachine parts of the context
	// object, shared read-only by every state.
	ctxExecution    map[string]any
	ctxStateMachine map[string]any

	// deadline is when TimeoutSeconds expires (zero: never). Threads check
	// it between states as well as being cancelled by a timer, so a fake
	// clock that jumps past it cannot let a state finish late.
	deadline time.Time

	mu     sync.Mutex
	nextID int64 // guarded by mu
}

func (x *execution) expired() bool {
	return !x.deadline.IsZero() && !x.e.clock.Now().Before(x.deadline)
}

func (e *Executor) newExecution(sm *StateMachine, in any, opts RunOptions) *execution {
	name := opts.Name
	if name == "" {
		name = newUUID()
	}
	smName := opts.StateMachineName
	if smName == "" {
		smName = "StateMachine"
	}
	smArn := opts.StateMachineArn
	if smArn == "" {
		smArn = fmt.Sprintf("arn:aws:states:%s:123456789012:stateMachine:%s", e.region, smName)
	}
	arn := opts.ExecutionArn
	if arn == "" {
		arn = fmt.Sprintf("arn:aws:states:%s:123456789012:execution:%s:%s", e.region, smName, name)
	}
	start := e.clock.Now()
	exec := map[string]any{
		"Id": arn, "Input": in, "Name": name, "StartTime": formatTime(start), "RedriveCount": int64(0),
	}
	if opts.RoleArn != "" {
		exec["RoleArn"] = opts.RoleArn
	}
	return &execution{
		e: e, arn: arn, start: start, history: opts.History,
		ctxExecution:    exec,
		ctxStateMachine: map[string]any{"Id": smArn, "Name": smName},
	}
}

// formatTime renders a timestamp the way the context object does
// ("2019-03-26T20:14:13.192Z").
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// thread is one sequential line of events (the execution, a Parallel
// branch, a Map iteration): PreviousEventId links events within it. Its
// work is busy while it runs states and paused while it waits.
type thread struct {
	x    *execution
	prev int64
	work *activity.Work
}

// emit records an event with the next id, linked to the thread's previous
// event; with no history sink it only keeps the ids consistent.
func (t *thread) emit(ev types.HistoryEvent) {
	t.x.emit(t, ev)
}

func (x *execution) emit(t *thread, ev types.HistoryEvent) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.nextID++
	ev.Id = x.nextID
	if t != nil {
		ev.PreviousEventId = t.prev
		t.prev = ev.Id
	}
	if x.history != nil {
		now := x.e.clock.Now()
		ev.Timestamp = &now
		x.history.Record(ev)
	}
}

// recording reports whether events are kept, so callers skip rendering
// payloads nobody reads.
func (x *execution) recording() bool { return x.history != nil }

// fork starts a thread for a branch or an iteration, with work of its own
// in progress from now on (call it before the parent may pause).
func (t *thread) fork(ctx context.Context) *thread {
	work := t.x.e.tracker.Begin(ctx, "step functions branch of "+t.x.arn)
	t.x.mu.Lock()
	defer t.x.mu.Unlock()
	return &thread{x: t.x, prev: t.prev, work: work}
}

package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// Execution statuses.
const (
	StatusRunning   = "RUNNING"
	StatusSucceeded = asl.StatusSucceeded
	StatusFailed    = asl.StatusFailed
	StatusTimedOut  = asl.StatusTimedOut
	StatusAborted   = asl.StatusAborted
)

// maxInputBytes is the 256 KiB limit on execution input.
const maxInputBytes = 256 * 1024

// execution is one run of a state machine; its fields after start are
// guarded by s.mu.
type execution struct {
	arn, name string
	sm        *stateMachine // the version it started with
	input     string
	principal identity.Principal // the role session tasks act as
	trace     *executionTrace    // nil when not traced

	status, output, errName, cause string
	start, stop                    time.Time
	events                         []types.HistoryEvent
	historyFull                    bool   // it reached maxHistoryEvents and is failing
	stopError, stopCause           string // what StopExecution asked for

	abort context.CancelFunc
	done  chan struct{} // closed when the execution ends
}

// ExecutionResult is how an execution ended, as OnExecutionDone and
// WaitExecution report it.
type ExecutionResult struct {
	ExecutionArn    string
	StateMachineArn string
	Name            string
	Status          string
	Input           string
	Output          string // SUCCEEDED only
	Error, Cause    string
	StartDate       time.Time
	StopDate        time.Time
	TraceHeader     string
}

// result snapshots an execution; must hold s.mu.
func (x *execution) result() ExecutionResult {
	return ExecutionResult{ExecutionArn: x.arn, StateMachineArn: x.sm.arn, Name: x.name, Status: x.status,
		Input: x.input, Output: x.output, Error: x.errName, Cause: x.cause, StartDate: x.start, StopDate: x.stop,
		TraceHeader: x.trace.header()}
}

// StartExecutionInput is StartExecution's (and StartSyncExecution's)
// request.
type StartExecutionInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	Name            string `json:"name,omitempty"`
	Input           string `json:"input,omitempty"`
	TraceHeader     string `json:"traceHeader,omitempty"`
}

// StartExecutionOutput is StartExecution's response.
type StartExecutionOutput struct {
	ExecutionArn string  `json:"executionArn"`
	StartDate    float64 `json:"startDate"`
}

// StartExecution starts an execution that runs in the background until it
// ends or the service closes. Starting a STANDARD execution again with the
// same name and input while it runs returns it (AWS's idempotency).
func (s *Service) StartExecution(ctx context.Context, in *StartExecutionInput) (*StartExecutionOutput, error) {
	x, err := s.startExecution(ctx, in, false)
	if err != nil {
		return nil, err
	}
	return &StartExecutionOutput{ExecutionArn: x.arn, StartDate: awsproto.Epoch(x.start)}, nil
}

// StartSyncExecutionOutput is StartSyncExecution's response.
type StartSyncExecutionOutput struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	StartDate       float64      `json:"startDate"`
	StopDate        float64      `json:"stopDate"`
	Status          string       `json:"status"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
	Input           string       `json:"input"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          string       `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	TraceHeader     string       `json:"traceHeader,omitempty"`
}

type dataDetails struct {
	Included bool `json:"included"`
}

// StartSyncExecution runs an EXPRESS execution to its end.
func (s *Service) StartSyncExecution(ctx context.Context, in *StartExecutionInput) (*StartSyncExecutionOutput, error) {
	x, err := s.startExecution(ctx, in, true)
	if err != nil {
		return nil, err
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for %s: %w", x.arn, ctx.Err())
	}
	s.mu.Lock()
	r := x.result()
	s.mu.Unlock()
	out := &StartSyncExecutionOutput{ExecutionArn: r.ExecutionArn, StateMachineArn: r.StateMachineArn, Name: r.Name,
		StartDate: awsproto.Epoch(r.StartDate), StopDate: awsproto.Epoch(r.StopDate), Status: r.Status, Error: r.Error, Cause: r.Cause,
		Input: r.Input, InputDetails: dataDetails{Included: true}, TraceHeader: r.TraceHeader}
	if r.Status == StatusSucceeded {
		out.Output, out.OutputDetails = r.Output, &dataDetails{Included: true}
	}
	return out, nil
}

// startExecution validates the request, registers the execution and
// starts it on its own goroutine.
func (s *Service) startExecution(ctx context.Context, in *StartExecutionInput, sync bool) (*execution, error) {
	input := in.Input
	if input == "" {
		input = "{}"
	}
	if len(input) > maxInputBytes {
		return nil, awsproto.ValidationError("1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to %d", maxInputBytes)
	}
	if !json.Valid([]byte(input)) {
		var v any
		err := json.Unmarshal([]byte(input), &v)
		return nil, invalidExecutionInput(err.Error())
	}
	name := in.Name
	if name == "" {
		name = newUUID()
	}
	if !validName(name) {
		return nil, invalidName(name)
	}
	traceHeader := in.TraceHeader
	if traceHeader == "" {
		traceHeader = awsproto.TraceHeader(ctx)
	}
	caller := identity.FromContext(ctx)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, awsproto.NewError("ServiceUnavailable", 503, "The local Step Functions service is closed")
	}
	sm, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	if sync && sm.typ != TypeExpress {
		return nil, typeNotSupported()
	}
	execARN := arn.New("states", "execution:"+sm.name+":"+name)
	if sm.typ == TypeExpress {
		execARN = arn.New("states", "express:"+sm.name+":"+name+":"+newUUID())
	}
	if old, ok := s.executions[execARN]; ok {
		if old.status == StatusRunning && old.input == input {
			return old, nil
		}
		return nil, executionAlreadyExists(execARN)
	}
	now := s.clock.Now()
	x := &execution{arn: execARN, name: name, sm: sm, input: input, status: StatusRunning, start: now,
		principal: s.sessionPrincipal(sm.roleArn, name, now, caller), done: make(chan struct{})}
	x.trace = newExecutionTrace(traceHeader, sm.tracing, now)
	runCtx, abort := context.WithCancel(activity.WithOwner(s.ctx, execARN))
	x.abort = abort
	s.executions[execARN] = x
	s.order = append(s.order, execARN)
	work := s.opts.Activity.Begin(runCtx, "step functions execution "+execARN)
	s.wg.Add(1)
	go func() {
		defer work.Done()
		s.run(runCtx, x, work)
	}()
	return x, nil
}

// sessionPrincipal is the role session an execution acts as: an
// AssumeRole of its state machine's role named after the execution; the
// caller when the service has no identity store.
func (s *Service) sessionPrincipal(roleArn, execName string, now time.Time, caller identity.Principal) identity.Principal {
	if s.opts.Roles == nil || roleArn == "" {
		return caller
	}
	session := execName
	if len(session) > 64 { // STS's RoleSessionName limit
		session = session[:64]
	}
	creds := s.opts.Roles.AssumeRole(roleArn, session, now, time.Hour)
	if p, _, ok := s.opts.Roles.Lookup(creds.AccessKeyID); ok {
		return p
	}
	return caller
}

// run executes x and records how it ended. work is the execution's work
// in progress: the executor pauses it while the execution waits.
func (s *Service) run(ctx context.Context, x *execution, work *activity.Work) {
	defer s.wg.Done()
	defer x.abort()
	s.mu.Lock()
	started := x.result()
	s.mu.Unlock()
	s.publishStatusChange(ctx, started, x.sm.typ)
	res, err := s.executor.Run(ctx, x.sm.parsed, []byte(x.input), asl.RunOptions{
		ExecutionArn: x.arn, Name: x.name, StateMachineArn: x.sm.arn, StateMachineName: x.sm.name,
		RoleArn: x.sm.roleArn, History: historySink{s: s, x: x}, Work: work,
	})
	if err != nil { // input was validated at start; a failure here is the interpreter's
		res = &asl.Result{Status: StatusFailed, Error: asl.StatesRuntime, Cause: err.Error(), StopDate: s.clock.Now()}
	}
	s.mu.Lock()
	x.status, x.output, x.errName, x.cause, x.stop = res.Status, string(res.Output), res.Error, res.Cause, res.StopDate
	switch {
	case x.historyFull:
		x.status, x.output, x.errName, x.cause = StatusFailed, "", asl.StatesRuntime, historyLimitCause
	case res.Status == StatusAborted:
		x.errName, x.cause = x.stopError, x.stopCause
	}
	r := x.result()
	s.mu.Unlock()

	// The trace is recorded before anyone waiting learns of the end.
	if x.trace != nil && x.trace.sampled && s.opts.Tracer != nil {
		s.opts.Tracer.TraceExecution(x.trace.record(r))
	}
	s.publishStatusChange(context.WithoutCancel(ctx), r, x.sm.typ)
	s.mu.Lock()
	hooks := make([]func(ExecutionResult), 0, len(s.hooks))
	for _, h := range s.hooks {
		hooks = append(hooks, h)
	}
	close(x.done)
	s.mu.Unlock()
	for _, h := range hooks {
		h(r)
	}
}

// OnExecutionDone registers fn to be called, on the execution's goroutine,
// whenever an execution ends. The returned func unregisters it.
func (s *Service) OnExecutionDone(fn func(ExecutionResult)) (cancel func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	id := s.nextID
	s.hooks[id] = fn
	return func() {
		s.mu.Lock()
		delete(s.hooks, id)
		s.mu.Unlock()
	}
}

// WaitExecution blocks until the execution ends (or ctx does) and returns
// how it ended.
func (s *Service) WaitExecution(ctx context.Context, executionArn string) (ExecutionResult, error) {
	s.mu.Lock()
	x, err := s.lookupExecution(executionArn)
	s.mu.Unlock()
	if err != nil {
		return ExecutionResult{}, err
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		return ExecutionResult{}, fmt.Errorf("waiting for %s: %w", executionArn, ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return x.result(), nil
}

// lookupExecution finds an execution; must hold s.mu.
func (s *Service) lookupExecution(execArn string) (*execution, error) {
	if err := checkARN(execArn, "execution"); err != nil {
		return nil, err
	}
	x, ok := s.executions[execArn]
	if !ok {
		return nil, executionDoesNotExist(execArn)
	}
	return x, nil
}

// ExecutionArnInput names an execution.
type ExecutionArnInput struct {
	ExecutionArn string `json:"executionArn"`
}

// DescribeExecutionOutput is DescribeExecution's response.
type DescribeExecutionOutput struct {
	ExecutionArn    string       `json:"executionArn"`
	StateMachineArn string       `json:"stateMachineArn"`
	Name            string       `json:"name"`
	Status          string       `json:"status"`
	StartDate       float64      `json:"startDate"`
	StopDate        float64      `json:"stopDate,omitempty"`
	Input           string       `json:"input"`
	InputDetails    dataDetails  `json:"inputDetails"`
	Output          string       `json:"output,omitempty"`
	OutputDetails   *dataDetails `json:"outputDetails,omitempty"`
	Error           string       `json:"error,omitempty"`
	Cause           string       `json:"cause,omitempty"`
	TraceHeader     string       `json:"traceHeader,omitempty"`
	RedriveCount    int          `json:"redriveCount"`
	RedriveStatus   string       `json:"redriveStatus"`
}

// DescribeExecution describes an execution.
func (s *Service) DescribeExecution(_ context.Context, in *ExecutionArnInput) (*DescribeExecutionOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, err := s.lookupExecution(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	r := x.result()
	out := &DescribeExecutionOutput{ExecutionArn: r.ExecutionArn, StateMachineArn: r.StateMachineArn, Name: r.Name,
		Status: r.Status, StartDate: awsproto.Epoch(r.StartDate), StopDate: awsproto.Epoch(r.StopDate), Input: r.Input,
		InputDetails: dataDetails{Included: true}, Error: r.Error, Cause: r.Cause, TraceHeader: r.TraceHeader,
		RedriveStatus: "NOT_REDRIVABLE"}
	if r.Status == StatusSucceeded {
		out.Output, out.OutputDetails = r.Output, &dataDetails{Included: true}
	}
	return out, nil
}

// ListExecutionsInput is ListExecutions' request.
type ListExecutionsInput struct {
	StateMachineArn string `json:"stateMachineArn"`
	StatusFilter    string `json:"statusFilter,omitempty"`
	MaxResults      int    `json:"maxResults,omitempty"`
	NextToken       string `json:"nextToken,omitempty"`
}

// ExecutionListItem is one execution of a listing.
type ExecutionListItem struct {
	ExecutionArn    string  `json:"executionArn"`
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Status          string  `json:"status"`
	StartDate       float64 `json:"startDate"`
	StopDate        float64 `json:"stopDate,omitempty"`
}

// ListExecutionsOutput is ListExecutions' response.
type ListExecutionsOutput struct {
	Executions []ExecutionListItem `json:"executions"`
	NextToken  string              `json:"nextToken,omitempty"`
}

// ListExecutions lists a state machine's executions, newest first.
func (s *Service) ListExecutions(_ context.Context, in *ListExecutionsInput) (*ListExecutionsOutput, error) {
	switch in.StatusFilter {
	case "", StatusRunning, StatusSucceeded, StatusFailed, StatusTimedOut, StatusAborted:
	default:
		return nil, awsproto.ValidationError("1 validation error detected: Value '%s' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]", in.StatusFilter)
	}
	s.mu.Lock()
	if _, err := s.lookupMachine(in.StateMachineArn); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	var items []ExecutionListItem
	for i := len(s.order) - 1; i >= 0; i-- {
		x := s.executions[s.order[i]]
		if x.sm.arn != in.StateMachineArn || (in.StatusFilter != "" && x.status != in.StatusFilter) {
			continue
		}
		items = append(items, ExecutionListItem{ExecutionArn: x.arn, StateMachineArn: x.sm.arn, Name: x.name,
			Status: x.status, StartDate: awsproto.Epoch(x.start), StopDate: awsproto.Epoch(x.stop)})
	}
	s.mu.Unlock()
	page, next, err := paginate(items, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	if page == nil {
		page = []ExecutionListItem{}
	}
	return &ListExecutionsOutput{Executions: page, NextToken: next}, nil
}

// StopExecutionInput is StopExecution's request.
type StopExecutionInput struct {
	ExecutionArn string `json:"executionArn"`
	Error        string `json:"error,omitempty"`
	Cause        string `json:"cause,omitempty"`
}

// StopExecutionOutput is StopExecution's response.
type StopExecutionOutput struct {
	StopDate float64 `json:"stopDate"`
}

// StopExecution aborts a running execution and waits until it has
// stopped, so that DescribeExecution then reports ABORTED. Stopping an
// execution that has ended changes nothing.
func (s *Service) StopExecution(ctx context.Context, in *StopExecutionInput) (*StopExecutionOutput, error) {
	s.mu.Lock()
	x, err := s.lookupExecution(in.ExecutionArn)
	if err == nil && x.status == StatusRunning {
		x.stopError, x.stopCause = in.Error, in.Cause
		x.abort()
	}
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	select {
	case <-x.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("stopping %s: %w", x.arn, ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &StopExecutionOutput{StopDate: awsproto.Epoch(x.stop)}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// History returns the events of an execution so far, as
// GetExecutionHistory does.
func (s *Service) History(executionArn string) ([]types.HistoryEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	x, err := s.lookupExecution(executionArn)
	if err != nil {
		return nil, err
	}
	return append([]types.HistoryEvent(nil), x.events...), nil
}

package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/runtimeapi"
)

// Payload limits of Invoke (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 256 * 1024
	// initTimeout bounds a cold start's init phase, as Lambda's 10 s does.
	initTimeout = 10 * time.Second
	// tailBytes is how much log LogType Tail returns.
	tailBytes = 4096
)

// InvokeOptions are the optional parts of a synchronous invocation.
type InvokeOptions struct {
	// TraceHeader is the caller's X-Amzn-Trace-Id, continued by the
	// function's trace.
	TraceHeader string
	// ClientContext is the client context JSON the runtime receives in
	// Lambda-Runtime-Client-Context.
	ClientContext string
}

// Result is a finished invocation. A function error is a result, not an
// error: Payload then holds the error document and FunctionError is
// "Unhandled", as Invoke reports it.
type Result struct {
	Payload       []byte
	FunctionError string
	// LogTail is the last 4 KB of the invocation's log.
	LogTail         string
	RequestID       string
	ExecutedVersion string
}

// Invoke runs a function synchronously, as Pipes and Step Functions do
// with their role's permissions: name or ARN, a JSON payload. It returns
// TooManyRequestsException when the function is at its concurrency.
func (s *Service) Invoke(ctx context.Context, functionNameOrARN string, payload []byte, opts InvokeOptions) (Result, error) {
	fn, err := s.lookup(functionNameOrARN, "")
	if err != nil {
		return Result{}, err
	}
	if err := checkPayload(payload, maxSyncPayload, "Invoke"); err != nil {
		return Result{}, err
	}
	return s.run(ctx, fn, invocationRequest{payload: payload, InvokeOptions: opts}, false)
}

// checkPayload rejects what Lambda rejects before running anything.
func checkPayload(payload []byte, limit int, op string) error {
	if len(payload) > limit {
		return requestTooLarge(limit, op)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		return nil
	}
	var v any
	if err := json.Unmarshal(payload, &v); err != nil {
		return invalidRequestContent(err)
	}
	return nil
}

type invocationRequest struct {
	payload   []byte
	async     bool
	requestID string // an async event keeps its id across attempts
	InvokeOptions
	// fault is the injected fault the invocation itself meets (fail,
	// time out, kill).
	fault *faults.Fault
	// retry places an asynchronous attempt among its event's; RetryAt is
	// set here when the attempt fails and a retry follows.
	retry *AsyncAttempt
	// retryDelay is how long after a failure the next attempt comes, 0
	// when this is the last.
	retryDelay time.Duration
}

// run takes a slot and a process, executes one invocation, and gives the
// process back — or replaces it when the invocation left it unusable.
func (s *Service) run(ctx context.Context, fn *function, req invocationRequest, wait bool) (Result, error) {
	work := s.opts.Activity.Begin(ctx, "lambda invocation of "+fn.cfg.Name)
	defer work.Done()
	fault, err := s.injectedFault(ctx, fn, req, work)
	if err != nil {
		return Result{}, err
	}
	req.fault = fault
	if err := fn.pool.acquire(ctx, wait); err != nil {
		return Result{}, err
	}
	defer fn.pool.release()
	requestID := req.requestID
	if requestID == "" {
		requestID = awsproto.NewRequestID()
	}
	proc, err := fn.pool.get()
	if err != nil {
		// Lambda reports a bootstrap it cannot start as a function error,
		// one missing from the package in its own words.
		reason := err.Error()
		if errors.Is(err, fs.ErrNotExist) {
			reason = "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]"
		}
		return Result{
			Payload:         errorDocument("Runtime.InvalidEntrypoint", fmt.Sprintf("RequestId: %s Error: %s", requestID, reason)),
			FunctionError:   "Unhandled",
			RequestID:       requestID,
			ExecutedVersion: latest,
		}, nil
	}
	res, healthy := s.execute(fn, proc, requestID, req)
	if healthy {
		fn.pool.put(proc)
	} else {
		fn.pool.discard(proc)
	}
	return res, nil
}

// attempt is what one invocation came to.
type attempt struct {
	payload   []byte
	errorType string // set when the function failed
	status    string // "timeout" or "error" when the environment is reset
	logLine   string // the platform's line about the failure
}

// outputSyncTimeout bounds how long an invocation's end waits for the
// process's output to be read (a process that fills the pipe faster than
// it is read could otherwise hold it up).
const outputSyncTimeout = time.Second

// execute runs one invocation in proc; healthy is false when proc must be
// replaced.
func (s *Service) execute(fn *function, proc *process, requestID string, req invocationRequest) (Result, bool) {
	cfg := fn.cfg
	tc := newTraceContext(req.TraceHeader, s.clock.Now(), cfg.TracingMode == "Active")
	lines := platformLines{json: cfg.LogFormat == "JSON"}
	tail := &bytes.Buffer{}
	proc.captureTail(tail)
	defer proc.captureTail(nil)
	startWall := s.clock.Now()
	start := time.Now()

	var initDuration time.Duration
	var out *attempt
	if !proc.initialized {
		out = s.awaitInit(proc, requestID)
		if out == nil {
			proc.initialized = true
			initDuration = time.Since(proc.started)
			start = time.Now()
		}
	}
	proc.log(lines.start(s.clock.Now(), requestID))
	if out == nil {
		out = s.faultedAttempt(req.fault, fn, requestID)
	}
	if out == nil {
		out = s.invokeRuntime(fn, proc, requestID, tc, req)
	}
	duration := time.Since(start)
	proc.syncOutput(outputSyncTimeout)
	if out.logLine != "" {
		proc.log(out.logLine)
	}
	proc.log(lines.end(s.clock.Now(), requestID))
	proc.log(lines.report(s.clock.Now(), report{
		requestID: requestID, duration: duration, initDuration: initDuration,
		memorySize: cfg.MemorySize, maxMemoryMB: maxMemoryMB(proc.pid), status: out.status, trace: tc,
	}))

	res := Result{Payload: out.payload, RequestID: requestID, ExecutedVersion: latest, LogTail: lastBytes(tail.String(), tailBytes)}
	if out.errorType != "" {
		res.FunctionError = "Unhandled"
	}
	rec := InvocationRecord{
		FunctionARN: cfg.ARN, RequestID: requestID, TraceID: tc.root, Sampled: tc.sampled, CallerParentID: tc.callerParent,
		ServiceSegmentID: tc.serviceSegment, FunctionSegmentID: tc.functionSegment,
		Start: startWall, End: s.clock.Now(), Duration: duration, InitDuration: initDuration,
		FunctionError: res.FunctionError, ErrorType: out.errorType, Async: req.async, FaultID: faultID(req.fault),
		LogGroup: cfg.logGroup(), LogStream: proc.stream,
	}
	if req.retry != nil {
		retry := *req.retry
		if res.FunctionError != "" && req.retryDelay > 0 {
			retry.RetryAt = rec.End.Add(req.retryDelay)
		}
		rec.Retry = &retry
	}
	if tc.sampled && s.opts.Tracer != nil {
		s.opts.Tracer.TraceInvocation(s.ctx, rec)
	}
	s.opts.Observer.InvocationEnded(rec)
	return res, out.status == ""
}

// awaitInit waits for a new process's runtime to ask for its first
// invocation; it returns the failure when init does not end well.
func (s *Service) awaitInit(proc *process, requestID string) *attempt {
	timer := time.NewTimer(initTimeout)
	defer timer.Stop()
	select {
	case <-proc.api.Waiting():
		return nil
	case o := <-proc.api.InitError():
		return &attempt{payload: o.Payload, errorType: o.ErrorType, status: "error"}
	case <-proc.exited:
		return exited(proc, requestID)
	case <-timer.C:
		return timedOut(s.clock.Now(), requestID, initTimeout)
	case <-s.ctx.Done():
		return shutDown(requestID)
	}
}

// invokeRuntime hands the event to the runtime and waits for its answer,
// then for it to ask for the next event, which completes the invocation.
func (s *Service) invokeRuntime(fn *function, proc *process, requestID string, tc *traceContext, req invocationRequest) *attempt {
	timeout := time.Duration(fn.cfg.Timeout) * time.Second
	payload := req.payload
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	inv := runtimeapi.NewInvocation(requestID, payload)
	inv.DeadlineMs = time.Now().Add(timeout).UnixMilli()
	inv.InvokedFunctionARN = fn.cfg.ARN
	inv.TraceID = tc.runtimeHeader()
	inv.ClientContext = req.ClientContext
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	proc.api.Dispatch(inv)
	if req.fault != nil && req.fault.Action == faults.Kill {
		return s.killAfterTaken(proc, inv, requestID)
	}

	var out *attempt
	select {
	case o := <-inv.Done():
		out = &attempt{payload: o.Payload, errorType: o.ErrorType}
	case <-proc.exited:
		return exited(proc, requestID)
	case <-timer.C:
		return timedOut(s.clock.Now(), requestID, timeout)
	case <-s.ctx.Done():
		return shutDown(requestID)
	}
	// A runtime that exits after answering (aws-lambda-go does after a
	// panic) resets the environment; the answer stands.
	select {
	case <-proc.api.Waiting():
	case <-proc.exited:
		ex := exited(proc, requestID)
		out.status, out.logLine = ex.status, ex.logLine
	case <-timer.C:
		out.status = "timeout"
	case <-s.ctx.Done():
		out.status = "error"
	}
	return out
}

// exited is the failure of a runtime that exited mid-invocation.
func exited(proc *process, requestID string) *attempt {
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, proc.exitMessage())
	return &attempt{
		payload:   errorDocument("Runtime.ExitError", msg),
		errorType: "Runtime.ExitError",
		status:    "error",
		logLine:   msg + "\nRuntime.ExitError",
	}
}

// timedOut is Lambda's timeout answer: {"errorMessage": "<time> <request
// id> Task timed out after 3.00 seconds"}, as Invoke returns it.
func timedOut(now time.Time, requestID string, timeout time.Duration) *attempt {
	msg := fmt.Sprintf("%s %s Task timed out after %.2f seconds",
		now.UTC().Format("2006-01-02T15:04:05.000Z"), requestID, timeout.Seconds())
	b, _ := json.Marshal(map[string]string{"errorMessage": msg})
	return &attempt{payload: b, errorType: "Sandbox.Timedout", status: "timeout", logLine: msg}
}

func shutDown(requestID string) *attempt {
	msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: signal: killed", requestID)
	return &attempt{payload: errorDocument("Runtime.ExitError", msg), errorType: "Runtime.ExitError", status: "error", logLine: msg}
}

func errorDocument(errType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errType})
	return b
}

func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

package lambda

import (
	"context"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/runtimeapi"
)

// Faults decides which injected fault, if any, an invocation meets: the
// local cloud's fault registry, which also logs and traces the hit. Lambda
// asks it for every invocation, whoever the invoker — the Invoke API,
// EventBridge, Pipes, Step Functions, an async retry — so a fault on a
// function hits them all.
type Faults interface {
	// InvocationFault returns the fault, among those doing one of
	// actions, that hits an invocation of functionARN by the principal in
	// ctx, traced with traceHeader.
	InvocationFault(ctx context.Context, functionARN, traceHeader string, actions ...faults.Action) (faults.Fault, bool)
}

// Where faults hit. An Error fault answers the Invoke call: a synchronous
// invoker hears it, and so does an asynchronous one (EventBridge retries
// and dead-letters such an event; nothing is queued). What happens to the
// invocation itself — latency, failing, timing out, being killed — hits
// every attempt, an asynchronous event's retries included.
var (
	syncInvocationFaults = []faults.Action{faults.Error, faults.Latency, faults.Fail, faults.Timeout, faults.Kill}
	asyncInvokeFaults    = []faults.Action{faults.Error}
	asyncAttemptFaults   = []faults.Action{faults.Latency, faults.Fail, faults.Timeout, faults.Kill}
)

// asyncInvokeFault is the Error an asynchronous Invoke of fn meets, if any.
func (s *Service) asyncInvokeFault(ctx context.Context, fn *function, traceHeader string) error {
	if s.opts.Faults == nil {
		return nil
	}
	if f, ok := s.opts.Faults.InvocationFault(ctx, fn.cfg.ARN, traceHeader, asyncInvokeFaults...); ok {
		return awsproto.NewError(f.ErrorCode, f.StatusCode, f.Message)
	}
	return nil
}

// injectedFault applies the fault an invocation meets before it runs: an
// Error fault is returned as the invoker's error, a Latency fault waits
// on the service's clock (with work paused, as a timer the cloud knows),
// and the fault is returned when the invocation itself must fail, time out
// or be killed (execute).
func (s *Service) injectedFault(ctx context.Context, fn *function, req invocationRequest, work *activity.Work) (*faults.Fault, error) {
	if s.opts.Faults == nil {
		return nil, nil
	}
	actions := syncInvocationFaults
	if req.async {
		actions = asyncAttemptFaults
	}
	f, ok := s.opts.Faults.InvocationFault(ctx, fn.cfg.ARN, req.TraceHeader, actions...)
	if !ok {
		return nil, nil
	}
	switch f.Action {
	case faults.Error:
		return nil, awsproto.NewError(f.ErrorCode, f.StatusCode, f.Message)
	case faults.Latency:
		waitCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(s.ctx, cancel)()
		switch {
		case work.Sleep(waitCtx, time.Duration(f.Latency), "injected latency before "+fn.cfg.Name):
			return nil, nil
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
			return nil, awsproto.NewError("ServiceException", http.StatusInternalServerError, "the local Lambda service is closing")
		}
	}
	return &f, nil
}

// faultedAttempt is the outcome of an invocation that a Fail or Timeout
// fault ends without running the function; nil for other faults.
func (s *Service) faultedAttempt(f *faults.Fault, fn *function, requestID string) *attempt {
	switch {
	case f == nil:
		return nil
	case f.Action == faults.Fail:
		return &attempt{payload: errorDocument(f.ErrorCode, f.Message), errorType: f.ErrorCode}
	case f.Action == faults.Timeout:
		return timedOut(s.clock.Now(), requestID, time.Duration(fn.cfg.Timeout)*time.Second)
	}
	return nil
}

// killAfterTaken kills proc's process group once its runtime has taken
// inv, and reports the crash as Lambda does: Runtime.ExitError.
func (s *Service) killAfterTaken(proc *process, inv *runtimeapi.Invocation, requestID string) *attempt {
	select {
	case <-inv.Taken():
	case <-proc.exited:
		return exited(proc, requestID)
	case <-s.ctx.Done():
		return shutDown(requestID)
	}
	_ = killGroup(proc.pid)
	<-proc.exited
	return exited(proc, requestID)
}

func faultID(f *faults.Fault) string {
	if f == nil {
		return ""
	}
	return f.ID
}

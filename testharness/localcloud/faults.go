package localcloud

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray"
)

// Fault injection in the local cloud (package faults holds the model):
//
//	gateway ──▶ faultInjector: AWS errors and latency for every service's requests,
//	            named by the IAM action the authorizer maps them to (s3:GetObject)
//	Lambda invocation, whoever invokes ──▶ lambdaFaults: errors, latency, failed,
//	            timed-out and killed invocations (Invoke, EventBridge, Pipes, Step Functions)
//	PutEvents entry of a caller ──▶ eventFaults: failed entries in the answer
//
// Every hit is logged on Options.Logger and recorded in the X-Ray trace of
// the request it hit (annotation tracebridge_fault), when it is traced.

// Faults is the cloud's fault registry: add, list and remove faults from
// Go. The same registry answers the HTTP API under FaultsPath and
// `tracebridge local fault`.
func (c *Cloud) Faults() *faults.Registry { return c.faults }

// lambdaInvokeAction is the IAM action of every invocation; Lambda applies
// the faults that name it, so they hit in-process invokers too.
const lambdaInvokeAction = "lambda:InvokeFunction"

// faultInjector is the gateway's gateway.FaultInjector.
type faultInjector struct{ c *Cloud }

func (f faultInjector) Targets(service string) bool { return f.c.faults.Targets(service) }

func (f faultInjector) InjectFault(r *http.Request, service string, body []byte) error {
	ctx := r.Context()
	req := faults.Request{Service: service, Principal: identity.FromContext(ctx).RoleARN}
	for _, op := range f.c.operationNames.Operations(r, service, body) {
		req.Operations = append(req.Operations, op.Action)
		req.Resources = append(req.Resources, op.Resource)
	}
	if service == "lambda" && slices.Contains(req.Operations, lambdaInvokeAction) {
		return nil // Lambda's invocation path applies them (lambdaFaults)
	}
	fault, ok := f.c.faults.Hit(req, faults.Error, faults.Latency)
	if !ok {
		return nil
	}
	return f.c.applyFault(ctx, fault, req, awsproto.TraceHeader(ctx))
}

// lambdaFaults is Lambda's lambda.Faults.
type lambdaFaults struct{ c *Cloud }

func (a lambdaFaults) InvocationFault(ctx context.Context, functionARN, traceHeader string, actions ...faults.Action) (faults.Fault, bool) {
	req := faults.Request{Service: "lambda", Operations: []string{lambdaInvokeAction},
		Resources: []string{functionARN}, Principal: identity.FromContext(ctx).RoleARN}
	fault, ok := a.c.faults.Hit(req, actions...)
	if !ok {
		return faults.Fault{}, false
	}
	if fault.Action == faults.Error {
		// The invoker hears the error at once; the rest Lambda does.
		_ = a.c.applyFault(ctx, fault, req, traceHeader)
	} else {
		// Lambda waits out latency on its own, and the invocation's trace
		// carries the fault of a failed, timed-out or killed invocation.
		a.c.logFault(ctx, fault, req, traceHeader)
	}
	return fault, true
}

// eventFaults is EventBridge's eventbridge.EntryFaults.
type eventFaults struct{ c *Cloud }

func (a eventFaults) EntryFault(ctx context.Context, busARN, traceHeader string) (faults.Fault, bool) {
	req := faults.Request{Service: "events", Operations: []string{"events:PutEvents"},
		Resources: []string{busARN}, Principal: identity.FromContext(ctx).RoleARN}
	fault, ok := a.c.faults.Hit(req, faults.EntryError)
	if ok {
		a.c.logFault(ctx, fault, req, traceHeader)
	}
	return fault, ok
}

// applyFault logs an Error or Latency fault's hit, waits out its latency
// on the cloud's clock (a timer the cloud knows of) and records it in the
// request's trace; it returns the error to answer with.
func (c *Cloud) applyFault(ctx context.Context, f faults.Fault, req faults.Request, traceHeader string) error {
	c.logFault(ctx, f, req, traceHeader)
	start := c.clock.Now()
	rec := xray.InjectedFault{TraceHeader: traceHeader, Service: req.Service, FaultID: f.ID, Action: string(f.Action)}
	if len(req.Operations) > 0 {
		rec.Operation, rec.Resource = req.Operations[0], req.Resources[0]
	}
	var err error
	if f.Action == faults.Latency {
		timer := c.activity.NewTimer(ctx, time.Duration(f.Latency), "injected latency "+f.ID)
		select {
		case <-timer.C:
		case <-ctx.Done():
			err = ctx.Err()
		}
		timer.Stop()
	} else {
		rec.Status, rec.Code, rec.Message = f.StatusCode, f.ErrorCode, f.Message
		err = awsproto.NewError(f.ErrorCode, f.StatusCode, f.Message)
	}
	rec.Start, rec.End = start, c.clock.Now()
	if traceHeader != "" {
		if xerr := c.XRay.RecordInjectedFault(rec); xerr != nil {
			c.log.Warn("recording an injected fault's trace", "fault", f.ID, "error", xerr)
		}
	}
	return err
}

func (c *Cloud) logFault(ctx context.Context, f faults.Fault, req faults.Request, traceHeader string) {
	c.observe.Fault(observe.TraceRoot(traceHeader), observe.Fault{ID: f.ID, Action: string(f.Action), Service: req.Service,
		Operations: req.Operations, Resources: req.Resources, Principal: req.Principal, ErrorCode: f.ErrorCode})
	c.log.Info("fault injected", "fault", f.ID, "action", f.Action, "service", req.Service,
		"operations", req.Operations, "resources", req.Resources, "principal", req.Principal,
		"error", f.ErrorCode, "request", awsproto.RequestID(ctx))
}

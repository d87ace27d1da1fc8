package localcloud

import (
	"context"
	"net/http"
	"slices"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/authz"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// What the console shows comes from one history, fed by these adapters:
//
//	EventBridge event routed, delivery attempted or given up ──▶ observe (eventsObserver, wiring.go's OnDeliveryFailure)
//	Pipe read a stream record, filter verdict                ──▶ observe (pipeRecords)
//	Lambda invocation ended; its output lines                 ──▶ observe (invocationObserver, lambdaLogs)
//	IAM denied a request or an in-process call               ──▶ observe (observedAuthorizer, permissions)
//	Injected fault hit                                        ──▶ observe (faults.go)
//	Test run reported (by the CLI, which knows the report)    ──▶ Cloud.Observer().TestRun

// Observer is the cloud's history of what happened in it: the console's
// source, and where a caller that knows of test runs reports them.
func (c *Cloud) Observer() *observe.Recorder { return c.observe }

// eventsObserver is EventBridge's eventbridge.Observer.
type eventsObserver struct{ rec *observe.Recorder }

func (a eventsObserver) EventRouted(e eventbridge.RoutedEvent) {
	// Rules are held in a map: sorted, the lists read the same each time.
	slices.Sort(e.Matched)
	slices.Sort(e.Unmatched)
	a.rec.Event(observe.TraceRoot(e.TraceHeader), observe.Event{ID: e.ID, Bus: e.Bus, Source: e.Source,
		DetailType: e.DetailType, Detail: string(e.Detail), Replay: e.Replay, Matched: e.Matched, Unmatched: e.Unmatched})
}

func (a eventsObserver) DeliveryAttempted(d eventbridge.DeliveryAttempt) {
	outcome := observe.Delivered
	switch {
	case d.ErrorCode != "" && d.Retryable:
		outcome = observe.Retrying
	case d.ErrorCode != "":
		outcome = observe.Failed
	}
	a.rec.Delivery(observe.TraceRoot(d.TraceHeader), observe.Delivery{EventID: d.EventID, Rule: d.RuleARN,
		TargetID: d.TargetID, Target: d.TargetARN, Attempt: d.Attempt, Outcome: outcome,
		ErrorCode: d.ErrorCode, ErrorMessage: d.ErrorMessage, InvocationID: d.InvocationID,
		RetryAt: timeOrNil(d.RetryAt), MaxRetries: d.MaxRetries})
}

// timeOrNil leaves a zero time out of a record.
func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// gaveUp records an event EventBridge gave up delivering.
func (a eventsObserver) gaveUp(f eventbridge.DeliveryFailure) {
	a.rec.Delivery(observe.TraceRoot(f.TraceHeader), observe.Delivery{EventID: f.EventID, Rule: f.RuleARN,
		TargetID: f.TargetID, Target: f.TargetARN, Attempt: f.Attempts, Outcome: observe.GaveUp,
		ErrorCode: f.ErrorCode, ErrorMessage: f.ErrorMessage, DeadLetterQueue: f.DeadLetterARN})
}

// pipeRecords is Pipes' pipes.FilterObserver.
type pipeRecords struct{ rec *observe.Recorder }

func (a pipeRecords) RecordFiltered(pipeARN string, r dynamodbstreams.Record, passed bool) {
	a.rec.StreamRecord(observe.StreamRecord{Pipe: pipeARN, EventID: r.EventID, EventName: r.EventName,
		SequenceNumber: r.Dynamodb.SequenceNumber, Keys: string(r.Dynamodb.Keys), Passed: passed})
}

// invocationObserver is Lambda's lambda.InvocationObserver; the lines come
// from lambdaLogs.
type invocationObserver struct{ rec *observe.Recorder }

func (a invocationObserver) InvocationEnded(r lambda.InvocationRecord) {
	inv := observe.Invocation{Function: r.FunctionARN, RequestID: r.RequestID, Async: r.Async,
		Duration: millis(r.Duration.Seconds()), InitDuration: millis(r.InitDuration.Seconds()),
		ErrorType: r.ErrorType, Fault: r.FaultID, LogGroup: r.LogGroup}
	if a := r.Retry; a != nil {
		inv.Retry = &observe.AsyncAttempt{Attempt: a.Attempt, MaxRetries: a.MaxRetries,
			RetryAt: timeOrNil(a.RetryAt), OnFailure: a.OnFailure}
	}
	a.rec.Invocation(r.TraceID, r.LogStream, inv)
}

// millis turns seconds into milliseconds with two decimals, as REPORT
// lines show durations.
func millis(seconds float64) float64 { return float64(int64(seconds*1e5+0.5)) / 100 }

// observedAuthorizer records the requests the authorizer denies.
type observedAuthorizer struct {
	a   *authz.Authorizer
	rec *observe.Recorder
}

func (o observedAuthorizer) Authorize(r *http.Request, service string, body []byte) error {
	err := o.a.Authorize(r, service, body)
	recordDenial(r.Context(), o.rec, service, err)
	return err
}

// recordDenial records err when it is IAM's refusal.
func recordDenial(ctx context.Context, rec *observe.Recorder, service string, err error) {
	if err == nil || !authz.IsDenial(err) {
		return
	}
	e := awsproto.AsError(err)
	rec.Denial(observe.TraceRoot(awsproto.TraceHeader(ctx)), observe.Denial{Service: service,
		Principal: identity.FromContext(ctx).ARN, Code: e.Code, Message: e.Message})
}

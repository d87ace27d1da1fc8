// Package completion is how an app's handlers announce the outcome of the
// work a Tracebridge test started: they put completion events — a success,
// or a failure naming the AWS error — on the app's bus, where the harness
// awaits them, and annotate their X-Ray segment with the run's correlation
// id, by which the harness finds the trace it asserts on.
//
// The contract the harness relies on (testharness.Await): source
// tracebridge.app (schemas.AppEventSource), a detail-type the test names,
// and the correlation id in detail.correlationId. PutEvents goes in
// batches of at most 10 entries, failed entries are retried a bounded
// number of times unless the failure is permanent (a denial, a missing
// bus: see awserr), and every entry carries the X-Ray trace header, so the
// harness sees one trace from the trigger to the event.
package completion

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/awserr"
)

// Source is the source of every completion event.
const Source = schemas.AppEventSource

// CorrelationAnnotation is the X-Ray annotation that carries a run's
// correlation id; the harness finds a test's traces by it.
const CorrelationAnnotation = "correlation_id"

// Annotate puts correlationID on seg as CorrelationAnnotation. It does
// nothing when seg is nil (the handler runs untraced) or the id is empty
// (the data carried none).
func Annotate(seg *xray.Segment, correlationID string) {
	if seg == nil || correlationID == "" {
		return
	}
	// AddAnnotation fails only for a key or value type X-Ray does not
	// take; a string under this key is always taken.
	_ = seg.AddAnnotation(CorrelationAnnotation, correlationID)
}

// MaxEntriesPerCall is PutEvents' limit on entries per request.
const MaxEntriesPerCall = 10

// PutEventsAPI is the part of the EventBridge client the publisher uses.
type PutEventsAPI interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Event is one completion event to publish.
type Event struct {
	DetailType string
	Detail     any
}

// Publisher publishes completion events to one bus.
type Publisher struct {
	Client PutEventsAPI
	Bus    string
	// Attempts bounds the PutEvents calls made for any one entry (default 3).
	Attempts int
	// Backoff is the pause before retry n (1-based); nil means 100ms×n. Tests
	// set a function returning 0.
	Backoff func(n int) time.Duration
}

// Publish puts events on the bus. It returns one error per event, nil for
// those that were accepted, and a non-nil overall error only when nothing
// could be sent at all (bad input).
func (p *Publisher) Publish(ctx context.Context, events []Event) ([]error, error) {
	header := TraceHeader(ctx)
	entries := make([]types.PutEventsRequestEntry, len(events))
	for i, e := range events {
		detail, err := json.Marshal(e.Detail)
		if err != nil {
			return nil, fmt.Errorf("encode %s detail: %w", e.DetailType, err)
		}
		entries[i] = types.PutEventsRequestEntry{
			EventBusName: aws.String(p.Bus),
			Source:       aws.String(Source),
			DetailType:   aws.String(e.DetailType),
			Detail:       aws.String(string(detail)),
		}
		if header != "" {
			entries[i].TraceHeader = aws.String(header)
		}
	}
	errs := make([]error, len(events))
	for start := 0; start < len(entries); start += MaxEntriesPerCall {
		end := min(start+MaxEntriesPerCall, len(entries))
		p.putBatch(ctx, entries[start:end], errs[start:end])
	}
	return errs, nil
}

// PublishOne puts a single event and returns its error.
func (p *Publisher) PublishOne(ctx context.Context, detailType string, detail any) error {
	errs, err := p.Publish(ctx, []Event{{DetailType: detailType, Detail: detail}})
	if err != nil {
		return err
	}
	return errs[0]
}

// putBatch sends up to 10 entries, resending only the failed ones.
func (p *Publisher) putBatch(ctx context.Context, entries []types.PutEventsRequestEntry, errs []error) {
	pending := make([]int, len(entries))
	for i := range pending {
		pending[i] = i
	}
	attempts := p.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	for attempt := 1; len(pending) > 0; attempt++ {
		if attempt > 1 {
			if err := p.wait(ctx, attempt-1); err != nil {
				for _, i := range pending {
					errs[i] = fmt.Errorf("put %s event: %w (after %d attempts)", aws.ToString(entries[i].DetailType), err, attempt-1)
				}
				return
			}
		}
		batch := make([]types.PutEventsRequestEntry, len(pending))
		for j, i := range pending {
			batch[j] = entries[i]
		}
		out, err := p.Client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: batch})
		var failed []int
		for j, i := range pending {
			switch {
			case err != nil:
				errs[i] = fmt.Errorf("put %s event on bus %s: %w", aws.ToString(entries[i].DetailType), p.Bus, err)
			case j >= len(out.Entries):
				errs[i] = fmt.Errorf("put %s event on bus %s: no result entry", aws.ToString(entries[i].DetailType), p.Bus)
			case out.Entries[j].ErrorCode != nil:
				errs[i] = fmt.Errorf("put %s event on bus %s: %w", aws.ToString(entries[i].DetailType), p.Bus,
					entryError(out.Entries[j]))
			default:
				errs[i] = nil
				continue
			}
			if _, permanent := awserr.AsPermanent(errs[i]); !permanent {
				failed = append(failed, i)
			}
		}
		if attempt >= attempts {
			return
		}
		pending = failed
	}
}

// entryError is a failed PutEvents entry as an AWS error of the PutEvents
// operation, so that its code and message can be classified and reported
// like those of a failed request.
func entryError(e types.PutEventsResultEntry) error {
	return &smithy.OperationError{ServiceID: "EventBridge", OperationName: "PutEvents",
		Err: &smithy.GenericAPIError{Code: aws.ToString(e.ErrorCode), Message: aws.ToString(e.ErrorMessage)}}
}

func (p *Publisher) wait(ctx context.Context, n int) error {
	d := 100 * time.Millisecond * time.Duration(n)
	if p.Backoff != nil {
		d = p.Backoff(n)
	}
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// TraceHeader is the X-Ray trace header to put on outgoing events: the
// current (sub)segment as parent when the X-Ray SDK has one in ctx, else the
// header Lambda handed to this invocation (in ctx from aws-lambda-go, or the
// _X_AMZN_TRACE_ID variable), else "".
func TraceHeader(ctx context.Context) string {
	if seg := xray.GetSegment(ctx); seg != nil && seg.TraceID != "" {
		return seg.DownstreamHeader().String()
	}
	if h, ok := ctx.Value(xray.LambdaTraceHeaderKey).(string); ok && h != "" {
		return h
	}
	return os.Getenv("_X_AMZN_TRACE_ID")
}

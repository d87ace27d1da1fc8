package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/awserr"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

// LogsAPI is the part of the CloudWatch Logs client the handler uses.
type LogsAPI interface {
	CreateLogStream(ctx context.Context, in *cloudwatchlogs.CreateLogStreamInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogStreamOutput, error)
	PutLogEvents(ctx context.Context, in *cloudwatchlogs.PutLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error)
}

// Handler writes one audit entry per stream record it receives (the Pipe's
// filter already chose the new users) and announces each on the app bus.
type Handler struct {
	Logs      LogsAPI
	Events    *completion.Publisher
	LogGroup  string
	LogStream string           // this process's stream, created on first use
	Now       func() time.Time // nil means time.Now
	Log       *slog.Logger

	streamMu    sync.Mutex
	streamReady bool
}

// Handle audits a Pipe batch and reports the records it could not audit as
// partial batch failures. The itemIdentifier is the record's eventID: what
// EventBridge Pipes expects for DynamoDB stream sources (EventBridge User
// Guide, "Amazon EventBridge Pipes batching and concurrency", partial batch
// failure; a Lambda event source mapping would want the SequenceNumber
// instead). Pipes, like stream event source mappings, retries from the
// earliest failed record, so records after it may be audited twice: audit
// consumers must tolerate duplicates.
//
// A record whose entry AWS refuses in a way retrying cannot fix (a denied
// CreateLogStream or PutLogEvents, a missing log group, an invalid request:
// see awserr) is announced at once as UserAuditFailed, with AWS's code and
// message, and not reported as a failure: retrying it would only delay the
// news. A record whose UserAuditFailed or UserAuditLogged cannot be put is
// reported as failed, so the Pipe delivers it again and the function's log
// holds one line saying why; that delivery writes its audit entry again.
//
// An error (rather than a response) is returned only when nothing can be
// audited at all for a reason a retry may fix, e.g. CreateLogStream was
// throttled; the Pipe then retries the whole batch.
func (h *Handler) Handle(ctx context.Context, batch schemas.DynamoDBStreamBatch) (events.DynamoDBEventResponse, error) {
	var seg *xray.Segment
	if _, ok := ctx.Value(xray.LambdaTraceHeaderKey).(string); ok || xray.GetSegment(ctx) != nil {
		ctx, seg = xray.BeginSubsegment(ctx, "audit-log")
	}
	resp, err := h.handle(ctx, seg, batch)
	if seg != nil {
		seg.Close(err)
	}
	return resp, err
}

type auditRecord struct {
	index         int
	pk, sk        string
	correlationID string
	message       string
}

func (h *Handler) handle(ctx context.Context, seg *xray.Segment, batch schemas.DynamoDBStreamBatch) (events.DynamoDBEventResponse, error) {
	failed := make([]bool, len(batch))
	var good []auditRecord
	for i, r := range batch {
		a, err := auditOf(r)
		if err != nil {
			h.logger().Warn("cannot audit stream record", "eventID", r.EventID, "error", err)
			failed[i] = true
			continue
		}
		a.index = i
		good = append(good, a)
		completion.Annotate(seg, a.correlationID)
	}
	if len(good) > 0 {
		stored, refused, err := h.writeLog(ctx, good, failed)
		if err != nil {
			return events.DynamoDBEventResponse{}, err
		}
		h.announceRefusals(ctx, refused, failed)
		h.announce(ctx, stored, failed)
	}
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for i, f := range failed {
		if f {
			id := batch[i].EventID
			if id == "" {
				id = batch[i].DynamoDB.SequenceNumber
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: id})
		}
	}
	return resp, nil
}

// auditOf builds the audit entry of a record: PK and SK must be string keys.
func auditOf(r schemas.DynamoDBStreamRecord) (auditRecord, error) {
	pk, err := r.StringKey(schemas.TablePartitionKey)
	if err != nil {
		return auditRecord{}, err
	}
	sk, err := r.StringKey(schemas.TableSortKey)
	if err != nil {
		return auditRecord{}, err
	}
	cid, _ := r.NewImageString(schemas.DynamoDBCorrelationIDAttribute)
	return auditRecord{pk: pk, sk: sk, correlationID: cid, message: schemas.NewUserCreatedAuditEntry(pk, sk).Message()}, nil
}

// refusal is a record whose audit entry AWS refused for good.
type refusal struct {
	auditRecord
	err awserr.Error
}

// ensureStream creates this process's log stream once; a stream left by an
// earlier attempt (ResourceAlreadyExistsException) is fine.
func (h *Handler) ensureStream(ctx context.Context) error {
	h.streamMu.Lock()
	defer h.streamMu.Unlock()
	if h.streamReady {
		return nil
	}
	_, err := h.Logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{
		LogGroupName: aws.String(h.LogGroup), LogStreamName: aws.String(h.LogStream),
	})
	var exists *types.ResourceAlreadyExistsException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("create log stream %s in %s: %w", h.LogStream, h.LogGroup, err)
	}
	h.streamReady = true
	return nil
}

// putLogEvents puts one call's events on this process's stream. A stream
// that has gone since it was created (ResourceNotFoundException: its group
// was deleted, perhaps created again) is created again, once, so that only
// a group that is really missing fails the records for good.
func (h *Handler) putLogEvents(ctx context.Context, evs []types.InputLogEvent) (*cloudwatchlogs.PutLogEventsOutput, error) {
	in := &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(h.LogGroup), LogStreamName: aws.String(h.LogStream), LogEvents: evs,
	}
	out, err := h.Logs.PutLogEvents(ctx, in)
	var missing *types.ResourceNotFoundException
	if !errors.As(err, &missing) {
		return out, err
	}
	h.streamMu.Lock()
	h.streamReady = false
	h.streamMu.Unlock()
	if err := h.ensureStream(ctx); err != nil {
		return nil, err
	}
	return h.Logs.PutLogEvents(ctx, in)
}

// writeLog puts one log event per record. It returns the records stored and
// those AWS refused for good, and marks the others failed. An error means
// nothing was written for a reason a retry may fix (the stream could not be
// created).
func (h *Handler) writeLog(ctx context.Context, recs []auditRecord, failed []bool) ([]auditRecord, []refusal, error) {
	refusals := make([]*awserr.Error, len(recs)) // why AWS refused record i for good, if it did
	if err := h.ensureStream(ctx); err != nil {
		p, ok := awserr.AsPermanent(err)
		if !ok {
			return nil, nil, err
		}
		return nil, refusedAll(recs, p), nil
	}
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	ts := now().UnixMilli()
	logEvents := make([]types.InputLogEvent, len(recs))
	for i, r := range recs {
		logEvents[i] = types.InputLogEvent{Message: aws.String(r.message), Timestamp: aws.Int64(ts)}
	}
	stored := make([]bool, len(recs))
	for _, b := range splitBatches(logEvents) {
		if b.oversize {
			h.logger().Warn("audit entry larger than a PutLogEvents call", "pk", recs[b.start].pk)
			continue
		}
		out, err := h.putLogEvents(ctx, logEvents[b.start:b.end])
		if p, permanent := awserr.AsPermanent(err); permanent {
			for i := b.start; i < b.end; i++ {
				refusals[i] = &p
			}
			continue
		}
		if err != nil {
			h.logger().Warn("PutLogEvents failed; the Pipe will deliver these records again", "error", err,
				"correlation_ids", correlationIDs(recs[b.start:b.end]))
			continue
		}
		for i := b.start; i < b.end; i++ {
			stored[i] = !rejected(out.RejectedLogEventsInfo, i-b.start)
		}
	}
	var ok []auditRecord
	var refused []refusal
	for i, r := range recs {
		switch {
		case stored[i]:
			ok = append(ok, r)
		case refusals[i] != nil:
			refused = append(refused, refusal{r, *refusals[i]})
		default:
			failed[r.index] = true
		}
	}
	return ok, refused, nil
}

func correlationIDs(recs []auditRecord) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.correlationID
	}
	return out
}

func refusedAll(recs []auditRecord, err awserr.Error) []refusal {
	out := make([]refusal, len(recs))
	for i, r := range recs {
		out[i] = refusal{r, err}
	}
	return out
}

// rejected applies rejectedLogEventsInfo (CloudWatch Logs API Reference,
// RejectedLogEventsInfo): tooNewLogEventStartIndex is inclusive,
// tooOldLogEventEndIndex exclusive; expiredLogEventEndIndex is read as
// exclusive too, like its sibling end index.
func rejected(info *types.RejectedLogEventsInfo, i int) bool {
	if info == nil {
		return false
	}
	return (info.TooNewLogEventStartIndex != nil && i >= int(*info.TooNewLogEventStartIndex)) ||
		(info.TooOldLogEventEndIndex != nil && i < int(*info.TooOldLogEventEndIndex)) ||
		(info.ExpiredLogEventEndIndex != nil && i < int(*info.ExpiredLogEventEndIndex))
}

// announce emits UserAuditLogged for each record and marks those whose
// event could not be put as failed.
func (h *Handler) announce(ctx context.Context, recs []auditRecord, failed []bool) {
	evs := make([]completion.Event, len(recs))
	for i, r := range recs {
		evs[i] = completion.Event{DetailType: schemas.DetailTypeUserAuditLogged, Detail: schemas.UserAuditLogged{
			PK: r.pk, SK: r.sk, LogGroup: h.LogGroup, CorrelationID: r.correlationID,
		}}
	}
	h.publish(ctx, evs, recs, failed)
}

// announceRefusals emits UserAuditFailed for each record AWS refused for
// good and marks those whose event could not be put as failed.
func (h *Handler) announceRefusals(ctx context.Context, refused []refusal, failed []bool) {
	evs := make([]completion.Event, len(refused))
	recs := make([]auditRecord, len(refused))
	for i, r := range refused {
		h.logger().Error("AWS refused the audit entry and retrying cannot help", "pk", r.pk,
			"correlation_id", r.correlationID, "reason", r.err.Reason())
		evs[i] = completion.Event{DetailType: schemas.DetailTypeUserAuditFailed, Detail: schemas.UserAuditFailed{
			PK: r.pk, SK: r.sk, LogGroup: h.LogGroup, Reason: r.err.Reason(),
			ErrorCode: r.err.Code, ErrorMessage: r.err.Message, CorrelationID: r.correlationID,
		}}
		recs[i] = r.auditRecord
	}
	h.publish(ctx, evs, recs, failed)
}

// publish puts evs[i], the event of recs[i], on the app bus. A record whose
// event cannot be put is marked failed, for the Pipe to deliver it again,
// with one log line naming AWS's error and the record's correlation id.
func (h *Handler) publish(ctx context.Context, evs []completion.Event, recs []auditRecord, failed []bool) {
	if len(evs) == 0 {
		return
	}
	errs, err := h.Events.Publish(ctx, evs)
	for i, r := range recs {
		if e := errors.Join(err, errAt(errs, i)); e != nil {
			code, msg := awserr.CodeAndMessage(e)
			h.logger().Error(evs[i].DetailType+" could not be put on the app bus; the Pipe will deliver the record again",
				"pk", r.pk, "correlation_id", r.correlationID, "error_code", code, "error_message", msg)
			failed[r.index] = true
		}
	}
}

func errAt(errs []error, i int) error {
	if i < len(errs) {
		return errs[i]
	}
	return nil
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

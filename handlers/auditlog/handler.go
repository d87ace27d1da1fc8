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

	"github.com/tracebridge/tracebridge/handlers/internal/completion"
	"github.com/tracebridge/tracebridge/schemas"
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
// An error (rather than a response) is returned only when nothing can be
// audited at all, e.g. the log stream cannot be created; the Pipe then
// retries the whole batch.
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
		if seg != nil && a.correlationID != "" {
			_ = seg.AddAnnotation("correlation_id", a.correlationID)
		}
	}
	if len(good) > 0 {
		if err := h.ensureStream(ctx); err != nil {
			return events.DynamoDBEventResponse{}, err
		}
		good = h.writeLog(ctx, good, failed)
		good = h.announce(ctx, good, failed)
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

// writeLog puts one log event per record, marks the records whose event was
// not stored as failed, and returns the rest.
func (h *Handler) writeLog(ctx context.Context, recs []auditRecord, failed []bool) []auditRecord {
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
		out, err := h.Logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
			LogGroupName: aws.String(h.LogGroup), LogStreamName: aws.String(h.LogStream),
			LogEvents: logEvents[b.start:b.end],
		})
		if err != nil {
			h.logger().Warn("PutLogEvents failed", "error", err, "events", b.end-b.start)
			continue
		}
		for i := b.start; i < b.end; i++ {
			stored[i] = !rejected(out.RejectedLogEventsInfo, i-b.start)
		}
	}
	var ok []auditRecord
	for i, r := range recs {
		if stored[i] {
			ok = append(ok, r)
		} else {
			failed[r.index] = true
		}
	}
	return ok
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

// announce emits UserAuditLogged for each record, marks those whose event
// could not be put as failed, and returns the rest.
func (h *Handler) announce(ctx context.Context, recs []auditRecord, failed []bool) []auditRecord {
	evs := make([]completion.Event, len(recs))
	for i, r := range recs {
		evs[i] = completion.Event{DetailType: schemas.DetailTypeUserAuditLogged, Detail: schemas.UserAuditLogged{
			PK: r.pk, SK: r.sk, LogGroup: h.LogGroup, CorrelationID: r.correlationID,
		}}
	}
	errs, err := h.Events.Publish(ctx, evs)
	var ok []auditRecord
	for i, r := range recs {
		if e := errors.Join(err, errAt(errs, i)); e != nil {
			h.logger().Warn("UserAuditLogged not published", "pk", r.pk, "error", e)
			failed[r.index] = true
			continue
		}
		ok = append(ok, r)
	}
	return ok
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

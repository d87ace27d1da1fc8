package await

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
)

// DynamoDBAPI is the part of the DynamoDB client the handler uses.
type DynamoDBAPI interface {
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
}

// SFNAPI is the part of the Step Functions client the handler uses.
type SFNAPI interface {
	SendTaskSuccess(ctx context.Context, in *sfn.SendTaskSuccessInput, opts ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, in *sfn.SendTaskFailureInput, opts ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Step Functions' limits on SendTaskFailure (API reference).
const (
	maxCauseLength = 32768
)

// defaultTTL is how long a pairing item lives: far longer than any test's
// deadline, short enough that unclaimed events do not pile up.
const defaultTTL = 24 * time.Hour

// Handler pairs the Await task's token with the run's completion event.
//
// Both halves land on one item of the harness table, keyed by correlation
// id, through conditional updates; DynamoDB serializes them, so whichever
// arrives second sees the other half in its update's result and completes
// the task. Events are appended (an event may come before the token, and
// events the test does not await may come too); repeated deliveries of an
// event are recognized by its id. Whoever completes the task claims the
// item first (claim), so only one SendTask* is made: a second one would be
// answered TaskTimedOut, recorded as an error in the run's trace, and fail
// a trace assertion of a test that passed.
type Handler struct {
	Table string
	DB    DynamoDBAPI
	SFN   SFNAPI
	// TTL of pairing items; defaultTTL when zero.
	TTL time.Duration
	// Now is the clock for expiry; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger
	// Diagnoser follows the glue of a run's flow (see watch.go); nil
	// leaves every verdict to the deadline.
	Diagnoser Diagnoser
	// NotifySettled asks the local cloud to call back once it has
	// settled; nil, or unsupported by the endpoint, on AWS.
	NotifySettled SettleNotifier
}

// Outcome says what one invocation did (the function's result).
type Outcome struct {
	Kind          string `json:"kind"` // "token", "event" or "ignored"
	CorrelationID string `json:"correlationId,omitempty"`
	// Completed is the detail-type that completed the task in this
	// invocation, "" when the pair is not complete (or was already).
	Completed string `json:"completed,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

// input is either shape the function receives: the Await task's payload
// (testharness.AwaitRequest) or an EventBridge event from the app bus rule.
type input struct {
	testharness.AwaitRequest
	Diagnose   bool                      `json:"diagnose"`
	Settled    *testharness.AwaitRequest `json:"settled"`
	ID         string                    `json:"id"`
	Source     string                    `json:"source"`
	DetailType string                    `json:"detail-type"`
	Detail     json.RawMessage           `json:"detail"`
}

// Handle registers a task token or a completion event, whichever it is
// given, and completes the task when both are there; given a Diagnose
// request it answers the diagnosis of the run's flow (a string).
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) (any, error) {
	var in input
	if err := json.Unmarshal(raw, &in); err != nil {
		return Outcome{}, fmt.Errorf("decode input: %w", err)
	}
	switch {
	case in.Diagnose:
		return h.diagnoseTimeout(ctx, testharness.DiagnoseRequest{Diagnose: true, Run: in.Run})
	case in.Settled != nil:
		return h.settled(ctx, *in.Settled)
	case in.TaskToken != "":
		out, err := h.registerToken(ctx, in.AwaitRequest)
		if err == nil && out.Completed == "" {
			h.watch(ctx, in.AwaitRequest)
		}
		return out, err
	case in.Source != "" && in.DetailType != "":
		return h.registerEvent(ctx, in, traceHeader(ctx))
	default:
		return Outcome{}, fmt.Errorf("input is neither an Await request (taskToken) nor an EventBridge event (source, detail-type): %.200s", raw)
	}
}

func traceHeader(ctx context.Context) string {
	h, _ := ctx.Value(xray.LambdaTraceHeaderKey).(string)
	return h
}

func (h *Handler) registerToken(ctx context.Context, req testharness.AwaitRequest) (Outcome, error) {
	if req.CorrelationID == "" {
		return Outcome{}, errors.New("the Await request has no correlationId")
	}
	out := Outcome{Kind: "token", CorrelationID: req.CorrelationID}
	upd, err := h.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(h.Table),
		Key:                 h.key(req.CorrelationID),
		UpdateExpression:    aws.String("SET #token = :token, #success = :success, #failure = :failure, #exp = if_not_exists(#exp, :exp)"),
		ConditionExpression: aws.String("attribute_not_exists(#token) OR #token = :token"),
		ExpressionAttributeNames: map[string]string{
			"#token": attrToken, "#success": attrSuccess, "#failure": attrFailure, "#exp": testharness.HarnessTableTTLAttribute,
		},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":token":   &ddbtypes.AttributeValueMemberS{Value: req.TaskToken},
			":success": stringList(req.Success),
			":failure": stringList(req.Failure),
			":exp":     h.expiry(),
		},
		ReturnValues: ddbtypes.ReturnValueAllNew,
	})
	var ccf *ddbtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return out, fmt.Errorf("correlation id %s is already awaited by another task: correlation ids must be unique per run", req.CorrelationID)
	}
	if err != nil {
		return out, fmt.Errorf("register task token for %s: %w", req.CorrelationID, err)
	}
	return h.complete(ctx, out, decodePairing(upd.Attributes))
}

func (h *Handler) registerEvent(ctx context.Context, in input, trace string) (Outcome, error) {
	var detail struct {
		CorrelationID string `json:"correlationId"`
	}
	_ = json.Unmarshal(in.Detail, &detail) // a detail without one is ignored below
	if in.Source != schemas.AppEventSource || detail.CorrelationID == "" || in.ID == "" {
		return Outcome{Kind: "ignored", Reason: fmt.Sprintf("not a completion event with a correlation id: %s %q", in.Source, in.DetailType)}, nil
	}
	out := Outcome{Kind: "event", CorrelationID: detail.CorrelationID}
	ev := &ddbtypes.AttributeValueMemberM{Value: map[string]ddbtypes.AttributeValue{
		"id":          &ddbtypes.AttributeValueMemberS{Value: in.ID},
		"detailType":  &ddbtypes.AttributeValueMemberS{Value: in.DetailType},
		"detail":      &ddbtypes.AttributeValueMemberS{Value: string(in.Detail)},
		"traceHeader": &ddbtypes.AttributeValueMemberS{Value: trace},
	}}
	upd, err := h.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           aws.String(h.Table),
		Key:                 h.key(detail.CorrelationID),
		UpdateExpression:    aws.String("SET #events = list_append(if_not_exists(#events, :none), :one), #exp = if_not_exists(#exp, :exp) ADD #ids :id"),
		ConditionExpression: aws.String("NOT contains(#ids, :idValue)"),
		ExpressionAttributeNames: map[string]string{
			"#events": attrEvents, "#ids": attrEventIDs, "#exp": testharness.HarnessTableTTLAttribute,
		},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":none":    &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{}},
			":one":     &ddbtypes.AttributeValueMemberL{Value: []ddbtypes.AttributeValue{ev}},
			":id":      &ddbtypes.AttributeValueMemberSS{Value: []string{in.ID}},
			":idValue": &ddbtypes.AttributeValueMemberS{Value: in.ID},
			":exp":     h.expiry(),
		},
		ReturnValues: ddbtypes.ReturnValueAllNew,
	})
	var ccf *ddbtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		// A repeated delivery. The first one may have failed before it
		// completed the task, so look again rather than stop here.
		h.logger().Info("repeated delivery of an event", "id", in.ID, "correlation_id", detail.CorrelationID)
		got, err := h.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(h.Table), Key: h.key(detail.CorrelationID), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return out, fmt.Errorf("read pairing of %s: %w", detail.CorrelationID, err)
		}
		return h.complete(ctx, out, decodePairing(got.Item))
	}
	if err != nil {
		return out, fmt.Errorf("register %s event %s for %s: %w", in.DetailType, in.ID, detail.CorrelationID, err)
	}
	return h.complete(ctx, out, decodePairing(upd.Attributes))
}

// complete sends the task its outcome when the item holds a token and an
// awaited event and nobody has completed it yet.
func (h *Handler) complete(ctx context.Context, out Outcome, p pairing) (Outcome, error) {
	if p.Token == "" || p.Completed != "" {
		return out, nil
	}
	ev, ok := p.awaited()
	if !ok {
		return out, nil
	}
	log := h.logger().With("correlation_id", out.CorrelationID, "detail_type", ev.DetailType)
	claimed, err := h.claim(ctx, out.CorrelationID, ev.DetailType)
	if err != nil || !claimed {
		return out, err // an error: the event is delivered again
	}
	if slices.Contains(p.Success, ev.DetailType) {
		output, merr := json.Marshal(testharness.Completion{DetailType: ev.DetailType, Detail: json.RawMessage(ev.Detail), TraceHeader: ev.TraceHeader})
		if merr != nil {
			return out, fmt.Errorf("encode completion of %s: %w", out.CorrelationID, merr)
		}
		_, err = h.SFN.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(p.Token), Output: aws.String(string(output))})
	} else {
		_, err = h.SFN.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{
			TaskToken: aws.String(p.Token),
			Error:     aws.String(testharness.ErrorCompletionFailed),
			Cause:     aws.String(failureCause(ev)),
		})
	}
	var timedOut *sfntypes.TaskTimedOut
	switch {
	case errors.As(err, &timedOut):
		// The task is over (it timed out).
		log.Info("task already completed or timed out")
	case err != nil:
		h.release(ctx, log, out.CorrelationID, ev.DetailType)
		return out, fmt.Errorf("complete the Await task of %s with %s: %w", out.CorrelationID, ev.DetailType, err)
	default:
		out.Completed = ev.DetailType
		log.Info("completed the Await task")
	}
	return out, nil
}

// claim records on the pairing what is about to complete its task (a
// detail-type, or the error the await function fails it with), unless
// something did already: DynamoDB lets one claimant through, which alone
// calls SendTask*. It reports whether the claim was this caller's.
func (h *Handler) claim(ctx context.Context, correlationID, by string) (bool, error) {
	err := h.updateCompleted(ctx, correlationID, by, "SET #completed = :by", "attribute_not_exists(#completed)")
	var ccf *ddbtypes.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim the Await task of %s: %w", correlationID, err)
	}
	return true, nil
}

// release gives up a claim whose SendTask* failed, so that the event's
// next delivery (or the settled cloud's callback) completes the task. A
// failed release is logged: the task then ends at its deadline.
func (h *Handler) release(ctx context.Context, log *slog.Logger, correlationID, by string) {
	if err := h.updateCompleted(ctx, correlationID, by, "REMOVE #completed", "#completed = :by"); err != nil {
		log.Warn("could not release the claim on the Await task", "error", err)
	}
}

// updateCompleted updates the pairing's completed attribute under a
// condition; :by is the claimant.
func (h *Handler) updateCompleted(ctx context.Context, correlationID, by, update, condition string) error {
	_, err := h.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 aws.String(h.Table),
		Key:                       h.key(correlationID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(condition),
		ExpressionAttributeNames:  map[string]string{"#completed": attrCompleted},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":by": &ddbtypes.AttributeValueMemberS{Value: by}},
	})
	return err
}

// limitCause cuts a cause to SendTaskFailure's limit.
func limitCause(cause string) string {
	if len(cause) > maxCauseLength {
		return cause[:maxCauseLength]
	}
	return cause
}

// failureCause is the detail's reason (ImageMetadataFailed has one), else
// the detail-type and the whole detail, within SendTaskFailure's limit.
func failureCause(ev event) string {
	var d struct {
		Reason string `json:"reason"`
	}
	cause := ev.DetailType + ": " + ev.Detail
	if json.Unmarshal([]byte(ev.Detail), &d) == nil && d.Reason != "" {
		cause = ev.DetailType + ": " + d.Reason
	}
	return limitCause(cause)
}

func (h *Handler) key(correlationID string) map[string]ddbtypes.AttributeValue {
	return map[string]ddbtypes.AttributeValue{testharness.HarnessTablePartitionKey: &ddbtypes.AttributeValueMemberS{Value: correlationID}}
}

func (h *Handler) expiry() ddbtypes.AttributeValue {
	now := time.Now
	if h.Now != nil {
		now = h.Now
	}
	ttl := h.TTL
	if ttl <= 0 {
		ttl = defaultTTL
	}
	return &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(now().Add(ttl).Unix(), 10)}
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

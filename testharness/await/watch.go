package await

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
)

// The watch: why a test that cannot pass fails at once.
//
// Where the endpoint can tell when it has settled (the local cloud), the
// await function asks it to call back once nothing is in progress and
// nothing is due before the test's deadline, ignoring the test execution's
// own work. If the completion event has not come by then it cannot come
// any more: the task fails with NoOutcome and what a full diagnosis finds
// (a rule that does not match and why, a dead-lettered delivery, the
// function's logged error).
//
// Elsewhere (AWS) it follows the deployed glue of the run's flow right
// after the act (Diagnoser.Static). A broken link — notifications off, a
// rule pattern that cannot match, a missing target or invoke permission,
// a pipe that is stopped or filters the record out, a role without the
// action — means the event cannot come: the task fails now with
// GlueBroken and the link. Otherwise the Await task's timeout ends the
// wait, and the Diagnose step explains it.

// Diagnoser follows a trigger's glue; testharness/diagnose implements it.
type Diagnoser interface {
	Static(ctx context.Context, t testharness.Trigger) (diagnose.Report, error)
	Full(ctx context.Context, t testharness.Trigger, correlationID string) (diagnose.Report, error)
}

// SettleNotifier asks the cloud to invoke this function with payload once
// it has settled before until, ignoring an owner's work; it returns an
// error wrapping testharness.ErrSettleUnsupported where the endpoint
// cannot tell (see testharness.NotifyWhenSettled).
type SettleNotifier func(ctx context.Context, until time.Time, ignore string, payload any) error

// settledCallback is the payload the cloud calls back with.
type settledCallback struct {
	Settled *testharness.AwaitRequest `json:"settled"`
}

// watch arranges for the task to fail as soon as its completion event
// cannot come any more.
func (h *Handler) watch(ctx context.Context, req testharness.AwaitRequest) {
	if h.Diagnoser == nil || req.Run == nil || req.Run.Trigger == nil {
		return
	}
	log := h.logger().With("correlation_id", req.CorrelationID)
	if h.NotifySettled != nil && !req.Deadline().IsZero() {
		err := h.NotifySettled(ctx, req.Deadline(), req.ExecutionArn, settledCallback{Settled: &req})
		if err == nil {
			return
		}
		if !errors.Is(err, testharness.ErrSettleUnsupported) {
			log.Warn("could not ask the cloud to tell when it has settled", "error", err)
		}
	}
	rep, err := h.Diagnoser.Static(ctx, *req.Run.Trigger)
	switch {
	case err != nil:
		log.Warn("diagnosis right after the act failed; the deadline decides", "error", err)
	case rep.Broken != nil:
		h.failTask(ctx, req, testharness.ErrorGlueBroken, rep.String())
	}
}

// settled runs when the cloud has settled before the task's deadline: a
// task whose completion event has not come by now fails with the
// diagnosis.
func (h *Handler) settled(ctx context.Context, req testharness.AwaitRequest) (Outcome, error) {
	out := Outcome{Kind: "settled", CorrelationID: req.CorrelationID}
	got, err := h.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(h.Table), Key: h.key(req.CorrelationID), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return out, fmt.Errorf("read the pairing of %s after the cloud settled: %w", req.CorrelationID, err)
	}
	p := decodePairing(got.Item)
	if _, ok := p.awaited(); ok || p.Completed != "" {
		out.Reason = "the task is complete or its completion event came"
		return out, nil
	}
	cause := fmt.Sprintf("the local cloud settled without it (nothing in progress, no retry or timer due before the %ds deadline), so it cannot come", req.DeadlineSeconds)
	if req.Run == nil || req.Run.Trigger == nil || h.Diagnoser == nil {
		cause += "; the act named no trigger to follow the glue from"
	} else if full, err := h.Diagnoser.Full(ctx, *req.Run.Trigger, req.CorrelationID); err != nil {
		cause += "; the diagnosis failed: " + err.Error()
	} else {
		cause += "; " + full.String()
	}
	h.failTask(ctx, req, testharness.ErrorNoOutcome, cause)
	out.Completed, out.Reason = testharness.ErrorNoOutcome, cause
	return out, nil
}

// failTask claims the pairing and fails the Await task, so a completion
// event that still came does not complete it again; a completion that
// claimed it first wins.
func (h *Handler) failTask(ctx context.Context, req testharness.AwaitRequest, name, cause string) {
	log := h.logger().With("correlation_id", req.CorrelationID, "error", name)
	claimed, err := h.claim(ctx, req.CorrelationID, name)
	if err != nil || !claimed {
		log.Info("not failing the Await task: completed already, or the claim failed", "claim_error", err)
		return
	}
	cause = limitCause(cause)
	_, err = h.SFN.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(req.TaskToken), Error: aws.String(name), Cause: aws.String(cause)})
	var timedOut *sfntypes.TaskTimedOut
	switch {
	case errors.As(err, &timedOut):
		log.Info("task already completed or timed out")
	case err != nil:
		h.release(ctx, log, req.CorrelationID, name)
		log.Warn("could not fail the Await task", "cause", cause, "send_error", err)
	default:
		log.Info("failed the Await task", "cause", cause)
	}
}

// diagnoseTimeout answers the Diagnose step after an Await timeout: what a
// full diagnosis of the run's flow finds.
func (h *Handler) diagnoseTimeout(ctx context.Context, req testharness.DiagnoseRequest) (string, error) {
	if req.Run == nil || req.Run.Trigger == nil {
		return "the act named no trigger to follow the glue from", nil
	}
	if h.Diagnoser == nil {
		return "", errors.New("this await function has no diagnoser")
	}
	rep, err := h.Diagnoser.Full(ctx, *req.Run.Trigger, req.Run.CorrelationID)
	if err != nil {
		return "", fmt.Errorf("diagnose %s: %w", req.Run.CorrelationID, err)
	}
	return rep.String(), nil
}

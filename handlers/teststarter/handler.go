package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/handlers/internal/cfnresponse"
)

// SFNAPI is the part of the Step Functions client the starter uses.
type SFNAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

// Handler is the Custom::TestRun resource: the deploy-time check.
type Handler struct {
	StateMachineArn string
	SFN             SFNAPI
	HTTP            *http.Client // for CloudFormation responses; http.DefaultClient when nil
	Log             *slog.Logger
}

// ExecutionInput is the test state machine's input when the deploy-time
// check starts it: the report step finds the request to answer here.
type ExecutionInput struct {
	CloudFormation cfn.Event `json:"cloudFormation"`
}

// Handle starts the test run for Create and Update and leaves the answer
// to the state machine's report step; it answers Delete with SUCCESS at
// once (there is nothing to delete, and tests must not block a rollback),
// and answers FAILED itself when the run cannot start.
//
// The execution is named after the request, so a repeated invocation for
// the same request (Lambda retries asynchronous invocations) finds the run
// already started instead of starting a second one.
func (h *Handler) Handle(ctx context.Context, ev cfn.Event) error {
	log := h.logger().With("request_type", ev.RequestType, "request_id", ev.RequestID, "logical_id", ev.LogicalResourceID)
	switch ev.RequestType {
	case cfn.RequestDelete:
		log.Info("delete: nothing to do")
		return h.answer(ctx, ev, cfn.StatusSuccess, "")
	case cfn.RequestCreate, cfn.RequestUpdate:
	default:
		return h.answer(ctx, ev, cfn.StatusFailed, fmt.Sprintf("unknown RequestType %q", ev.RequestType))
	}
	input, err := json.Marshal(ExecutionInput{CloudFormation: ev})
	if err != nil {
		return h.answer(ctx, ev, cfn.StatusFailed, fmt.Sprintf("encode the test run's input: %v", err))
	}
	out, err := h.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.StateMachineArn),
		Name:            aws.String(executionName(ev.RequestID)),
		Input:           aws.String(string(input)),
	})
	var exists *sfntypes.ExecutionAlreadyExists
	switch {
	case errors.As(err, &exists):
		log.Info("the test run of this request has already started")
		return nil
	case err != nil:
		return h.answer(ctx, ev, cfn.StatusFailed, fmt.Sprintf("could not start the integration tests (state machine %s): %v", h.StateMachineArn, err))
	}
	log.Info("integration tests started; the state machine's report step answers CloudFormation", "execution", aws.ToString(out.ExecutionArn))
	return nil
}

// executionName is a valid execution name (1–80 of letters, digits, - and
// _) derived from a request id.
func executionName(requestID string) string {
	b := []byte("cfn-")
	for i := 0; i < len(requestID) && len(b) < 80; i++ {
		c := requestID[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
			b = append(b, c)
		default:
			b = append(b, '_')
		}
	}
	return string(b)
}

func (h *Handler) answer(ctx context.Context, ev cfn.Event, status cfn.StatusType, reason string) error {
	if err := cfnresponse.Send(ctx, h.HTTP, ev, cfnresponse.Response{Status: status, Reason: reason}); err != nil {
		return fmt.Errorf("answer %s %s with %s: %w", ev.RequestType, ev.LogicalResourceID, status, err)
	}
	return nil
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

package starter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/cfnresponse"
)

// SFNAPI is the part of the Step Functions client the starter uses.
type SFNAPI interface {
	StartExecution(ctx context.Context, in *sfn.StartExecutionInput, opts ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
	GetExecutionHistory(ctx context.Context, in *sfn.GetExecutionHistoryInput, opts ...func(*sfn.Options)) (*sfn.GetExecutionHistoryOutput, error)
}

// CloudFormationAPI is the part of the CloudFormation client the starter
// uses: DescribeStacks of its own stack, to recognise a rollback.
type CloudFormationAPI interface {
	DescribeStacks(ctx context.Context, in *cloudformation.DescribeStacksInput, opts ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
}

// Handler is the Custom::TestRun resource: the deploy-time check. It also
// answers for a test run that ended without answering (see
// HandleExecutionEnded).
type Handler struct {
	StateMachineArn string
	SFN             SFNAPI
	CloudFormation  CloudFormationAPI
	// Tests are the names of the suite's tests, to name those a run that
	// timed out had not finished.
	Tests []string
	HTTP  *http.Client // for CloudFormation responses; http.DefaultClient when nil
	Log   *slog.Logger
}

// ExecutionInput is the test state machine's input when the deploy-time
// check starts it: the report step finds the request to answer here.
type ExecutionInput struct {
	CloudFormation cfn.Event `json:"cloudFormation"`
}

// Handle takes both events the starter receives: CloudFormation's custom
// resource requests, and the test state machine's status changes, which a
// rule on the default bus sends it.
func (h *Handler) Handle(ctx context.Context, raw json.RawMessage) error {
	var kind struct {
		DetailType string `json:"detail-type"`
	}
	if err := json.Unmarshal(raw, &kind); err != nil {
		return fmt.Errorf("decode the event: %w", err)
	}
	if kind.DetailType == testharness.ExecutionStatusChangeDetailType {
		var ev events.CloudWatchEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decode the status change event: %w", err)
		}
		return h.HandleExecutionEnded(ctx, ev)
	}
	var ev cfn.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("decode the CloudFormation request: %w", err)
	}
	return h.HandleRequest(ctx, ev)
}

// HandleRequest starts the test run for Create and Update and leaves the
// answer to the state machine's report step. It answers SUCCESS at once
// to Delete (there is nothing to delete) and to the Update CloudFormation
// sends while it rolls a failed update back: the tests ran against the
// broken deployment, and running them again would only fail the rollback
// (UPDATE_ROLLBACK_FAILED). It answers FAILED itself when the run cannot
// start.
//
// The execution is named after the request, so a repeated invocation for
// the same request (Lambda retries asynchronous invocations) finds the run
// already started instead of starting a second one.
func (h *Handler) HandleRequest(ctx context.Context, ev cfn.Event) error {
	log := h.logger().With("request_type", ev.RequestType, "request_id", ev.RequestID, "logical_id", ev.LogicalResourceID)
	switch ev.RequestType {
	case cfn.RequestDelete:
		log.Info("delete: nothing to do")
		return h.answer(ctx, ev, cfn.StatusSuccess, "")
	case cfn.RequestUpdate:
		if why, ok := h.rollingBack(ctx, ev, log); ok {
			reason := "Rollback: the integration tests do not run while CloudFormation rolls back (" + why + ")"
			log.Info("rollback: answering SUCCESS without running the tests", "why", why)
			return h.answer(ctx, ev, cfn.StatusSuccess, reason)
		}
	case cfn.RequestCreate:
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

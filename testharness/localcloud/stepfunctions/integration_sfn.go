package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// startChild runs arn:aws:states:::states:startExecution: it starts an
// execution of this service and, for .sync and .sync:2, waits for it.
// The request-response result is {ExecutionArn, StartDate, SdkHttpMetadata,
// SdkResponseMetadata}; .sync returns the child as DescribeExecution
// describes it in PascalCase, Output as a string (.sync) or as JSON
// (.sync:2); a child that does not succeed fails the task with
// States.TaskFailed and that description as the cause ("Start a new AWS
// Step Functions state machine from a running execution").
func (s *Service) startChild(ctx context.Context, t *task) (json.RawMessage, error) {
	p, err := params(t)
	if err != nil {
		return nil, err
	}
	in := &StartExecutionInput{StateMachineArn: stringParam(p, "StateMachineArn"), Name: stringParam(p, "Name"),
		TraceHeader: t.traceHeader}
	in.Input, _ = textParam(p, "Input")
	child, err := s.startExecution(ctx, in, false)
	if err != nil {
		return nil, childError(err)
	}
	if t.pattern != ".sync" && t.pattern != ".sync:2" {
		out := map[string]any{"ExecutionArn": child.arn, "StartDate": child.start.UnixMilli()}
		sdkMetadata(out, "", 0)
		return marshal(out)
	}
	select {
	case <-child.done:
	case <-ctx.Done(): // the task timed out or the parent stopped: so does the child
		_, _ = s.StopExecution(context.WithoutCancel(ctx), &StopExecutionInput{ExecutionArn: child.arn})
		return nil, ctx.Err()
	}
	s.mu.Lock()
	r := child.result()
	s.mu.Unlock()
	desc := map[string]any{"ExecutionArn": r.ExecutionArn, "StateMachineArn": r.StateMachineArn, "Name": r.Name,
		"Status": r.Status, "StartDate": r.StartDate.UnixMilli(), "StopDate": r.StopDate.UnixMilli(),
		"Input": r.Input, "InputDetails": map[string]bool{"Included": true}, "RedriveCount": 0, "RedriveStatus": "NOT_REDRIVABLE"}
	if r.TraceHeader != "" {
		desc["TraceHeader"] = r.TraceHeader
	}
	if r.Status != StatusSucceeded {
		if r.Error != "" {
			desc["Error"] = r.Error
		}
		if r.Cause != "" {
			desc["Cause"] = r.Cause
		}
		cause, _ := json.Marshal(desc)
		return nil, &asl.StatesError{Name: asl.StatesTaskFailed, Cause: string(cause)}
	}
	desc["OutputDetails"] = map[string]bool{"Included": true}
	desc["Output"] = r.Output
	if t.pattern == ".sync:2" {
		desc["Output"] = json.RawMessage(r.Output)
	}
	return marshal(desc)
}

// childError names a failed StartExecution as the optimized integration
// does: "StepFunctions.<Code>Exception", e.g.
// StepFunctions.StateMachineDoesNotExistException (quoted in
// localstack/localstack#9970 from AWS).
func childError(err error) error {
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		return err
	}
	se := serviceError("StepFunctions", "AWSStepFunctions", err).(*asl.StatesError)
	se.Name = "StepFunctions." + strings.TrimSuffix(ae.Code, "Exception") + "Exception"
	return se
}

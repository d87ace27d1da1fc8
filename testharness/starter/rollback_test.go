package starter

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
)

// stackStatus answers DescribeStacks with one stack in a status, or fails.
type stackStatus struct {
	status types.StackStatus
	err    error
}

func (s stackStatus) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if s.err != nil {
		return nil, s.err
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []types.Stack{{StackId: in.StackName, StackStatus: s.status}}}, nil
}

// rollbackEvent is the Update CloudFormation sends while it rolls a failed
// update back: the old RunId restored, the failed one as the old
// properties.
func (f *fixture) rollbackEvent() cfn.Event {
	ev := f.event(cfn.RequestUpdate)
	ev.ResourceProperties = map[string]any{"RunId": "2026-12-07T06:00:00.5Z"}
	ev.OldResourceProperties = map[string]any{"RunId": "2026-12-07T06:10:00Z"}
	return ev
}

// executions counts the test runs started.
func (f *fixture) executions(t *testing.T) int {
	t.Helper()
	out, err := f.h.SFN.(*sfn.Client).ListExecutions(context.Background(), &sfn.ListExecutionsInput{StateMachineArn: aws.String(f.h.StateMachineArn)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Executions)
}

func TestRollbackUpdateIsAnsweredSuccessWithoutRunningTheTests(t *testing.T) {
	for name, c := range map[string]struct {
		stack      stackStatus
		wantReason string
	}{
		"stack status":                {stackStatus{status: types.StackStatusUpdateRollbackInProgress}, "stack status UPDATE_ROLLBACK_IN_PROGRESS"},
		"RunIds when the stack fails": {stackStatus{err: errors.New("AccessDenied")}, "RunId 2026-12-07T06:00:00.5Z is older than the RunId 2026-12-07T06:10:00Z it replaces"},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.h.CloudFormation = c.stack
			if err := f.h.HandleRequest(context.Background(), f.rollbackEvent()); err != nil {
				t.Fatal(err)
			}
			a := <-f.answers
			if a.Status != cfn.StatusSuccess || !strings.HasPrefix(a.Reason, "Rollback: the integration tests do not run while CloudFormation rolls back") ||
				!strings.Contains(a.Reason, c.wantReason) || a.PhysicalResourceID != "TestRun" {
				t.Errorf("answer = %+v", a)
			}
			if n := f.executions(t); n != 0 {
				t.Errorf("%d test runs started during a rollback", n)
			}
		})
	}
}

func TestUpdateOutsideARollbackRunsTheTests(t *testing.T) {
	f := newFixture(t)
	f.h.CloudFormation = stackStatus{err: errors.New("AccessDenied")}
	ev := f.rollbackEvent()
	// A newer RunId: an update, whatever the stack says.
	ev.ResourceProperties, ev.OldResourceProperties = ev.OldResourceProperties, ev.ResourceProperties
	if err := f.h.HandleRequest(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if n := f.executions(t); n != 1 {
		t.Errorf("%d test runs started for an update, want 1", n)
	}
}

package starter

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// rollingBack tells whether an Update request is CloudFormation rolling a
// failed update back, and why it thinks so. The stack's status says it
// (UPDATE_ROLLBACK_IN_PROGRESS); when DescribeStacks fails, the RunIds
// do: a rollback's RunId (the properties it restores) is older than the
// one it replaces (every synthesis has a newer one).
func (h *Handler) rollingBack(ctx context.Context, ev cfn.Event, log *slog.Logger) (string, bool) {
	out, err := h.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(ev.StackID)})
	if err == nil && len(out.Stacks) == 1 {
		status := out.Stacks[0].StackStatus
		return fmt.Sprintf("stack status %s", status), status == cfntypes.StackStatusUpdateRollbackInProgress
	}
	log.Warn("could not read the stack's status; comparing RunIds instead", "error", err)
	restored, restoredOK := runID(ev.ResourceProperties)
	replaced, replacedOK := runID(ev.OldResourceProperties)
	if restoredOK && replacedOK && restored.Before(replaced) {
		return fmt.Sprintf("RunId %s is older than the RunId %s it replaces", restored.Format(time.RFC3339Nano), replaced.Format(time.RFC3339Nano)), true
	}
	return "", false
}

// runID reads the RunId property, the synthesis time.
func runID(props map[string]any) (time.Time, bool) {
	s, _ := props["RunId"].(string)
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

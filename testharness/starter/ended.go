package starter

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness"
)

// statusChange is the detail of a status change event (Step Functions
// Developer Guide, "Automating Step Functions event delivery with
// EventBridge").
type statusChange struct {
	ExecutionArn    string  `json:"executionArn"`
	StateMachineArn string  `json:"stateMachineArn"`
	Status          string  `json:"status"`
	Input           *string `json:"input"`
	Error           *string `json:"error"`
	Cause           *string `json:"cause"`
}

// HandleExecutionEnded answers CloudFormation for a deploy-time test run
// that timed out, was stopped or failed, so the stack gets its FAILED
// answer now rather than after CloudFormation's hour: the reason names the
// tests that had not finished. Other executions and statuses are ignored.
func (h *Handler) HandleExecutionEnded(ctx context.Context, ev events.CloudWatchEvent) error {
	var d statusChange
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return fmt.Errorf("decode the status change of %v: %w", ev.Resources, err)
	}
	log := h.logger().With("execution", d.ExecutionArn, "status", d.Status)
	if d.StateMachineArn != h.StateMachineArn || !slices.Contains(testharness.RunEndedWithoutReport, d.Status) {
		log.Info("status change of no concern to the deploy-time check")
		return nil
	}
	if d.Input == nil {
		log.Warn("the event does not include the execution's input: no CloudFormation request to answer")
		return nil
	}
	var in ExecutionInput
	if err := json.Unmarshal([]byte(*d.Input), &in); err != nil || in.CloudFormation.ResponseURL == "" {
		log.Info("the execution was not started by the deploy-time check: nothing to answer")
		return nil
	}
	reason := fmt.Sprintf("The integration tests ended %s without a verdict (execution %s", d.Status, d.ExecutionArn)
	if d.Status == "TIMED_OUT" {
		reason += fmt.Sprintf(", state machine timeout %s", testharness.RunTimeout)
	}
	if d.Error != nil {
		reason += fmt.Sprintf(", %s: %s", aws.ToString(d.Error), aws.ToString(d.Cause))
	}
	reason += "). " + h.unfinishedTests(ctx, d.ExecutionArn)
	log.Info("answering CloudFormation for a test run that ended without its report", "reason", reason)
	return h.answer(ctx, in.CloudFormation, cfn.StatusFailed, reason)
}

// unfinishedTests names the tests whose branch had not ended, from the
// execution's history.
func (h *Handler) unfinishedTests(ctx context.Context, executionArn string) string {
	ended := map[string]bool{}
	pages := sfn.NewGetExecutionHistoryPaginator(h.SFN, &sfn.GetExecutionHistoryInput{
		ExecutionArn: aws.String(executionArn), MaxResults: 1000, IncludeExecutionData: aws.Bool(false)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			h.logger().Warn("could not read the execution's history", "error", err)
			return fmt.Sprintf("Which tests had not finished is unknown: GetExecutionHistory: %v", err)
		}
		for _, e := range page.Events {
			if e.StateExitedEventDetails != nil {
				ended[aws.ToString(e.StateExitedEventDetails.Name)] = true
			}
		}
	}
	var unfinished []string
	for _, t := range h.Tests {
		if !slices.ContainsFunc(testharness.BranchEndStates(t), func(s string) bool { return ended[s] }) {
			unfinished = append(unfinished, t)
		}
	}
	if len(unfinished) == 0 {
		return "Every test had finished; the report step did not answer."
	}
	return fmt.Sprintf("Tests that had not finished: %s.", strings.Join(unfinished, ", "))
}

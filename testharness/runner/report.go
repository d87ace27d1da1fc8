package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/cfnresponse"
)

// report builds the run's RunReport, puts it on the app bus as
// TestRunCompleted and, when the deploy-time check started the run,
// answers CloudFormation: SUCCESS, or FAILED naming the failing tests.
func (h *Handler) report(ctx context.Context, req testharness.RunnerRequest) (testharness.RunReport, error) {
	st := req.Report
	results := st.Results
	if st.RunError != nil {
		// The Parallel itself failed (it should not: every branch catches).
		results = append(results, testharness.Result{Name: "test run", Reason: fmt.Sprintf("the test run failed: %s: %s", st.RunError.Error, st.RunError.Message())})
	}
	rep := testharness.NewRunReport(req.ExecutionArn, req.StartTime, h.now(), results)
	if req.StartTime.IsZero() {
		rep.VerdictMs = 0
	}
	pubErr := h.Events.PublishOne(ctx, schemas.DetailTypeTestRunCompleted, rep)
	if pubErr != nil {
		pubErr = fmt.Errorf("put %s: %w", schemas.DetailTypeTestRunCompleted, pubErr)
	}
	var cfnErr error
	if len(st.CloudFormation) > 0 && string(st.CloudFormation) != "null" {
		cfnErr = h.answerCloudFormation(ctx, st.CloudFormation, rep)
	}
	if err := errors.Join(pubErr, cfnErr); err != nil {
		return rep, err
	}
	h.logger().Info("test run reported", "passed", rep.Passed, "failed", rep.Failed, "execution", rep.ExecutionArn)
	return rep, nil
}

func (h *Handler) answerCloudFormation(ctx context.Context, raw json.RawMessage, rep testharness.RunReport) error {
	var ev cfn.Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("decode the CloudFormation request: %w", err)
	}
	r := cfnresponse.Response{Status: cfn.StatusSuccess, Data: map[string]any{
		"Passed": rep.Passed, "Failed": rep.Failed, "ExecutionArn": rep.ExecutionArn,
	}}
	if rep.Failed > 0 {
		r.Status, r.Reason = cfn.StatusFailed, failedReason(rep)
	}
	if err := cfnresponse.Send(ctx, h.HTTP, ev, r); err != nil {
		return fmt.Errorf("answer CloudFormation for %s: %w", ev.LogicalResourceID, err)
	}
	return nil
}

// perTestReason bounds each failing test's reason, so that with many
// failures every test is still named within CloudFormation's 4 KB (the
// response writer cuts whatever is still too long at the end). Below
// minTestReason a reason says too little: the answer then names the
// failing tests only, and the TestRunCompleted event has the rest.
const (
	perTestReason = 700
	minTestReason = 120
)

// failedReason is the FAILED answer's Reason: how many failed, each
// failing test with its reason and trace id, and the execution to look at.
func failedReason(rep testharness.RunReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d integration tests failed (execution %s)", rep.Failed, rep.Passed+rep.Failed, rep.ExecutionArn)
	budget := perTestReason
	if rep.Failed > 0 {
		budget = min(perTestReason, (cfnresponse.MaxBodyBytes-1200)/rep.Failed)
	}
	namesOnly := budget < minTestReason
	if namesOnly {
		b.WriteString("; failing tests (reasons in the TestRunCompleted event):")
	}
	for _, r := range rep.Results {
		if r.Passed {
			continue
		}
		if namesOnly {
			fmt.Fprintf(&b, " %s", r.Name)
			continue
		}
		fmt.Fprintf(&b, "; %s: %s", r.Name, truncate(r.Reason, budget))
		if r.TraceID != "" {
			fmt.Fprintf(&b, " [trace %s]", r.TraceID)
		}
	}
	return b.String()
}

// truncate cuts s to at most n bytes on a character boundary, marking the
// cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

package cloudformation

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// runTemplate is a stack whose custom resource Run depends on Rule, as the
// deploy-time check depends on the whole app.
func runTemplate(pattern, runID string) string {
	return `{"Resources": {
	"Rule": {"Type": "Test::Thing", "Properties": {"Pattern": "` + pattern + `"}},
	"Run": {"Type": "Custom::TestRun", "DependsOn": "Rule", "Properties": {"ServiceToken": "` + fnARN + `", "RunId": "` + runID + `"}}}}`
}

// failingRuns answers FAILED to the Update whose RunId is failRunID
// (the broken deployment's test run) and, while rollbackFails says so,
// to every rollback Update too; everything else SUCCESS.
func failingRuns(failRunID string, rollbackFails func() bool) func(customRequest) *customResponse {
	return func(req customRequest) *customResponse {
		resp := &customResponse{Status: "SUCCESS", PhysicalResourceID: "run", RequestID: req.RequestID, StackID: req.StackID, LogicalResourceID: req.LogicalResourceID}
		switch {
		case req.RequestType == "Update" && req.ResourceProperties["RunId"] == failRunID:
			resp.Status, resp.Reason = "FAILED", "1 of 2 integration tests failed"
		case req.RequestType == "Update" && req.OldResourceProperties["RunId"] == failRunID && rollbackFails():
			resp.Status, resp.Reason = "FAILED", "the suite failed again"
		}
		return resp
	}
}

func TestFailedCustomResourceUpdateIsRolledBackWithTheOldProperties(t *testing.T) {
	inv := newInvoker(t, failingRuns("2", func() bool { return false }))
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	if _, err := h.deploy(t, "App", runTemplate("mine", "1")); err != nil {
		t.Fatal(err)
	}
	inv.next(t) // Create
	res, err := h.deploy(t, "App", runTemplate("other", "2"))
	var de *DeployError
	if !errors.As(err, &de) || res.Status != StatusUpdateRollbackComplete || res.Reason != "The following resource(s) failed to update: [Run]. " {
		t.Fatalf("broken update: %v %+v", err, res)
	}
	if failed := inv.next(t); failed.RequestType != "Update" || failed.ResourceProperties["RunId"] != "2" {
		t.Fatalf("update request = %+v", failed)
	}
	rollback := inv.next(t)
	if rollback.RequestType != "Update" || rollback.ResourceProperties["RunId"] != "1" || rollback.OldResourceProperties["RunId"] != "2" || rollback.PhysicalResourceID != "run" {
		t.Errorf("the failed custom resource's rollback request = %+v, want an Update back to RunId 1", rollback)
	}
	// The failed resource first (it depends on the rule), then the rule.
	if v := h.rec.request("Rule").Properties["Pattern"]; v != "mine" {
		t.Errorf("rule restored with pattern %v", v)
	}
	want := []string{
		"App UPDATE_IN_PROGRESS", "Rule UPDATE_IN_PROGRESS", "Rule UPDATE_COMPLETE", "Run UPDATE_IN_PROGRESS", "Run UPDATE_FAILED",
		"App UPDATE_ROLLBACK_IN_PROGRESS", "Run UPDATE_IN_PROGRESS", "Run UPDATE_COMPLETE", "Rule UPDATE_IN_PROGRESS", "Rule UPDATE_COMPLETE",
		"App UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "App UPDATE_ROLLBACK_COMPLETE",
	}
	events := h.resourceEvents(t, "App")
	if got := events[len(events)-len(want):]; !reflect.DeepEqual(got, want) {
		t.Errorf("events of the update =\n%v\nwant\n%v", got, want)
	}
	// The stack keeps the old template: the same broken template is an
	// update again, not "no changes".
	if _, err := h.deploy(t, "App", runTemplate("mine", "1")); err != nil {
		t.Errorf("redeploy of the restored template: %v", err)
	}
}

func TestRollbackThatFailsCanBeContinuedSkippingTheResource(t *testing.T) {
	rollbackFails := true
	inv := newInvoker(t, failingRuns("2", func() bool { return rollbackFails }))
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	ctx := context.Background()
	if _, err := h.deploy(t, "App", runTemplate("mine", "1")); err != nil {
		t.Fatal(err)
	}
	res, err := h.deploy(t, "App", runTemplate("other", "2"))
	if err == nil || res.Status != StatusUpdateRollbackFailed || res.Reason != "The following resource(s) failed to update: [Run]. " {
		t.Fatalf("update whose rollback fails: %v %+v", err, res)
	}
	if v := h.rec.request("Rule").Properties["Pattern"]; v != "other" {
		t.Errorf("the rollback went on past the failed resource: rule pattern %v", v)
	}
	if _, err := h.deploy(t, "App", runTemplate("mine", "3")); err == nil || !strings.Contains(err.Error(), "is in UPDATE_ROLLBACK_FAILED state and can not be updated") {
		t.Errorf("update of a stack in UPDATE_ROLLBACK_FAILED: %v", err)
	}

	_, err = h.cfn.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String("App"), ResourcesToSkip: []string{"Rule"}})
	if err == nil || !strings.Contains(err.Error(), "Resources [Rule] cannot be skipped") {
		t.Errorf("skipping a resource whose rollback did not fail: %v", err)
	}
	_, err = h.cfn.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String("App"), ResourcesToSkip: []string{"Run"}})
	if err != nil {
		t.Fatalf("ContinueUpdateRollback: %v", err)
	}
	ds := h.waitStack(t, "App")
	if ds.StackStatus != types.StackStatusUpdateRollbackComplete {
		t.Fatalf("after ContinueUpdateRollback: %s", ds.StackStatus)
	}
	if v := h.rec.request("Rule").Properties["Pattern"]; v != "mine" {
		t.Errorf("rule not restored after the continued rollback: %v", v)
	}
	ev, err := h.cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("App")})
	if err != nil {
		t.Fatal(err)
	}
	skipped := slices.IndexFunc(ev.StackEvents, func(e types.StackEvent) bool {
		return aws.ToString(e.LogicalResourceId) == "Run" && e.ResourceStatus == types.ResourceStatusUpdateComplete &&
			aws.ToString(e.ResourceStatusReason) == "Resource skipped during UPDATE_ROLLBACK"
	})
	if skipped < 0 {
		t.Errorf("no event of the skipped resource in %d events", len(ev.StackEvents))
	}
	if _, err := h.cfn.ContinueUpdateRollback(ctx, &cloudformation.ContinueUpdateRollbackInput{StackName: aws.String("App")}); err == nil ||
		!strings.Contains(err.Error(), "is in UPDATE_ROLLBACK_COMPLETE state and can not continue to roll back") {
		t.Errorf("ContinueUpdateRollback of a rolled-back stack: %v", err)
	}

	// Without skipping, a rollback that succeeds the second time completes.
	if _, err := h.deploy(t, "App", runTemplate("other", "2")); err == nil {
		t.Fatal("the broken update succeeded")
	}
	rollbackFails = false
	if res, err := h.engine.ContinueUpdateRollback(ctx, "App", nil); res == nil || res.Status != StatusUpdateRollbackComplete {
		t.Fatalf("ContinueUpdateRollback without skips: %v %+v", err, res)
	}
}

func TestDisableRollbackKeepsTheFailedStack(t *testing.T) {
	h := newHarness(t, nil)
	h.rec.fail["B"] = errors.New("boom")
	body := `{"Resources": {"A": {"Type": "Test::Thing"}, "B": {"Type": "Test::Thing", "DependsOn": "A"}}}`
	res, err := h.engine.DeployTemplate(context.Background(), TemplateInput{StackName: "Keep", Body: []byte(body), DisableRollback: true})
	if err == nil || res.Status != StatusCreateFailed || res.Reason != "The following resource(s) failed to create: [B]. " {
		t.Fatalf("create: %v %+v", err, res)
	}
	if _, ok := res.PhysicalIDs["A"]; !ok {
		t.Errorf("the resources of the failed stack were deleted: %v", res.PhysicalIDs)
	}
	if got := h.rec.entries(); !reflect.DeepEqual(got, []string{"create A", "create B"}) {
		t.Errorf("calls = %v", got)
	}
	ds, err := h.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("Keep")})
	if err != nil || !aws.ToBool(ds.Stacks[0].DisableRollback) {
		t.Errorf("DescribeStacks DisableRollback: %v", err)
	}
}

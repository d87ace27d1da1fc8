package localcloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// The deploy-time check on a failed update: CloudFormation rolls back the
// check's custom resource too, with an Update back to the old RunId,
// which the starter must answer without running the suite.

// starterFunctionPackage is the starter's main, which the harness
// construct generates under the suite.
const starterFunctionPackage = "./testharness/suite/_harness/teststarter"

// newRunID edits a template's TestRun to a run id of now, as a new
// synthesis would.
func newRunID(t *testing.T, tmpl assemblyedit.Template) {
	for _, r := range tmpl.ResourcesOfType(t, testharness.TestRunResourceType) {
		r["Properties"].(map[string]any)["RunId"] = time.Now().UTC().Format(time.RFC3339Nano)
	}
}

func TestBrokenUpdateRollsBackAndTheRestoredStackPasses(t *testing.T) {
	a, skipped := rollBackBrokenUpdate(t, func(assemblyedit.Template) {})
	if !strings.Contains(skipped, "UPDATE_ROLLBACK_IN_PROGRESS") {
		t.Errorf("the starter did not recognise the rollback by the stack's status: %q", skipped)
	}
	// The restored stack passes, run as `tracebridge test --endpoint` runs it.
	rep := runSuite(t, a)
	if rep.Failed != 0 || rep.Passed != len(suite.Tests()) {
		t.Errorf("suite on the restored stack: %d passed, %d failed: %+v", rep.Passed, rep.Failed, rep.Results)
	}
}

// rollBackBrokenUpdate deploys the app, edited by edit, then an update of
// it (edited alike) whose image function may no longer write objects,
// with a new RunId: its test fails and CloudFormation rolls the update
// back. It asserts UPDATE_ROLLBACK_COMPLETE, the suite's verdict as the
// check's failure, and that the rollback's Update reached the starter,
// which answered without running the suite; it returns the restored app
// and the starter's log message of that answer, which says how it knew.
func rollBackBrokenUpdate(t *testing.T, edit func(assemblyedit.Template)) (*app, string) {
	t.Helper()
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	a := &app{cloud: cloud, cfg: awstest.Config(t, cloud.Endpoint())}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, assemblyedit.Copy(t, assemblyDir, edit))
	if err != nil {
		t.Fatalf("deploy the app: %v", err)
	}
	a.stack = stack

	broken := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		edit(tmpl)
		newRunID(t, tmpl)
		for _, role := range tmpl.ResourcesOfType(t, "AWS::IAM::Role") {
			policies, _ := role["Properties"].(map[string]any)["Policies"].([]any)
			for _, p := range policies {
				for _, s := range p.(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
					st := s.(map[string]any)
					if actions, ok := st["Action"].([]any); ok && slices.Equal(actions, []any{"s3:GetObject", "s3:PutObject"}) {
						st["Action"] = "s3:GetObject"
					}
				}
			}
		}
	})
	res, err := cloud.Deploy(ctx, broken)
	var de *cloudformation.DeployError
	if !errors.As(err, &de) || res.Status != cloudformation.StatusUpdateRollbackComplete {
		t.Fatalf("broken update: status %v, err %v", res, err)
	}
	testRun := testRunLogicalID(t)
	if reason := de.FailedResources[testRun]; !strings.Contains(reason, "integration tests failed") {
		t.Errorf("the test run failed with %q, want the suite's verdict", reason)
	}
	// The rollback's Update reached the starter, which skipped the suite.
	skipped := a.logMessages(t, a.functionLogGroup(t, starterFunctionPackage), `"rollback: answering SUCCESS without running the tests"`)
	if len(skipped) != 1 {
		t.Fatalf("starter log of the rollback: %q, want one answer", skipped)
	}
	events, err := cloud.CloudFormation.Events(stack.StackName)
	if err != nil {
		t.Fatal(err)
	}
	var runEvents []string
	for _, e := range events[slices.IndexFunc(events, func(e cloudformation.Event) bool {
		return e.ResourceStatus == cloudformation.StatusUpdateRollbackInProgress
	}):] {
		if e.LogicalResourceID == testRun {
			runEvents = append(runEvents, e.ResourceStatus)
		}
	}
	if want := []string{"UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"}; !slices.Equal(runEvents, want) {
		t.Errorf("test run events during the rollback = %v, want %v", runEvents, want)
	}
	return a, skipped[0]
}

// testRunLogicalID finds the deploy-time check in the app's template.
func testRunLogicalID(t *testing.T) string {
	t.Helper()
	for id := range assemblyedit.Read(t, assemblyDir).ResourcesOfType(t, testharness.TestRunResourceType) {
		return id
	}
	return ""
}

// runSuite starts the stack's test state machine and returns its report.
func runSuite(t *testing.T, a *app) testharness.RunReport {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start, err := sfn.NewFromConfig(a.cfg).StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(a.output(t, schemas.OutputTestStateMachineArn)), Input: aws.String("{}")})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.cloud.StepFunctions.WaitExecution(ctx, aws.ToString(start.ExecutionArn))
	if err != nil || r.Status != "SUCCEEDED" {
		t.Fatalf("suite execution: %v %+v", err, r)
	}
	var rep testharness.RunReport
	if err := json.Unmarshal([]byte(r.Output), &rep); err != nil {
		t.Fatal(err)
	}
	return rep
}

// A test that never finishes: the state machine times out after
// testharness.RunTimeout of the cloud's (fake) clock, and CloudFormation
// gets its FAILED answer then, naming the tests.
func TestHungTestsFailTheDeploymentAtTheRunTimeout(t *testing.T) {
	reason := failHungTests(t, func(assemblyedit.Template) {})
	for _, test := range suite.Tests() {
		if !strings.Contains(reason, test.Name) {
			t.Errorf("the failure does not name unfinished test %s: %q", test.Name, reason)
		}
	}
}

// failHungTests deploys the app, edited by edit, with every test hung
// before its Act, on a cloud with a fake clock; it advances the clock by
// the run timeout once every branch waits, and asserts the deployment
// failed then with the starter's answer for a timed-out run, whose reason
// it returns.
func failHungTests(t *testing.T, edit func(assemblyedit.Template)) string {
	t.Helper()
	start := time.Now()
	fake := clock.NewFake(start)
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot, Clock: fake})
	hung := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		edit(tmpl)
		for _, sm := range tmpl.ResourcesOfType(t, "AWS::StepFunctions::StateMachine") {
			props := sm["Properties"].(map[string]any)
			props["DefinitionString"] = hangEveryTest(t, props["DefinitionString"].(string))
		}
	})
	running := make(chan string, 1)
	defer cloud.EventBridge.Subscribe("default", func(envelope []byte) {
		var e struct {
			DetailType string `json:"detail-type"`
			Detail     struct {
				ExecutionArn string `json:"executionArn"`
				Status       string `json:"status"`
			} `json:"detail"`
		}
		if json.Unmarshal(envelope, &e) == nil && e.DetailType == testharness.ExecutionStatusChangeDetailType && e.Detail.Status == "RUNNING" {
			running <- e.Detail.ExecutionArn
		}
	})()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	deployed := make(chan error, 1)
	var res *cloudformation.StackResult
	go func() {
		var err error
		res, err = cloud.Deploy(ctx, hung)
		deployed <- err
	}()
	var execArn string
	select {
	case execArn = <-running:
	case err := <-deployed:
		t.Fatalf("deployment ended before the test run started: %v", err)
	}
	// Every branch has reached its wait when the history says so; each
	// wait arms a timer, so the history is read again whenever one is.
	for {
		timers := fake.Waiters()
		history, err := cloud.StepFunctions.History(execArn)
		if err != nil {
			t.Fatal(err)
		}
		entered := 0
		for _, e := range history {
			if e.Type == "WaitStateEntered" {
				entered++
			}
		}
		if entered == len(suite.Tests()) {
			break
		}
		if err := fake.WaitForWaiters(ctx, timers+1); err != nil {
			t.Fatalf("only %d branches reached their wait: %v", entered, err)
		}
	}
	fake.Advance(testharness.RunTimeout)
	err := <-deployed
	var de *cloudformation.DeployError
	if !errors.As(err, &de) || res.Status != cloudformation.StatusRollbackComplete {
		t.Fatalf("deployment of hung tests: %v", err)
	}
	reason := de.FailedResources[testRunLogicalID(t)]
	if !strings.Contains(reason, "The integration tests ended TIMED_OUT without a verdict") {
		t.Errorf("the test run's failure: %q", reason)
	}
	events, _ := cloud.CloudFormation.Events(res.StackName)
	failedAt := events[slices.IndexFunc(events, func(e cloudformation.Event) bool { return e.ResourceStatus == cloudformation.StatusCreateFailed })].Timestamp
	if failedAt.Before(start.Add(testharness.RunTimeout)) || failedAt.After(start.Add(testharness.RunTimeout+time.Minute)) {
		t.Errorf("the test run failed at %s, want at the run timeout (%s after %s)", failedAt, testharness.RunTimeout, start)
	}
	return reason
}

// hangEveryTest makes every test's branch wait for a day before its Act,
// so that the run can only end at the state machine's timeout.
func hangEveryTest(t *testing.T, definition string) string {
	t.Helper()
	var def map[string]any
	if err := json.Unmarshal([]byte(definition), &def); err != nil {
		t.Fatal(err)
	}
	for _, b := range def["States"].(map[string]any)["RunTests"].(map[string]any)["Branches"].([]any) {
		branch := b.(map[string]any)
		name := branch["StartAt"].(string)
		states := branch["States"].(map[string]any)
		first := states[name].(map[string]any)
		states[name+".Hang"] = map[string]any{"Type": "Wait", "Seconds": 86400, "Next": first["Next"]}
		first["Next"] = name + ".Hang"
	}
	out, err := json.Marshal(def)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

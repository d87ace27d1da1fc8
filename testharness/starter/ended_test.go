package starter

import (
	"context"
	"encoding/json"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// hungRun is shaped like the test state machine: test A's branch ends,
// test B's waits longer than the run may take.
const hungRun = `{"TimeoutSeconds": 1800, "StartAt": "RunTests", "States": {"RunTests": {"Type": "Parallel", "End": true, "Branches": [
	{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A.Cleanup"}, "A.Cleanup": {"Type": "Pass", "End": true}}},
	{"StartAt": "B", "States": {"B": {"Type": "Pass", "Next": "B.Await"}, "B.Await": {"Type": "Wait", "Seconds": 7200, "Next": "B.Cleanup"},
		"B.Cleanup": {"Type": "Pass", "End": true}}}]}}}`

func TestTimedOutRunIsAnsweredFailedNamingTheTestsThatHadNotFinished(t *testing.T) {
	fake := clock.NewFake(time.Now())
	f := newFixtureOn(t, localcloud.Options{IAM: localcloud.IAMOff, Clock: fake})
	ctx := context.Background()
	sm, err := f.h.SFN.(*sfn.Client).CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("hung"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/tests"), Definition: aws.String(hungRun)})
	if err != nil {
		t.Fatal(err)
	}
	f.h.StateMachineArn, f.h.Tests = aws.ToString(sm.StateMachineArn), []string{"A", "B"}
	ended := make(chan []byte, 1)
	defer f.cloud.EventBridge.Subscribe("default", func(envelope []byte) {
		var e struct {
			Detail struct{ Status string } `json:"detail"`
		}
		if json.Unmarshal(envelope, &e) == nil && e.Detail.Status == "TIMED_OUT" {
			ended <- envelope
		}
	})()

	timers := fake.Waiters() // the cloud's own (TTL sweeps)
	if err := f.h.HandleRequest(ctx, f.event(cfn.RequestCreate)); err != nil {
		t.Fatal(err)
	}
	// The run's timeout and B's wait.
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := fake.WaitForWaiters(waitCtx, timers+2); err != nil {
		t.Fatal(err)
	}
	// A's branch runs alongside B's: the run times out only once A has
	// ended. The history has no notification; it is read until it says so.
	for !branchEnded(t, f, "A.Cleanup") {
		if waitCtx.Err() != nil {
			t.Fatal("test A's branch did not end")
		}
		runtime.Gosched()
	}
	fake.Advance(30 * time.Minute)
	var envelope []byte
	select {
	case envelope = <-ended:
	case <-waitCtx.Done():
		t.Fatal("no TIMED_OUT status change on the default bus")
	}
	if err := f.h.Handle(ctx, envelope); err != nil {
		t.Fatal(err)
	}
	a := <-f.answers
	if a.Status != cfn.StatusFailed || !strings.Contains(a.Reason, "The integration tests ended TIMED_OUT without a verdict") ||
		!strings.Contains(a.Reason, "state machine timeout 30m0s") || !strings.HasSuffix(a.Reason, "Tests that had not finished: B.") {
		t.Fatalf("answer = %+v", a)
	}
}

// branchEnded tells whether the one execution of the fixture's state
// machine has exited state.
func branchEnded(t *testing.T, f *fixture, state string) bool {
	t.Helper()
	ctx := context.Background()
	client := f.h.SFN.(*sfn.Client)
	execs, err := client.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(f.h.StateMachineArn)})
	if err != nil || len(execs.Executions) != 1 {
		t.Fatalf("ListExecutions: %v %v", execs, err)
	}
	history, err := client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: execs.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range history.Events {
		if e.StateExitedEventDetails != nil && aws.ToString(e.StateExitedEventDetails.Name) == state {
			return true
		}
	}
	return false
}

func TestStatusChangesOfOtherRunsAreIgnored(t *testing.T) {
	f := newFixture(t)
	for _, detail := range []string{
		`{"stateMachineArn": "` + f.h.StateMachineArn + `", "status": "SUCCEEDED", "input": "{}"}`,
		`{"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:other", "status": "TIMED_OUT", "input": "{}"}`,
		// `tracebridge test --stack` starts runs without a CloudFormation request.
		`{"stateMachineArn": "` + f.h.StateMachineArn + `", "status": "ABORTED", "input": "{}"}`,
	} {
		envelope := `{"source": "aws.states", "detail-type": "Step Functions Execution Status Change", "detail": ` + detail + `}`
		if err := f.h.Handle(context.Background(), json.RawMessage(envelope)); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case a := <-f.answers:
		t.Fatalf("answered %+v", a)
	default:
	}
}

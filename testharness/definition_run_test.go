package testharness_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
)

// The generated definition runs on the local cloud's Step Functions with
// stand-ins for the runner and await functions that follow the harness's
// contract (phases, branch state, error names), so every path of a branch
// is exercised: pass after a TraceIncomplete retry, await timeout,
// failure event, failed Act, failed cleanup step.

const (
	runnerArn = "arn:aws:lambda:us-east-1:000000000000:function:runner"
	awaitArn  = "arn:aws:lambda:us-east-1:000000000000:function:await"
)

// harnessFunctions is the runner and the await function.
type harnessFunctions struct {
	mu       sync.Mutex
	asserts  map[string]int
	awaiting chan testharness.AwaitRequest
	phases   []string // "test.phase", in order of arrival
}

func functionError(typ, msg string) stepfunctions.LambdaResult {
	doc, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return stepfunctions.LambdaResult{FunctionError: "Unhandled", Payload: doc}
}

func ok(v any) (stepfunctions.LambdaResult, error) {
	b, err := json.Marshal(v)
	return stepfunctions.LambdaResult{Payload: b}, err
}

func (f *harnessFunctions) Invoke(_ context.Context, fn string, payload []byte, _ stepfunctions.LambdaInvokeOptions) (stepfunctions.LambdaResult, error) {
	if fn == awaitArn {
		var diag testharness.DiagnoseRequest
		if err := json.Unmarshal(payload, &diag); err == nil && diag.Diagnose {
			return ok("rule R does not match " + diag.Run.CorrelationID)
		}
		var req testharness.AwaitRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return stepfunctions.LambdaResult{}, err
		}
		f.awaiting <- req
		return ok(map[string]string{"kind": "token"})
	}
	var req testharness.RunnerRequest
	if err := json.Unmarshal(payload, &req); err != nil {
		return stepfunctions.LambdaResult{}, err
	}
	if req.Phase == testharness.PhaseReport {
		return ok(testharness.NewRunReport(req.ExecutionArn, req.StartTime, req.StartTime, req.Report.Results))
	}
	b := *req.Branch
	f.mu.Lock()
	f.phases = append(f.phases, b.Test+"."+req.Phase)
	f.asserts[b.Test] += map[bool]int{true: 1}[req.Phase == testharness.PhaseAssert]
	n := f.asserts[b.Test]
	f.mu.Unlock()
	switch req.Phase {
	case testharness.PhaseAct:
		if b.Test == "act_fails" {
			return functionError(testharness.ErrorActFailed, "PutObject: AccessDenied"), nil
		}
		b.Run = &testharness.Run{CorrelationID: "c-" + b.Test}
		return ok(b)
	case testharness.PhaseAssert:
		if n == 1 {
			return functionError(testharness.ErrorTraceIncomplete, "no CopyObject yet"), nil
		}
		return ok(b)
	default: // cleanup
		if b.Test == "cleanup_fails" {
			return functionError("errorString", "DeleteObject: AccessDenied"), nil
		}
		res := testharness.Result{Name: b.Test, Passed: true}
		for _, e := range []*testharness.StepError{b.ActError, b.AwaitError, b.AssertError} {
			if e != nil {
				res.Passed, res.Reason = false, e.Error+": "+e.Message()
				break
			}
		}
		if b.Diagnosis != nil {
			res.Reason += " — " + b.Diagnosis.Reason
		}
		if b.Completion != nil {
			res.CorrelationID = b.Run.CorrelationID + " via " + b.Completion.DetailType
		}
		return ok(res)
	}
}

func TestDefinitionRunsEveryBranchToAResult(t *testing.T) {
	tests := []testharness.Test{
		{Name: "passes", Deadline: time.Minute, Await: testharness.Await{Success: []string{"Done"}}},
		{Name: "times_out", Deadline: time.Second, Await: testharness.Await{Success: []string{"Done"}}},
		{Name: "fails_event", Deadline: time.Minute, Await: testharness.Await{Success: []string{"Done"}, Failure: []string{"Broke"}}},
		{Name: "act_fails", Deadline: time.Minute, Await: testharness.Await{Success: []string{"Done"}}},
		{Name: "cleanup_fails", Deadline: time.Minute, Await: testharness.Await{Success: []string{"Done"}}},
	}
	def, err := testharness.Definition(tests)
	if err != nil {
		t.Fatal(err)
	}
	def = strings.NewReplacer(testharness.PlaceholderRunnerFunctionArn, runnerArn, testharness.PlaceholderAwaitFunctionArn, awaitArn).Replace(def)

	fns := &harnessFunctions{asserts: map[string]int{}, awaiting: make(chan testharness.AwaitRequest, len(tests))}
	svc := stepfunctions.New(stepfunctions.Options{Lambda: fns})
	t.Cleanup(svc.Close)
	ctx := context.Background()
	sm, err := svc.CreateStateMachine(ctx, &stepfunctions.CreateStateMachineInput{Name: "tests", Definition: def, RoleArn: "arn:aws:iam::000000000000:role/tests"})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	exec, err := svc.StartExecution(ctx, &stepfunctions.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Input: `{"cloudFormation":{"RequestId":"r-1"}}`})
	if err != nil {
		t.Fatal(err)
	}
	// Answer the awaits as the await function would; times_out gets nothing.
	for range 4 {
		var req testharness.AwaitRequest
		select {
		case req = <-fns.awaiting:
		case <-time.After(30 * time.Second):
			t.Fatal("the Await tasks did not all start")
		}
		if req.Run == nil || req.Run.CorrelationID != req.CorrelationID || req.ExecutionArn != exec.ExecutionArn ||
			req.Deadline().IsZero() {
			t.Errorf("await request without the run, execution or deadline: %+v", req)
		}
		switch req.CorrelationID {
		case "c-passes", "c-cleanup_fails":
			if fmt.Sprint(req.Success, req.Failure) != "[Done] []" {
				t.Errorf("await request %+v", req)
			}
			_, err = svc.SendTaskSuccess(ctx, &stepfunctions.SendTaskSuccessInput{TaskToken: req.TaskToken, Output: `{"detailType":"Done","detail":{}}`})
		case "c-fails_event":
			_, err = svc.SendTaskFailure(ctx, &stepfunctions.SendTaskFailureInput{TaskToken: req.TaskToken, Error: testharness.ErrorCompletionFailed, Cause: "Broke: not an image"})
		}
		if err != nil {
			t.Fatalf("complete %s: %v", req.CorrelationID, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	r, err := svc.WaitExecution(wctx, exec.ExecutionArn)
	if err != nil {
		t.Fatal(err)
	}
	var rep testharness.RunReport
	if r.Status != stepfunctions.StatusSucceeded || json.Unmarshal([]byte(r.Output), &rep) != nil {
		t.Fatalf("execution = %+v", r)
	}
	got := map[string]testharness.Result{}
	for _, res := range rep.Results {
		got[res.Name] = res
	}
	want := map[string]testharness.Result{
		"passes":        {Name: "passes", Passed: true, CorrelationID: "c-passes via Done"},
		"times_out":     {Name: "times_out", Reason: "States.Timeout:  — rule R does not match c-times_out"},
		"fails_event":   {Name: "fails_event", Reason: "CompletionFailed: Broke: not an image"},
		"act_fails":     {Name: "act_fails", Reason: "ActFailed: PutObject: AccessDenied"},
		"cleanup_fails": {Name: "cleanup_fails", Reason: `cleanup step failed: errorString: {"errorMessage":"DeleteObject: AccessDenied","errorType":"errorString"}`},
	}
	for name, w := range want {
		g := got[name]
		if g.Name != w.Name || g.Passed != w.Passed || g.Reason != w.Reason || g.CorrelationID != w.CorrelationID {
			t.Errorf("result of %s = %+v, want %+v", name, g, w)
		}
	}
	if len(rep.Results) != len(tests) || rep.ExecutionArn != exec.ExecutionArn {
		t.Errorf("report = %+v", rep)
	}
	fns.mu.Lock()
	defer fns.mu.Unlock()
	if fns.asserts["passes"] != 2 {
		t.Errorf("passes was asserted %d times, want 2 (one TraceIncomplete retry)", fns.asserts["passes"])
	}
	for _, p := range fns.phases {
		if p == "act_fails.assert" || p == "times_out.assert" || p == "fails_event.assert" {
			t.Errorf("%s ran: a branch that failed before Assert must go straight to cleanup", p)
		}
	}
	for _, name := range []string{"passes", "times_out", "fails_event", "act_fails", "cleanup_fails"} {
		if !strings.Contains(strings.Join(fns.phases, " "), name+".cleanup") {
			t.Errorf("%s never reached its cleanup step (phases %v)", name, fns.phases)
		}
	}
}

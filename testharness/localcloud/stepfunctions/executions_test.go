package stepfunctions

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const greetDef = `{
  "StartAt": "Defaults",
  "States": {
    "Defaults": {"Type": "Pass", "Parameters": {"name.$": "$.who", "loud": true}, "ResultPath": "$.args", "Next": "Pick"},
    "Pick": {"Type": "Choice", "Choices": [{"Variable": "$.args.loud", "BooleanEquals": true, "Next": "Greet"}], "Default": "Quiet"},
    "Quiet": {"Type": "Succeed"},
    "Greet": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:greeter", "Payload.$": "$.args"},
      "ResultSelector": {"greeting.$": "$.Payload.greeting", "status.$": "$.StatusCode"},
      "End": true}
  }
}`

func TestExecutionPassChoiceLambdaInvoke(t *testing.T) {
	f := newFixture(t)
	f.lambda.handle = func(_ string, payload []byte) (LambdaResult, error) {
		var in struct{ Name string }
		_ = json.Unmarshal(payload, &in)
		return LambdaResult{Payload: []byte(`{"greeting":"hello ` + in.Name + `"}`), ExecutedVersion: "$LATEST"}, nil
	}
	smArn := f.create(t, "greet", greetDef, "")
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn),
		Name: aws.String("run-1"), Input: aws.String(`{"who":"ada"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *out.ExecutionArn != "arn:aws:states:us-east-1:000000000000:execution:greet:run-1" || out.StartDate == nil {
		t.Fatalf("start = %+v", out)
	}
	r := f.wait(t, *out.ExecutionArn)
	if r.Status != StatusSucceeded || r.Output != `{"greeting":"hello ada","status":200}` {
		t.Fatalf("result = %+v", r)
	}

	calls := f.lambda.Calls()
	if len(calls) != 1 || calls[0].Payload != `{"loud":true,"name":"ada"}` || calls[0].Function != "arn:aws:lambda:us-east-1:000000000000:function:greeter" {
		t.Fatalf("lambda calls = %+v", calls)
	}
	// The task ran as the state machine's role, session named after the execution.
	if p := calls[0].Principal; p.RoleARN != roleArn || p.SessionName != "run-1" ||
		p.ARN != "arn:aws:sts::000000000000:assumed-role/MachineRole/run-1" {
		t.Fatalf("principal = %+v", p)
	}

	d, err := f.client.DescribeExecution(context.Background(), &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.ExecutionStatusSucceeded || *d.Output != r.Output || *d.Input != `{"who":"ada"}` ||
		*d.Name != "run-1" || *d.StateMachineArn != smArn || d.StopDate == nil {
		t.Fatalf("describe = %+v", d)
	}

	want := []string{"ExecutionStarted", "PassStateEntered", "PassStateExited", "ChoiceStateEntered", "ChoiceStateExited",
		"TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}
	if got := f.historyTypes(t, *out.ExecutionArn); !equalStrings(got, want) {
		t.Fatalf("history = %v\nwant      %v", got, want)
	}
	h, err := f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	started := h.Events[0]
	if started.Id != 1 || started.PreviousEventId != 0 || started.Timestamp == nil ||
		*started.ExecutionStartedEventDetails.Input != `{"who":"ada"}` || *started.ExecutionStartedEventDetails.RoleArn != roleArn {
		t.Fatalf("ExecutionStarted = %+v", started)
	}
	sched := h.Events[6].TaskScheduledEventDetails
	if sched == nil || *sched.ResourceType != "lambda" || *sched.Resource != "invoke" || *sched.Region != "us-east-1" ||
		!strings.Contains(*sched.Parameters, `"FunctionName":"arn:aws:lambda:us-east-1:000000000000:function:greeter"`) {
		t.Fatalf("TaskScheduled = %+v", sched)
	}
	succeeded := h.Events[8].TaskSucceededEventDetails
	var res map[string]any
	if err := json.Unmarshal([]byte(*succeeded.Output), &res); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ExecutedVersion", "Payload", "SdkHttpMetadata", "SdkResponseMetadata", "StatusCode"} {
		if _, ok := res[k]; !ok {
			t.Errorf("lambda:invoke result lacks %s: %s", k, *succeeded.Output)
		}
	}
	if entered := h.Events[1].StateEnteredEventDetails; *entered.Name != "Defaults" || h.Events[1].PreviousEventId != 1 {
		t.Fatalf("PassStateEntered = %+v", h.Events[1])
	}
}

// The documented sequence of a Task whose first attempt fails, is
// retried, fails again and is caught ("Execution history events" and the
// Retry/Catch examples of the developer guide).
func TestRetryCatchHistory(t *testing.T) {
	f := newFixture(t, autoClock(t))
	f.lambda.handle = func(string, []byte) (LambdaResult, error) {
		return LambdaResult{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"CustomError","errorMessage":"boom"}`)}, nil
	}
	def := `{"StartAt":"Work","States":{
	  "Work":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:work",
	    "Retry":[{"ErrorEquals":["CustomError"],"IntervalSeconds":3,"MaxAttempts":1}],
	    "Catch":[{"ErrorEquals":["States.ALL"],"ResultPath":"$.error","Next":"Recover"}],"End":true},
	  "Recover":{"Type":"Pass","End":true}}}`
	r := f.run(t, f.create(t, "retry", def, ""), `{"job":1}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("result = %+v", r)
	}
	var out struct {
		Job   int
		Error struct{ Error, Cause string }
	}
	if err := json.Unmarshal([]byte(r.Output), &out); err != nil {
		t.Fatal(err)
	}
	if out.Job != 1 || out.Error.Error != "CustomError" || !strings.Contains(out.Error.Cause, `"errorMessage":"boom"`) {
		t.Fatalf("output = %s", r.Output)
	}
	if n := len(f.lambda.Calls()); n != 2 {
		t.Fatalf("%d invocations, want 2 (one retry)", n)
	}
	want := []string{"ExecutionStarted", "TaskStateEntered",
		"TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"}
	if got := f.historyTypes(t, r.ExecutionArn); !equalStrings(got, want) {
		t.Fatalf("history = %v\nwant      %v", got, want)
	}
}

func TestLambdaErrorNames(t *testing.T) {
	f := newFixture(t)
	def := `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	  "Parameters":{"FunctionName":"fn","Payload.$":"$"},"End":true}}}`
	smArn := f.create(t, "errs", def, "")
	cases := []struct {
		name      string
		result    LambdaResult
		err       error
		wantError string
		wantCause string
	}{
		{"handled error keeps its type", LambdaResult{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"ValidationFailed","errorMessage":"no"}`)}, nil,
			"ValidationFailed", `{"errorType":"ValidationFailed","errorMessage":"no"}`},
		{"crash is Lambda.Unknown", LambdaResult{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"Task timed out"}`)}, nil,
			"Lambda.Unknown", "The cause could not be determined because Lambda did not return an error type"},
		{"service error is Lambda.<code>", LambdaResult{}, lambdaNotFound(),
			"Lambda.ResourceNotFoundException", "Function not found: fn (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException"},
	}
	for _, c := range cases {
		f.lambda.handle = func(string, []byte) (LambdaResult, error) { return c.result, c.err }
		r := f.run(t, smArn, `{}`)
		if r.Status != StatusFailed || r.Error != c.wantError || !strings.Contains(r.Cause, c.wantCause) {
			t.Errorf("%s: result = %+v", c.name, r)
		}
	}
}

func TestStartExecutionErrors(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	wait := `{"StartAt":"W","States":{"W":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	  "Parameters":{"FunctionName":"fn","Payload":{"t.$":"$$.Task.Token"}},"End":true}}}`
	smArn := f.create(t, "waiter", wait, "")
	first, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Name: aws.String("once"), Input: aws.String(`{"a":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	// Same name and input while running: the same execution.
	again, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Name: aws.String("once"), Input: aws.String(`{"a":1}`)})
	if err != nil || *again.ExecutionArn != *first.ExecutionArn {
		t.Fatalf("idempotent start = %v, %v", again, err)
	}
	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Name: aws.String("once"), Input: aws.String(`{"a":2}`)})
	wantAPIError(t, err, "ExecutionAlreadyExists", "Execution Already Exists: '"+*first.ExecutionArn+"'")
	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(`{nope`)})
	wantAPIError(t, err, "InvalidExecutionInput", "Invalid State Machine Execution Input: '")
	missingArn := "arn:aws:states:us-east-1:000000000000:stateMachine:missing"
	_, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(missingArn)})
	wantAPIError(t, err, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+missingArn+"'")
	missingExec := "arn:aws:states:us-east-1:000000000000:execution:waiter:nope"
	_, err = f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(missingExec)})
	wantAPIError(t, err, "ExecutionDoesNotExist", "Execution Does Not Exist: '"+missingExec+"'")
}

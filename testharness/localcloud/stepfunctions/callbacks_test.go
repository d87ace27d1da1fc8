package stepfunctions

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// callbackDef hands the task token to a function and waits for it.
const callbackDef = `{"StartAt":"Await","States":{"Await":{"Type":"Task",
  "Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
  "Parameters":{"FunctionName":"resolver","Payload":{"token.$":"$$.Task.Token","input.$":"$"}},
  %s "End":true}}}`

// tokens makes the fake Lambda pass each task token it receives on.
func tokens(f *fixture) chan string {
	ch := make(chan string, 10)
	f.lambda.handle = func(_ string, payload []byte) (LambdaResult, error) {
		var p struct{ Token string }
		_ = json.Unmarshal(payload, &p)
		ch <- p.Token
		return LambdaResult{Payload: []byte(`null`)}, nil
	}
	return ch
}

func receive(t *testing.T, ch chan string) string {
	t.Helper()
	select {
	case tok := <-ch:
		return tok
	case <-time.After(waitLimit):
		t.Fatal("no task token reached the function")
		return ""
	}
}

func def(timeouts string) string { return fmtDef(callbackDef, timeouts) }

func TestCallbackSendTaskSuccess(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	toks := tokens(f)
	smArn := f.create(t, "callback", def(""), "")
	out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(`{"n":1}`)})
	if err != nil {
		t.Fatal(err)
	}
	tok := receive(t, toks)
	errc := make(chan error, 1)
	go func() { // another worker answers
		_, err := f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{"done":true}`)})
		errc <- err
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	r := f.wait(t, *out.ExecutionArn)
	if r.Status != StatusSucceeded || r.Output != `{"done":true}` {
		t.Fatalf("result = %+v", r)
	}
	// A second answer comes too late; an unknown token never existed.
	_, err = f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{}`)})
	wantAPIError(t, err, "TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
	_, err = f.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("never-issued")})
	wantAPIError(t, err, "TaskDoesNotExist", "")
}

func TestCallbackSendTaskFailure(t *testing.T) {
	f := newFixture(t)
	toks := tokens(f)
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(f.create(t, "cbfail", def(""), ""))})
	if err != nil {
		t.Fatal(err)
	}
	tok := receive(t, toks)
	if _, err := f.client.SendTaskFailure(context.Background(), &sfn.SendTaskFailureInput{TaskToken: aws.String(tok),
		Error: aws.String("Test.Failed"), Cause: aws.String("the awaited event said so")}); err != nil {
		t.Fatal(err)
	}
	r := f.wait(t, *out.ExecutionArn)
	if r.Status != StatusFailed || r.Error != "Test.Failed" || r.Cause != "the awaited event said so" {
		t.Fatalf("result = %+v", r)
	}
	types := f.historyTypes(t, r.ExecutionArn)
	if types[len(types)-2] != "TaskFailed" || types[len(types)-1] != "ExecutionFailed" {
		t.Fatalf("history = %v", types)
	}
}

func TestCallbackHeartbeatAndTimeout(t *testing.T) {
	fake := clock.NewFake(t0)
	f := newFixture(t, func(_ *fixture, o *Options) { o.Clock = fake })
	ctx := context.Background()
	toks := tokens(f)

	// Heartbeats keep a task alive past HeartbeatSeconds; silence fails it.
	hb := f.create(t, "heartbeat", def(`"HeartbeatSeconds":10,"TimeoutSeconds":100,`), "")
	out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(hb)})
	if err != nil {
		t.Fatal(err)
	}
	tok := receive(t, toks)
	waitForTimers(t, fake, 2)
	for i := range 2 {
		fake.Advance(8 * time.Second)
		if _, err := f.client.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String(tok)}); err != nil {
			t.Fatalf("heartbeat %d: %v", i, err)
		}
		// Once the heartbeat replaced the timer due in 2s (the new one is due
		// in 10s) and the task waits for its token again, nothing is due
		// within 9s.
		if err := f.svc.opts.Activity.WaitSettled(ctx, activity.Settle{Until: fake.Now().Add(9 * time.Second)}); err != nil {
			t.Fatalf("after heartbeat %d: %v", i, err)
		}
	}
	d, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil || d.Status != types.ExecutionStatusRunning {
		t.Fatalf("after heartbeats: %v, %v", d.Status, err)
	}
	fake.Advance(11 * time.Second)
	r := f.wait(t, *out.ExecutionArn)
	if r.Status != StatusFailed || r.Error != "States.HeartbeatTimeout" {
		t.Fatalf("heartbeat result = %+v", r)
	}
	_, err = f.client.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(tok), Output: aws.String(`{}`)})
	wantAPIError(t, err, "TaskTimedOut", "Provided task does not exist anymore")

	// TimeoutSeconds bounds the whole task.
	to := f.create(t, "timeout", def(`"TimeoutSeconds":5,`), "")
	before := fake.Waiters()
	out, err = f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(to)})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, toks)
	waitForTimers(t, fake, before+1)
	fake.Advance(6 * time.Second)
	r = f.wait(t, *out.ExecutionArn)
	if r.Status != StatusFailed || r.Error != "States.Timeout" {
		t.Fatalf("timeout result = %+v", r)
	}
	hist := f.historyTypes(t, r.ExecutionArn)
	if hist[len(hist)-2] != "TaskTimedOut" {
		t.Fatalf("history = %v", hist)
	}
}

func TestStopExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	toks := tokens(f)
	out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(f.create(t, "stopme", def(""), ""))})
	if err != nil {
		t.Fatal(err)
	}
	receive(t, toks)
	stop, err := f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: out.ExecutionArn, Error: aws.String("Op.Cancelled"), Cause: aws.String("by test")})
	if err != nil || stop.StopDate == nil {
		t.Fatalf("stop = %v, %v", stop, err)
	}
	d, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.ExecutionStatusAborted || *d.Error != "Op.Cancelled" || *d.Cause != "by test" {
		t.Fatalf("describe = %+v", d)
	}
	h, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: out.ExecutionArn, ReverseOrder: true, MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	last := h.Events[0]
	if last.Type != types.HistoryEventTypeExecutionAborted || *last.ExecutionAbortedEventDetails.Error != "Op.Cancelled" || h.NextToken == nil {
		t.Fatalf("last event = %+v", last)
	}
}

func TestStartSyncExecution(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	express := f.create(t, "fast", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"End":true}}}`, types.StateMachineTypeExpress)
	out, err := f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(express), Input: aws.String(`{"a":2,"b":3}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.SyncExecutionStatusSucceeded || *out.Output != `{"sum":5}` || out.StopDate == nil {
		t.Fatalf("sync = %+v", out)
	}
	failing := f.create(t, "fails", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Bad.Input","Cause":"nope"}}}`, types.StateMachineTypeExpress)
	out, err = f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(failing)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != types.SyncExecutionStatusFailed || *out.Error != "Bad.Input" || *out.Cause != "nope" || out.Output != nil {
		t.Fatalf("sync failure = %+v", out)
	}
	_, err = f.client.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(f.create(t, "std", passDef, ""))})
	wantAPIError(t, err, "StateMachineTypeNotSupported", "not supported by this type of state machine")
}

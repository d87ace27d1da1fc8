package asl

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// echoInvoker returns the task's input as its result.
var echoInvoker = TaskInvokerFunc(func(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
	return req.Input, nil
})

func TestParallelResultsAndHistory(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","ResultPath":"$.r","End":true,"Branches":[
	  {"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:a","Parameters":{"b.$":"$.x"},"End":true}}},
	  {"StartAt":"B","States":{"B":{"Type":"Pass","Result":2,"End":true}}}]}}}`
	rec := &HistoryRecorder{}
	res := run(t, echoInvoker, def, `{"x":1}`, RunOptions{History: rec})
	assertSucceeded(t, res, `{"x":1,"r":[{"b":1},2]}`)
	got := rec.Types()
	if got[1] != "ParallelStateEntered" || got[2] != "ParallelStateStarted" || got[len(got)-3] != "ParallelStateSucceeded" || got[len(got)-2] != "ParallelStateExited" {
		t.Fatalf("history %v", got)
	}
}

func TestParallelBranchFailureFailsAllAndIsCaught(t *testing.T) {
	def := `{"StartAt":"P","States":{"P":{"Type":"Parallel","Next":"Done",
	  "Catch":[{"ErrorEquals":["Branch.Broke"],"Next":"Caught"}],"Branches":[
	  {"StartAt":"F","States":{"F":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:broke","End":true}}},
	  {"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:slow","End":true}}}]},
	  "Done":{"Type":"Succeed"},"Caught":{"Type":"Pass","End":true}}}`
	// The failing branch fails only once the slow task runs: a branch
	// that fails at once may stop the other before its task starts, and
	// then there is no task to cancel. The executor does not wait for an
	// abandoned invoker to return, so its cancellation is awaited here.
	slowStarted, slowCancelled := make(chan struct{}), make(chan struct{})
	inv := TaskInvokerFunc(func(ctx context.Context, req *TaskRequest) (json.RawMessage, error) {
		if strings.HasSuffix(req.Resource, ":broke") {
			<-slowStarted
			return nil, &StatesError{Name: "Branch.Broke", Cause: "on purpose"}
		}
		close(slowStarted)
		<-ctx.Done()
		close(slowCancelled)
		return nil, ctx.Err()
	})
	res := run(t, inv, def, `{}`, RunOptions{})
	assertSucceeded(t, res, `{"Error":"Branch.Broke","Cause":"on purpose"}`)
	select {
	case <-slowCancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the other branch's task was not cancelled")
	}
}

func TestMapItemsSelectorConcurrencyAndHistory(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","MaxConcurrency":2,
	  "ItemSelector":{"v.$":"$$.Map.Item.Value","i.$":"$$.Map.Item.Index","tag.$":"$.tag"},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"INLINE"},"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}},
	  "End":true}}}`
	var running, peak atomic.Int32
	inv := TaskInvokerFunc(func(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		return req.Input, nil
	})
	rec := &HistoryRecorder{}
	res := run(t, inv, def, `{"items":["a","b","c","d"],"tag":"t"}`, RunOptions{History: rec})
	assertSucceeded(t, res, `[{"v":"a","i":0,"tag":"t"},{"v":"b","i":1,"tag":"t"},{"v":"c","i":2,"tag":"t"},{"v":"d","i":3,"tag":"t"}]`)
	if peak.Load() > 2 {
		t.Fatalf("MaxConcurrency 2 exceeded: %d tasks at once", peak.Load())
	}
	counts := map[string]int{}
	for _, ty := range rec.Types() {
		counts[ty]++
	}
	if counts["MapIterationStarted"] != 4 || counts["MapIterationSucceeded"] != 4 || counts["MapStateStarted"] != 1 || counts["MapStateSucceeded"] != 1 {
		t.Fatalf("history counts %v", counts)
	}
	if ev := rec.Events()[2]; ev.Type != "MapStateStarted" || ev.MapStateStartedEventDetails.Length != 4 {
		t.Fatalf("third event %+v", ev)
	}
}

func TestMapLegacyIteratorAndParameters(t *testing.T) {
	def := `{"StartAt":"M","States":{"M":{"Type":"Map","Parameters":{"x.$":"$$.Map.Item.Value"},
	  "Iterator":{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}},"End":true}}}`
	assertSucceeded(t, run(t, nil, def, `[1,2]`, RunOptions{}), `[{"x":1},{"x":2}]`)
}

func TestMapToleratedFailures(t *testing.T) {
	const tmpl = `{"StartAt":"M","States":{"M":{"Type":"Map",%s
	  "ItemProcessor":{"StartAt":"C","States":{"C":{"Type":"Choice","Choices":[{"Variable":"$","NumericGreaterThan":2,"Next":"Bad"}],"Default":"Good"},
	  "Bad":{"Type":"Fail","Error":"Item.Bad"},"Good":{"Type":"Pass","End":true}}},"End":true}}}`
	input := `[1,2,3,4]`
	sub := func(s string) string { return strings.Replace(tmpl, "%s", s, 1) }
	assertFailed(t, run(t, nil, sub(""), input, RunOptions{}), "Item.Bad")
	res := run(t, nil, sub(`"ToleratedFailureCount":2,`), input, RunOptions{})
	assertSucceeded(t, res, `[1,2,{"Error":"Item.Bad","Cause":""},{"Error":"Item.Bad","Cause":""}]`)
	assertFailed(t, run(t, nil, sub(`"ToleratedFailureCount":1,`), input, RunOptions{}), StatesExceedToleratedFailure)
	assertSucceeded(t, run(t, nil, sub(`"ToleratedFailurePercentage":50,`), input, RunOptions{}), `[1,2,{"Error":"Item.Bad","Cause":""},{"Error":"Item.Bad","Cause":""}]`)
	assertFailed(t, run(t, nil, sub(`"ToleratedFailurePercentage":25,`), input, RunOptions{}), StatesExceedToleratedFailure)
}

func TestWaitStatesOnFakeClock(t *testing.T) {
	def := `{"StartAt":"A","States":{
	  "A":{"Type":"Wait","Seconds":10,"Next":"B"},
	  "B":{"Type":"Wait","SecondsPath":"$.s","Next":"C"},
	  "C":{"Type":"Wait","Timestamp":"2024-01-02T04:00:00Z","Next":"D"},
	  "D":{"Type":"Wait","TimestampPath":"$.ts","End":true}}}`
	res := run(t, nil, def, `{"s":20,"ts":"2024-01-02T05:00:00Z"}`, RunOptions{})
	assertSucceeded(t, res, `{"s":20,"ts":"2024-01-02T05:00:00Z"}`)
	if want := time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC); !res.StopDate.Equal(want) {
		t.Fatalf("stopped at %v, want %v", res.StopDate, want)
	}
	assertFailed(t, run(t, nil, def, `{"s":"x","ts":"2024-01-02T05:00:00Z"}`, RunOptions{}), StatesRuntime)
}

func TestContextObject(t *testing.T) {
	def := `{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"Parameters":{
	  "id.$":"$$.Execution.Id","name.$":"$$.Execution.Name","in.$":"$$.Execution.Input","start.$":"$$.Execution.StartTime",
	  "role.$":"$$.Execution.RoleArn","state.$":"$$.State.Name","entered.$":"$$.State.EnteredTime","retry.$":"$$.State.RetryCount",
	  "sm.$":"$$.StateMachine.Id","smName.$":"$$.StateMachine.Name"}}}}`
	res := run(t, nil, def, `{"k":1}`, RunOptions{Name: "run1", StateMachineName: "M", RoleArn: "arn:aws:iam::123456789012:role/r"})
	assertSucceeded(t, res, `{"id":"arn:aws:states:us-east-1:123456789012:execution:M:run1","name":"run1","in":{"k":1},
	  "start":"2024-01-02T03:04:05.000Z","role":"arn:aws:iam::123456789012:role/r","state":"S","entered":"2024-01-02T03:04:05.000Z","retry":0,
	  "sm":"arn:aws:states:us-east-1:123456789012:stateMachine:M","smName":"M"}`)
}

func TestInputOutputProcessingErrors(t *testing.T) {
	cases := []struct{ def, input, want string }{
		{`{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"InputPath":"$.nope"}}}`, `{}`, StatesRuntime},
		{`{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"OutputPath":"$.nope"}}}`, `{}`, StatesRuntime},
		{`{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"Parameters":{"a.$":"$.nope"}}}}`, `{}`, StatesRuntime},
		{`{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"Result":1,"ResultPath":"$.a.b"}}}`, `{"a":"str"}`, StatesResultPathMatchFailure},
		{`{"StartAt":"S","States":{"S":{"Type":"Fail","ErrorPath":"$.e","CausePath":"States.Format('c={}', $.c)"}}}`, `{"e":"My.Error","c":3}`, "My.Error"},
	}
	for _, c := range cases {
		assertFailed(t, run(t, nil, c.def, c.input, RunOptions{}), c.want)
	}
	res := run(t, nil, `{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"InputPath":null,"Result":{"r":1},"ResultPath":"$.x[0].y"}}}`, `{"x":[{}]}`, RunOptions{})
	assertSucceeded(t, res, `{"x":[{"y":{"r":1}}]}`)
	res = run(t, nil, `{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"OutputPath":null}}}`, `{"x":1}`, RunOptions{})
	assertSucceeded(t, res, `{}`)
}

func TestResultSelectorAndDataLimit(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke",
	  "ResultSelector":{"body.$":"$.Payload.body","code.$":"$.StatusCode"},"ResultPath":"$.res","End":true}}}`
	inv := &staticInvoker{result: json.RawMessage(`{"Payload":{"body":"hi","extra":1},"StatusCode":200}`)}
	assertSucceeded(t, run(t, inv, def, `{"in":true}`, RunOptions{}), `{"in":true,"res":{"body":"hi","code":200}}`)

	big := make([]byte, maxPayloadBytes+10)
	for i := range big {
		big[i] = 'a'
	}
	huge := &staticInvoker{result: json.RawMessage(`"` + string(big) + `"`)}
	assertFailed(t, run(t, huge, def, `{}`, RunOptions{}), StatesDataLimitExceeded)
}

func TestAbortOnContextCancel(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:1:function:f","End":true}}}`
	started := make(chan struct{})
	inv := TaskInvokerFunc(func(ctx context.Context, _ *TaskRequest) (json.RawMessage, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	rec := &HistoryRecorder{}
	res, err := NewExecutor(inv).Run(ctx, mustParse(t, def), nil, RunOptions{History: rec})
	if err != nil || res.Status != StatusAborted {
		t.Fatalf("got %+v, %v", res, err)
	}
	if got := rec.Types(); got[len(got)-1] != "ExecutionAborted" {
		t.Fatalf("history %v", got)
	}
}

func TestRunRejectsBadInput(t *testing.T) {
	_, err := NewExecutor(nil).Run(context.Background(), mustParse(t, `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`), []byte(`{nope`), RunOptions{})
	if err == nil {
		t.Fatal("invalid input accepted")
	}
}

func TestTokenErrors(t *testing.T) {
	ex := NewExecutor(nil)
	var te *TokenError
	if err := ex.SendTaskHeartbeat("unknown"); !errors.As(err, &te) || te.Code != "TaskDoesNotExist" {
		t.Fatalf("heartbeat: %v", err)
	}
	if err := ex.SendTaskSuccess("t", []byte(`{bad`)); !errors.As(err, &te) || te.Code != "InvalidOutput" {
		t.Fatalf("success: %v", err)
	}
	if err := ex.SendTaskFailure("", "E", "C"); !errors.As(err, &te) || te.Code != "InvalidToken" {
		t.Fatalf("failure: %v", err)
	}
	if !reflect.DeepEqual(ex.tokens, map[string]*callback{}) {
		t.Fatal("token table not empty")
	}
}

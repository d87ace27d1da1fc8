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

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// flakyInvoker fails the first `failures` calls with errName.
type flakyInvoker struct {
	failures int32
	errName  string
	calls    atomic.Int32
}

func (f *flakyInvoker) InvokeTask(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
	if n := f.calls.Add(1); n <= f.failures {
		return nil, &StatesError{Name: f.errName, Cause: "attempt " + string(rune('0'+n))}
	}
	return json.RawMessage(`{"ok":true}`), nil
}

const retryCatchMachine = `{
  "StartAt": "Call",
  "States": {
    "Call": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Retry": [{"ErrorEquals": ["Lambda.Unknown"], "IntervalSeconds": 2, "MaxAttempts": 1, "BackoffRate": 2}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle", "ResultPath": "$.error"}],
      "End": true
    },
    "Handle": {"Type": "Pass", "End": true}
  }
}`

// The documented sequence for a task that fails, is retried once, fails
// again and is caught (developer guide, "Handling errors": each attempt is
// TaskScheduled/TaskStarted/TaskFailed inside one TaskStateEntered/Exited).
func TestHistoryTaskRetryCatch(t *testing.T) {
	rec := &HistoryRecorder{}
	inv := &flakyInvoker{failures: 5, errName: "Lambda.Unknown"}
	res := run(t, inv, retryCatchMachine, `{"in":1}`, RunOptions{History: rec})
	assertSucceeded(t, res, `{"in":1,"error":{"Error":"Lambda.Unknown","Cause":"attempt 2"}}`)
	want := []string{
		"ExecutionStarted", "TaskStateEntered",
		"TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskScheduled", "TaskStarted", "TaskFailed",
		"TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded",
	}
	if got := rec.Types(); !reflect.DeepEqual(got, want) {
		t.Fatalf("history\n got %v\nwant %v", got, want)
	}
	evs := rec.Events()
	for i, ev := range evs {
		if ev.Id != int64(i+1) || ev.PreviousEventId != int64(i) || ev.Timestamp == nil {
			t.Fatalf("event %d: id %d previous %d timestamp %v", i, ev.Id, ev.PreviousEventId, ev.Timestamp)
		}
	}
	if d := evs[2].TaskScheduledEventDetails; *d.ResourceType != "lambda" || *d.Resource != "invoke" || *d.Parameters != `{"in":1}` {
		t.Fatalf("TaskScheduled details %+v", d)
	}
	if d := evs[4].TaskFailedEventDetails; *d.Error != "Lambda.Unknown" || *d.Cause != "attempt 1" {
		t.Fatalf("TaskFailed details %+v", d)
	}
	// The retry waited IntervalSeconds (2s) on the fake clock.
	if gap := evs[5].Timestamp.Sub(*evs[4].Timestamp); gap != 2*time.Second {
		t.Fatalf("retry interval %v, want 2s", gap)
	}
}

func TestRetryBackoffAndMaxAttempts(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
	  "Retry":[{"ErrorEquals":["States.TaskFailed"],"IntervalSeconds":1,"MaxAttempts":3,"BackoffRate":3,"MaxDelaySeconds":5}],"End":true}}}`
	rec := &HistoryRecorder{}
	inv := TaskInvokerFunc(func(context.Context, *TaskRequest) (json.RawMessage, error) {
		return nil, errors.New("boom")
	})
	res := run(t, inv, def, `{}`, RunOptions{History: rec})
	assertFailed(t, res, StatesTaskFailed)
	var gaps []time.Duration
	evs := rec.Events()
	for i, ev := range evs {
		if ev.Type == "TaskScheduled" && i > 2 {
			gaps = append(gaps, ev.Timestamp.Sub(*evs[i-1].Timestamp))
		}
	}
	// 1s, 3s, then 9s capped by MaxDelaySeconds at 5s.
	if want := []time.Duration{time.Second, 3 * time.Second, 5 * time.Second}; !reflect.DeepEqual(gaps, want) {
		t.Fatalf("retry gaps %v, want %v", gaps, want)
	}
}

func TestRetryMaxAttemptsZeroAndRetryCount(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f",
	  "Parameters":{"count.$":"$$.State.RetryCount"},
	  "Retry":[{"ErrorEquals":["Custom.NoRetry"],"MaxAttempts":0},{"ErrorEquals":["States.ALL"],"MaxAttempts":2,"JitterStrategy":"FULL"}],"End":true}}}`
	var counts []int
	inv := TaskInvokerFunc(func(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
		counts = append(counts, req.RetryCount)
		if len(counts) < 3 {
			return nil, &StatesError{Name: "Other"}
		}
		return req.Input, nil
	})
	res := run(t, inv, def, `{}`, RunOptions{})
	assertSucceeded(t, res, `{"count":2}`)

	once := &flakyInvoker{failures: 1, errName: "Custom.NoRetry"}
	res = run(t, once, def, `{}`, RunOptions{})
	assertFailed(t, res, "Custom.NoRetry")
	if once.calls.Load() != 1 {
		t.Fatalf("MaxAttempts 0 retried: %d calls", once.calls.Load())
	}
}

// callbackInvoker hands each task token to a channel and returns at once,
// like a Lambda that puts the token on a queue.
type callbackInvoker struct{ tokens chan string }

func (c *callbackInvoker) InvokeTask(_ context.Context, req *TaskRequest) (json.RawMessage, error) {
	c.tokens <- req.TaskToken
	return json.RawMessage(`{"StatusCode":200}`), nil
}

const callbackMachine = `{"StartAt":"Wait for callback","States":{"Wait for callback":{
  "Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
  "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},
  %s "ResultPath":"$.callback","End":true}}}`

func startCallback(t *testing.T, ex *Executor, extra string) (<-chan *Result, string) {
	t.Helper()
	inv := &callbackInvoker{tokens: make(chan string, 1)}
	*ex = *NewExecutor(inv, WithClock(ex.clock))
	sm := mustParse(t, strings.Replace(callbackMachine, "%s", extra, 1))
	done := make(chan *Result, 1)
	go func() {
		res, err := ex.Run(context.Background(), sm, []byte(`{"id":7}`), RunOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	select {
	case tok := <-inv.tokens:
		return done, tok
	case <-time.After(10 * time.Second):
		t.Fatal("the invoker never received a task token")
	}
	return nil, ""
}

func waitResult(t *testing.T, done <-chan *Result) *Result {
	t.Helper()
	select {
	case res := <-done:
		return res
	case <-time.After(10 * time.Second):
		t.Fatal("execution did not finish")
	}
	return nil
}

func TestCallbackSendTaskSuccess(t *testing.T) {
	ex := &Executor{clock: clock.NewFake(time.Unix(0, 0))}
	done, token := startCallback(t, ex, "")
	if token == "" {
		t.Fatal("no task token")
	}
	go func() {
		if err := ex.SendTaskSuccess(token, []byte(`{"approved":true}`)); err != nil {
			t.Error(err)
		}
	}()
	res := waitResult(t, done)
	assertSucceeded(t, res, `{"id":7,"callback":{"approved":true}}`)
	var tokErr *TokenError
	if err := ex.SendTaskSuccess(token, []byte(`{}`)); !errors.As(err, &tokErr) || tokErr.Code != "TaskDoesNotExist" {
		t.Fatalf("second SendTaskSuccess: %v", err)
	}
}

func TestCallbackSendTaskFailureIsCaught(t *testing.T) {
	ex := &Executor{clock: clock.NewFake(time.Unix(0, 0))}
	done, token := startCallback(t, ex, "")
	if err := ex.SendTaskFailure(token, "Approval.Rejected", "no"); err != nil {
		t.Fatal(err)
	}
	assertFailed(t, waitResult(t, done), "Approval.Rejected")
}

func TestCallbackHeartbeatTimeout(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	ex := &Executor{clock: clk}
	done, token := startCallback(t, ex, `"HeartbeatSeconds":10,"TimeoutSeconds":100,`)
	waitTimers(t, clk, 2) // task timeout and heartbeat
	clk.Advance(9 * time.Second)
	if err := ex.SendTaskHeartbeat(token); err != nil {
		t.Fatal(err)
	}
	// Settled for 11s once the heartbeat replaced the timer due at 10s
	// (the next is due at 19s) and the task waits for its token again.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ex.tracker.WaitSettled(ctx, activity.Settle{Until: time.Unix(11, 0)}); err != nil {
		t.Fatalf("after the heartbeat: %v", err)
	}
	clk.Advance(9 * time.Second)
	select {
	case res := <-done:
		t.Fatalf("timed out despite the heartbeat: %+v", res)
	default:
	}
	clk.Advance(time.Second)
	res := waitResult(t, done)
	assertFailed(t, res, StatesHeartbeatTimeout)
}

func TestTaskTimeout(t *testing.T) {
	def := `{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:slow","TimeoutSeconds":30,"End":true}}}`
	rec := &HistoryRecorder{}
	blocked := TaskInvokerFunc(func(ctx context.Context, _ *TaskRequest) (json.RawMessage, error) {
		<-ctx.Done() // answers only when cancelled
		return nil, ctx.Err()
	})
	res := run(t, blocked, def, `{}`, RunOptions{History: rec})
	assertFailed(t, res, StatesTimeout)
	if got := rec.Types(); got[len(got)-2] != "TaskTimedOut" {
		t.Fatalf("history %v lacks TaskTimedOut", got)
	}
	if d := res.StopDate.Sub(res.StartDate); d != 30*time.Second {
		t.Fatalf("timed out after %v of fake time, want 30s", d)
	}
}

func TestExecutionTimeout(t *testing.T) {
	def := `{"TimeoutSeconds":5,"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`
	rec := &HistoryRecorder{}
	res := run(t, nil, def, `{}`, RunOptions{History: rec})
	if res.Status != StatusTimedOut || res.Error != StatesTimeout {
		t.Fatalf("got %+v", res)
	}
	if got := rec.Types(); got[len(got)-1] != "ExecutionTimedOut" {
		t.Fatalf("history %v", got)
	}
}

// waitTimers blocks until the fake clock has n pending timers.
func waitTimers(t *testing.T, c *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.WaitForWaiters(ctx, n); err != nil {
		t.Fatalf("%d timers pending, want %d", c.Waiters(), n)
	}
}

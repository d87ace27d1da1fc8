package asl

import (
	"context"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// An execution waiting on a task token holds nothing busy, so with virtual
// time a Wait state in another branch plays out at once; the answer
// resumes the execution.
func TestVirtualTimeRunsAWaitWhileAnotherBranchWaitsForItsToken(t *testing.T) {
	v := clock.NewVirtual()
	tr := activity.New(v)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	go tr.RunVirtualTime(ctx, v)
	inv := &callbackInvoker{tokens: make(chan string, 1)}
	ex := NewExecutor(inv, WithClock(v), WithTracker(tr))
	def := `{"StartAt":"Both","States":{"Both":{"Type":"Parallel","End":true,"Branches":[
	  {"StartAt":"Hour","States":{"Hour":{"Type":"Wait","Seconds":3600,"End":true}}},
	  {"StartAt":"Callback","States":{"Callback":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage.waitForTaskToken",
	    "Parameters":{"QueueUrl":"q","MessageBody":{"token.$":"$$.Task.Token"}},"ResultPath":"$.answer","End":true}}}]}}}`
	start, wallStart := v.Now(), time.Now()
	done := make(chan *Result, 1)
	go func() {
		res, err := ex.Run(ctx, mustParse(t, def), []byte(`{}`), RunOptions{})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	token := <-inv.tokens
	if err := tr.WaitSettled(ctx, activity.Settle{}); err != nil {
		t.Fatalf("an execution waiting on its token must settle: %v", err)
	}
	if got := v.Now().Sub(start); got < time.Hour {
		t.Fatalf("settled at +%v, before the Wait state's hour", got)
	}
	if err := ex.SendTaskSuccess(token, []byte(`"yes"`)); err != nil {
		t.Fatal(err)
	}
	res := waitResult(t, done)
	assertSucceeded(t, res, `[{},{"answer":"yes"}]`)
	if wall := time.Since(wallStart); wall > time.Minute {
		t.Fatalf("an hour's wait took %v of wall time", wall)
	}
	if err := tr.WaitSettled(ctx, activity.Settle{}); err != nil {
		t.Fatalf("after the execution ended: %v", err)
	}
	if p := tr.Pending(activity.Settle{}); len(p) != 0 {
		t.Fatalf("an ended execution left %v", p)
	}
}

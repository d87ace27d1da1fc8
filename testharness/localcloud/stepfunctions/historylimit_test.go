package stepfunctions

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// spinDefinition loops Pass → Choice forever.
const spinDefinition = `{"StartAt":"Spin","States":{
	"Spin":{"Type":"Pass","Result":{"spin":true},"Next":"Loop"},
	"Loop":{"Type":"Choice","Choices":[{"Variable":"$.spin","BooleanEquals":true,"Next":"Spin"}],"Default":"Done"},
	"Done":{"Type":"Succeed"}}}`

// TestLoopingExecutionFailsAtTheHistoryQuota runs a machine that never
// ends: it must fail as AWS fails it, with event 25,000 its
// ExecutionFailed, and keep no more than that.
func TestLoopingExecutionFailsAtTheHistoryQuota(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	smArn := f.create(t, "spin", spinDefinition, types.StateMachineTypeStandard)
	before := heapInUse()
	r := runToEnd(t, f, smArn)
	if r.Status != StatusFailed || r.Error != "States.Runtime" ||
		r.Cause != "The execution reached the maximum number of history events (25000)." {
		t.Fatalf("execution ended %s %s %q", r.Status, r.Error, r.Cause)
	}
	desc, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(r.ExecutionArn)})
	if err != nil || desc.Status != types.ExecutionStatusFailed || aws.ToString(desc.Error) != "States.Runtime" {
		t.Fatalf("DescribeExecution = %+v, %v", desc, err)
	}
	last, err := f.client.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(r.ExecutionArn),
		ReverseOrder: true, MaxResults: 2})
	if err != nil {
		t.Fatal(err)
	}
	failed, prev := last.Events[0], last.Events[1]
	if failed.Id != 25000 || failed.Type != types.HistoryEventTypeExecutionFailed || failed.PreviousEventId != 24999 ||
		aws.ToString(failed.ExecutionFailedEventDetails.Error) != "States.Runtime" {
		t.Errorf("last event = %d %s (previous %d) %+v", failed.Id, failed.Type, failed.PreviousEventId, failed.ExecutionFailedEventDetails)
	}
	if prev.Id != 24999 || prev.Type == types.HistoryEventTypeExecutionAborted {
		t.Errorf("event before the failure = %d %s, want the machine's own event 24999", prev.Id, prev.Type)
	}
	if n := len(f.historyTypes(t, r.ExecutionArn)); n != 1000 { // first page: the history goes on
		t.Fatalf("first history page has %d events", n)
	}
	events, _ := f.svc.History(r.ExecutionArn)
	if len(events) != 25000 {
		t.Errorf("kept %d events, want 25000", len(events))
	}
	if grown := heapInUse() - before; grown > 64<<20 {
		t.Errorf("heap grew by %d MiB for one capped execution", grown>>20)
	}
}

// BenchmarkLoopingExecutionToTheQuota measures an execution that runs
// into the history quota, and the heap one ended execution keeps.
func BenchmarkLoopingExecutionToTheQuota(b *testing.B) {
	f := newFixture(b)
	smArn := f.create(b, "spin", spinDefinition, types.StateMachineTypeStandard)
	before := heapInUse()
	for b.Loop() {
		runToEnd(b, f, smArn)
	}
	b.ReportMetric(float64(heapInUse()-before)/float64(b.N)/(1<<20), "MiB-kept/exec")
}

// runToEnd starts an execution and waits for its end: 25,000 events take
// seconds under the race detector, more than the fixture's usual limit.
func runToEnd(t testing.TB, f *fixture, smArn string) ExecutionResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn)})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	r, err := f.svc.WaitExecution(ctx, *out.ExecutionArn)
	if err != nil {
		t.Fatalf("WaitExecution: %v", err)
	}
	return r
}

// heapInUse is the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

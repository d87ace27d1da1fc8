package stepfunctions

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// statusRecorder keeps the status change events the service sends.
type statusRecorder struct {
	mu     sync.Mutex
	events []StatusChange
	got    chan struct{}
}

func (r *statusRecorder) PublishStatusChange(_ context.Context, e StatusChange) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.got <- struct{}{}
	return nil
}

// next waits for the next event.
func (r *statusRecorder) next(t *testing.T) (StatusChange, map[string]any) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(waitLimit):
		t.Fatal("no status change event")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events[len(r.events)-1]
	var detail map[string]any
	if err := json.Unmarshal(e.Detail, &detail); err != nil {
		t.Fatalf("detail %s: %v", e.Detail, err)
	}
	return e, detail
}

func TestStandardExecutionsSendStatusChangeEvents(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	fake := clock.NewFake(start)
	rec := &statusRecorder{got: make(chan struct{}, 8)}
	f := newFixture(t, func(_ *fixture, o *Options) { o.Clock, o.StatusChanges = fake, rec })
	hung := f.create(t, "hung", `{"TimeoutSeconds": 600, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}`, "")
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(hung),
		Name: aws.String("run-1"), Input: aws.String(`{"cloudFormation": {"RequestId": "r1"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	e, d := rec.next(t)
	if e.Source != "aws.states" || e.DetailType != "Step Functions Execution Status Change" || len(e.Resources) != 1 || e.Resources[0] != *out.ExecutionArn ||
		d["status"] != "RUNNING" || d["stopDate"] != nil || d["input"] != `{"cloudFormation": {"RequestId": "r1"}}` || d["stateMachineArn"] != hung {
		t.Fatalf("start event %+v detail %v", e, d)
	}
	// The execution's timeout and the Wait state's timer.
	waitForTimers(t, fake, 2)
	fake.Advance(600 * time.Second)
	e, d = rec.next(t)
	if d["status"] != "TIMED_OUT" || d["name"] != "run-1" || d["stopDate"] != float64(start.Add(600*time.Second).UnixMilli()) ||
		d["output"] != nil || d["inputDetails"].(map[string]any)["included"] != true || !e.Time.Equal(start.Add(600*time.Second)) {
		t.Fatalf("timeout event %+v detail %v", e, d)
	}

	express := f.create(t, "express", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`, types.StateMachineTypeExpress)
	f.run(t, express, `{}`)
	select {
	case <-rec.got:
		t.Error("an EXPRESS execution sent a status change event")
	default:
	}
}

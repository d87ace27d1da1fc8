package xray

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

func TestStateMachineExecutionSegmentHoldsItsTasks(t *testing.T) {
	s := New(Options{})
	start := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	trace := traceheader.NewTraceID(start)
	x := StateMachineExecution{
		TraceID: trace, SegmentID: traceheader.NewSegmentID(), StateMachineName: "Tests",
		StateMachineARN: "arn:aws:states:us-east-1:000000000000:stateMachine:Tests",
		ExecutionARN:    "arn:aws:states:us-east-1:000000000000:execution:Tests:run-1",
		Start:           start, End: start.Add(2 * time.Second), Failed: true, Error: "States.TaskFailed", Cause: "boom",
		Tasks: []StateMachineTask{
			{SegmentID: traceheader.NewSegmentID(), StateName: "Act", Resource: "arn:aws:states:::lambda:invoke", Start: start, End: start.Add(time.Second)},
			{SegmentID: traceheader.NewSegmentID(), StateName: "Assert", Resource: "arn:aws:states:::lambda:invoke", Start: start.Add(time.Second), End: start.Add(2 * time.Second), Error: "States.TaskFailed"},
		},
	}
	if err := s.RecordStateMachineExecution(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	seg := s.traces[trace].docs[x.SegmentID]
	s.mu.Unlock()
	var doc struct {
		Name        string `json:"name"`
		Origin      string `json:"origin"`
		Fault       bool   `json:"fault"`
		Subsegments []struct {
			ID    string `json:"id"`
			Name  string `json:"name"`
			Fault bool   `json:"fault"`
		} `json:"subsegments"`
	}
	if err := json.Unmarshal(seg.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Name != "Tests" || doc.Origin != "AWS::StepFunctions::StateMachine" || !doc.Fault || len(doc.Subsegments) != 2 {
		t.Fatalf("segment = %+v", doc)
	}
	if doc.Subsegments[0].ID != x.Tasks[0].SegmentID || doc.Subsegments[0].Fault || !doc.Subsegments[1].Fault {
		t.Fatalf("task subsegments = %+v", doc.Subsegments)
	}
	if err := s.RecordStateMachineExecution(context.Background(), StateMachineExecution{TraceID: "nope"}); err == nil {
		t.Fatal("an invalid trace id was accepted")
	}
}

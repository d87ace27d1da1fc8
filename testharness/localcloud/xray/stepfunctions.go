package xray

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// StateMachineExecution is a finished, traced Step Functions execution:
// what the X-Ray service needs to record the segment AWS Step Functions
// emits for it, with one subsegment per Task attempt.
type StateMachineExecution struct {
	TraceID string
	// SegmentID is the execution's segment; ParentID the caller's segment
	// ("" when the execution started the trace).
	SegmentID, ParentID string
	StateMachineName    string
	StateMachineARN     string
	ExecutionARN        string
	Start, End          time.Time
	// Failed marks an execution that did not succeed; Error and Cause say
	// why.
	Failed       bool
	Error, Cause string
	Tasks        []StateMachineTask
}

// StateMachineTask is one Task state's attempt: the subsegment whose id
// the integration received as its Parent, so a Lambda function's segments
// hang from it.
type StateMachineTask struct {
	SegmentID  string
	StateName  string
	Resource   string
	Start, End time.Time
	Error      string // "" when the task succeeded
}

// RecordStateMachineExecution stores the segment of an execution, named
// after its state machine with origin AWS::StepFunctions::StateMachine.
func (s *Service) RecordStateMachineExecution(_ context.Context, x StateMachineExecution) error {
	if !traceheader.ValidTraceID(x.TraceID) || !traceheader.ValidSegmentID(x.SegmentID) {
		return fmt.Errorf("xray: execution %s: trace %q, segment %q are not valid ids", x.ExecutionARN, x.TraceID, x.SegmentID)
	}
	doc := lambdaDoc{ID: x.SegmentID, Name: x.StateMachineName, TraceID: x.TraceID, ParentID: x.ParentID,
		StartTime: epoch(x.Start), EndTime: epoch(x.End), Origin: "AWS::StepFunctions::StateMachine",
		ResourceARN: x.StateMachineARN, AWS: map[string]any{"execution_arn": x.ExecutionARN}}
	if x.Failed {
		doc.Fault = true
		doc.Cause = map[string]any{"exceptions": []map[string]any{
			{"id": traceheader.NewSegmentID(), "type": x.Error, "message": x.Cause}}}
	}
	for _, t := range x.Tasks {
		sub := lambdaDoc{ID: t.SegmentID, Name: t.StateName, StartTime: epoch(t.Start), EndTime: epoch(t.End),
			AWS: map[string]any{"resource_arn": t.Resource}}
		if t.Error != "" {
			sub.Fault = true
			sub.Cause = map[string]any{"exceptions": []map[string]any{
				{"id": traceheader.NewSegmentID(), "type": t.Error, "message": t.Error}}}
		}
		doc.Subsegments = append(doc.Subsegments, sub)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("xray: encode execution segment: %w", err)
	}
	seg, err := parseSegment(b)
	if err != nil {
		return fmt.Errorf("xray: execution segment %s: %w", x.SegmentID, err)
	}
	s.store(seg)
	return nil
}

package xray

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// FaultAnnotation is the annotation that marks a segment where the local
// cloud injected a fault; its value is the fault's id. A filter expression
// finds the traces a fault hit: annotation.tracebridge_fault = "fault-1".
const FaultAnnotation = "tracebridge_fault"

// InjectedFault is a fault the local cloud injected into a request that
// carried a trace header: the gateway answered in the service's place.
type InjectedFault struct {
	// TraceHeader is the request's X-Amzn-Trace-Id.
	TraceHeader string
	// Service names the segment ("s3", "dynamodb").
	Service   string
	Operation string
	Resource  string
	FaultID   string
	Action    string
	// Status, Code and Message are the error answered, Status 0 when the
	// fault only delayed the request.
	Status     int
	Code       string
	Message    string
	Start, End time.Time
}

// RecordInjectedFault records a segment for the service the fault stood in
// for, under the caller's segment, annotated with the fault's id. A
// request that is not sampled records nothing, as on AWS.
func (s *Service) RecordInjectedFault(f InjectedFault) error {
	h, err := traceheader.Parse(f.TraceHeader)
	if err != nil {
		return fmt.Errorf("xray: injected fault %s: %w", f.FaultID, err)
	}
	if h.Root == "" || h.Sampled != traceheader.Sampled {
		return nil
	}
	doc := map[string]any{
		"id": traceheader.NewSegmentID(), "trace_id": h.Root, "name": f.Service,
		"start_time": epoch(f.Start), "end_time": epoch(f.End),
		"annotations": map[string]any{FaultAnnotation: f.FaultID, "tracebridge_fault_action": f.Action},
		"aws":         map[string]any{"operation": f.Operation, "resource_arn": f.Resource},
	}
	if h.Parent != "" {
		doc["parent_id"] = h.Parent
	}
	if f.Status != 0 {
		doc["http"] = map[string]any{"response": map[string]any{"status": f.Status}}
		doc["error"], doc["fault"], doc["throttle"] = f.Status < 500, f.Status >= 500, f.Status == 429
		doc["cause"] = map[string]any{"exceptions": []map[string]any{
			{"id": traceheader.NewSegmentID(), "type": f.Code, "message": f.Message, "remote": true}}}
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return fmt.Errorf("xray: encode injected fault segment: %w", err)
	}
	seg, err := parseSegment(b)
	if err != nil {
		return fmt.Errorf("xray: injected fault segment: %w", err)
	}
	s.store(seg)
	return nil
}

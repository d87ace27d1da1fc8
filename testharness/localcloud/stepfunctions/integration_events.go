package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
)

// putEvents runs arn:aws:states:::events:putEvents: Parameters are
// {Entries: [...]} as the PutEvents API takes them, except that Detail may
// be a JSON object. The result is {Entries: [{EventId}…], FailedEntryCount};
// a failed entry fails the task with EventBridge.FailedEntry ("Add
// EventBridge events with Step Functions").
func (s *Service) putEvents(ctx context.Context, t *task) (json.RawMessage, error) {
	if s.opts.Events == nil {
		return nil, notWired("EventBridge")
	}
	p, err := params(t)
	if err != nil {
		return nil, err
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(p["Entries"], &raw); err != nil || len(raw) == 0 {
		return nil, &asl.StatesError{Name: asl.StatesRuntime, Cause: fmt.Sprintf("The Parameters of state '%s' need a non-empty Entries array", t.req.StateName)}
	}
	entries := make([]EventEntry, len(raw))
	for i, e := range raw {
		detail, _ := textParam(e, "Detail")
		entries[i] = EventEntry{EventBusName: stringParam(e, "EventBusName"), Source: stringParam(e, "Source"),
			DetailType: stringParam(e, "DetailType"), Detail: json.RawMessage(detail), TraceHeader: stringParam(e, "TraceHeader")}
		if entries[i].TraceHeader == "" {
			entries[i].TraceHeader = t.traceHeader
		}
		_ = json.Unmarshal(e["Resources"], &entries[i].Resources)
		if ts := stringParam(e, "Time"); ts != "" {
			entries[i].Time, _ = time.Parse(time.RFC3339, ts)
		}
	}
	results, err := s.opts.Events.PutEvents(ctx, entries)
	if err != nil {
		return nil, serviceError("EventBridge", "AmazonEventBridge", err)
	}
	type entryOut struct {
		EventID      string `json:"EventId,omitempty"`
		ErrorCode    string `json:"ErrorCode,omitempty"`
		ErrorMessage string `json:"ErrorMessage,omitempty"`
	}
	out := struct {
		Entries          []entryOut
		FailedEntryCount int
	}{Entries: make([]entryOut, len(results))}
	for i, r := range results {
		out.Entries[i] = entryOut(r)
		if r.ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	body, err := marshal(out)
	if err != nil {
		return nil, err
	}
	if out.FailedEntryCount > 0 {
		return nil, &asl.StatesError{Name: "EventBridge.FailedEntry", Cause: string(body)}
	}
	return body, nil
}

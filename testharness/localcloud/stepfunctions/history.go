package stepfunctions

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// maxHistoryEvents is Step Functions' quota on one execution's history
// (Developer Guide, "Step Functions service quotas": maximum execution
// history size, 25,000 events; "If the execution history reaches this
// quota, the execution fails"). AWS records the failure as event 25,000
// itself: ExecutionFailed with States.Runtime and historyLimitCause, after
// 24,999 events of the machine's own.
const maxHistoryEvents = 25000

var historyLimitCause = fmt.Sprintf("The execution reached the maximum number of history events (%d).", maxHistoryEvents)

// historySink keeps an execution's events for GetExecutionHistory, up to
// maxHistoryEvents: the event that would pass the quota is replaced by the
// execution's failure, the execution is cancelled, and what it emits while
// it stops is dropped, so a looping machine holds 25,000 events at most.
type historySink struct {
	s *Service
	x *execution
}

func (h historySink) Record(ev types.HistoryEvent) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	x := h.x
	switch {
	case x.historyFull:
		return
	case len(x.events) == maxHistoryEvents-1 && !endsExecution(ev.Type):
		x.historyFull = true
		x.abort()
		ev = types.HistoryEvent{Id: ev.Id, PreviousEventId: ev.Id - 1, Timestamp: ev.Timestamp,
			Type: types.HistoryEventTypeExecutionFailed, ExecutionFailedEventDetails: &types.ExecutionFailedEventDetails{
				Error: aws.String(asl.StatesRuntime), Cause: aws.String(historyLimitCause)}}
	}
	if d := ev.ExecutionAbortedEventDetails; d != nil {
		d.Error, d.Cause = optional(x.stopError), optional(x.stopCause)
	}
	x.events = append(x.events, ev)
}

// endsExecution tells the events that close a history.
func endsExecution(t types.HistoryEventType) bool {
	switch t {
	case types.HistoryEventTypeExecutionSucceeded, types.HistoryEventTypeExecutionFailed,
		types.HistoryEventTypeExecutionAborted, types.HistoryEventTypeExecutionTimedOut:
		return true
	}
	return false
}

// GetExecutionHistoryInput is GetExecutionHistory's request.
type GetExecutionHistoryInput struct {
	ExecutionArn         string `json:"executionArn"`
	MaxResults           int    `json:"maxResults,omitempty"`
	NextToken            string `json:"nextToken,omitempty"`
	ReverseOrder         bool   `json:"reverseOrder,omitempty"`
	IncludeExecutionData *bool  `json:"includeExecutionData,omitempty"`
}

type getExecutionHistoryOutput struct {
	Events    []map[string]any `json:"events"`
	NextToken string           `json:"nextToken,omitempty"`
}

func (s *Service) getExecutionHistory(_ context.Context, in *GetExecutionHistoryInput) (*getExecutionHistoryOutput, error) {
	events, err := s.History(in.ExecutionArn)
	if err != nil {
		return nil, err
	}
	if in.ReverseOrder {
		slices.Reverse(events)
	}
	page, next, err := paginate(events, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	withData := in.IncludeExecutionData == nil || *in.IncludeExecutionData
	out := &getExecutionHistoryOutput{Events: make([]map[string]any, len(page)), NextToken: next}
	for i, ev := range page {
		out.Events[i] = encodeShape(reflect.ValueOf(ev), withData).(map[string]any)
	}
	return out, nil
}

// executionData are the members includeExecutionData=false leaves out.
var executionData = map[string]bool{"input": true, "output": true, "parameters": true, "inputDetails": true, "outputDetails": true}

// encodeShape renders an sfn/types value as the awsJson wire shape: the
// API's member names are the SDK field names with a lower-case first
// letter (executionStartedEventDetails, previousEventId, …), timestamps
// are epoch seconds, and unset members are left out.
func encodeShape(v reflect.Value, withData bool) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return encodeShape(v.Elem(), withData)
	case reflect.Struct:
		if t, ok := v.Interface().(time.Time); ok {
			return awsproto.Epoch(t)
		}
		m := map[string]any{}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name := lowerFirst(f.Name)
			if !withData && executionData[name] {
				continue
			}
			if val := encodeShape(v.Field(i), withData); val != nil {
				m[name] = val
			}
		}
		return m
	case reflect.Slice:
		if v.IsNil() {
			return nil
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = encodeShape(v.Index(i), withData)
		}
		return out
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Float32, reflect.Float64:
		return v.Float()
	}
	return nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// upperFirst is lowerFirst's inverse, for the PascalCase members of
// aws-sdk integration results.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package stepfunctions

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

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

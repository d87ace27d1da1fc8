package eventbridge

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

type testEventPatternInput struct {
	EventPattern string
	Event        string
}

type testEventPatternOutput struct{ Result bool }

// testEventFields are the members TestEventPattern requires of an event.
// The API reference also lists resources, but AWS accepts an event without
// it (AWS-validated in LocalStack's tests).
var testEventFields = []string{"id", "account", "source", "time", "region", "detail-type"}

// TestEventPattern matches an event against a pattern.
func (s *Service) testEventPattern(_ context.Context, in *testEventPatternInput) (*testEventPatternOutput, error) {
	p, err := compilePattern(in.EventPattern)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal([]byte(in.Event), &fields) != nil || fields == nil {
		return nil, awsproto.ValidationError("Parameter Event is not valid.")
	}
	for _, f := range testEventFields {
		if _, ok := fields[f]; !ok {
			return nil, awsproto.ValidationError("Parameter Event is not valid.")
		}
	}
	var stamp time.Time
	if json.Unmarshal(fields["time"], &stamp) != nil {
		return nil, awsproto.ValidationError("Parameter Event is not valid. Reason: Invalid time.")
	}
	ev, err := eventpattern.ParseEvent([]byte(in.Event))
	if err != nil {
		return nil, awsproto.ValidationError("Parameter Event is not valid.")
	}
	return &testEventPatternOutput{Result: p.MatchesEvent(ev)}, nil
}

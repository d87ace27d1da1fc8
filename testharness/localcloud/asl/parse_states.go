package asl

import (
	"fmt"
	"strings"
	"time"
)

// Fields each state type accepts (Amazon States Language spec, "State
// Types" table), beyond Type and Comment.
var stateFields = map[string][]string{
	"Pass":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result"},
	"Task":     {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"},
	"Choice":   {"InputPath", "OutputPath", "Choices", "Default"},
	"Wait":     {"Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp", "SecondsPath", "TimestampPath"},
	"Succeed":  {"InputPath", "OutputPath"},
	"Fail":     {"Error", "Cause", "ErrorPath", "CausePath"},
	"Parallel": {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Branches"},
	"Map":      {"Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount", "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label"},
}

func (p *parser) state(name string, v any, loc string) *State {
	f, ok := p.object(v, loc)
	if !ok {
		return nil
	}
	if !f.require("Type") {
		return nil
	}
	typ, _ := f.str("Type")
	allowed, known := stateFields[typ]
	if !known {
		p.schema(f.at("Type"), "Value %q is not a valid state type: use Pass, Task, Choice, Wait, Succeed, Fail, Parallel or Map", typ)
		return nil
	}
	if f.has("Assign") || f.has("Arguments") || f.has("Output") || f.has("QueryLanguage") {
		p.schema(loc, "JSONata fields (QueryLanguage, Arguments, Output) and variables (Assign) are not supported by this emulator")
	}
	f.allow(append([]string{"Type", "Comment", "Assign", "Arguments", "Output", "QueryLanguage"}, allowed...)...)
	s := &State{Name: name, Type: typ}
	p.transition(f, s)
	s.inputPath, s.inputPathNull = f.path("InputPath", false)
	s.outputPath, s.outputPathNull = f.path("OutputPath", false)
	s.resultPath, s.resultPathNull = f.path("ResultPath", true)
	s.parameters = f.payload("Parameters")
	s.resultSelector = f.payload("ResultSelector")
	s.result, s.hasResult = f.m["Result"]
	if f.has("Retry") {
		s.retry = p.retriers(f.m["Retry"], f.at("Retry"))
	}
	if f.has("Catch") {
		s.catch = p.catchers(f.m["Catch"], f.at("Catch"))
	}
	switch typ {
	case "Task":
		p.task(f, s)
	case "Choice":
		p.choice(f, s)
	case "Wait":
		p.wait(f, s)
	case "Fail":
		p.fail(f, s)
	case "Parallel":
		p.parallel(f, s)
	case "Map":
		p.mapState(f, s)
	}
	return s
}

// transition reads Next/End: states that are not Choice, Succeed or Fail
// need exactly one of them.
func (p *parser) transition(f *fields, s *State) {
	s.next, _ = f.str("Next")
	end, hasEnd := f.boolean("End")
	s.end = end
	switch s.Type {
	case "Choice", "Succeed", "Fail":
		return
	}
	switch {
	case hasEnd && !end:
		p.schema(f.at("End"), "The value of 'End' must be true when present")
	case s.next != "" && end:
		p.schema(f.loc, "Only one of 'Next' or 'End' may be set")
	case s.next == "" && !end:
		p.schema(f.loc, "These fields are required: [Next | End]")
	}
}

func (p *parser) task(f *fields, s *State) {
	if !f.require("Resource") {
		return
	}
	s.resource, _ = f.str("Resource")
	if !strings.HasPrefix(s.resource, "arn:") {
		p.add(CodeInvalidResource, f.at("Resource"), "Value is not a valid resource ARN")
	}
	s.timeoutSeconds, _ = f.integer("TimeoutSeconds", 1)
	s.timeoutSecondsPath, _ = f.path("TimeoutSecondsPath", true)
	s.heartbeatSeconds, _ = f.integer("HeartbeatSeconds", 1)
	s.heartbeatSecondsPath, _ = f.path("HeartbeatSecondsPath", true)
	if f.has("TimeoutSeconds") && f.has("TimeoutSecondsPath") {
		p.schema(f.loc, "Only one of 'TimeoutSeconds' or 'TimeoutSecondsPath' may be set")
	}
	if f.has("HeartbeatSeconds") && f.has("HeartbeatSecondsPath") {
		p.schema(f.loc, "Only one of 'HeartbeatSeconds' or 'HeartbeatSecondsPath' may be set")
	}
	if s.heartbeatSeconds > 0 && s.timeoutSeconds > 0 && s.heartbeatSeconds >= s.timeoutSeconds {
		p.schema(f.at("HeartbeatSeconds"), "HeartbeatSeconds must be smaller than TimeoutSeconds")
	}
}

func (p *parser) choice(f *fields, s *State) {
	if !f.require("Choices") {
		return
	}
	s.defaultNext, _ = f.str("Default")
	rules, ok := f.m["Choices"].([]any)
	if !ok || len(rules) == 0 {
		p.schema(f.at("Choices"), "Choices must be a non-empty array")
		return
	}
	for i, r := range rules {
		if c := p.choiceRule(r, fmt.Sprintf("%s[%d]", f.at("Choices"), i), true); c != nil {
			s.choices = append(s.choices, c)
		}
	}
}

func (p *parser) wait(f *fields, s *State) {
	n := 0
	for _, k := range []string{"Seconds", "Timestamp", "SecondsPath", "TimestampPath"} {
		if f.has(k) {
			n++
		}
	}
	if n != 1 {
		p.schema(f.loc, "Exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' is required")
	}
	if sec, ok := f.integer("Seconds", 0); ok {
		s.seconds = &sec
	}
	if ts, ok := f.str("Timestamp"); ok {
		t, err := parseTimestamp(ts)
		if err != nil {
			p.schema(f.at("Timestamp"), "The value must be an ISO-8601 extended offset date-time format string")
		} else {
			s.timestamp = &t
		}
	}
	s.secondsPath, _ = f.path("SecondsPath", true)
	s.timestampPath, _ = f.path("TimestampPath", true)
}

// parseTimestamp accepts the RFC 3339 profile of ISO 8601 that ASL
// timestamps use (an uppercase T and an offset or Z are required).
func parseTimestamp(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

func (p *parser) fail(f *fields, s *State) {
	s.errorName, _ = f.str("Error")
	s.cause, _ = f.str("Cause")
	if f.has("Error") && f.has("ErrorPath") {
		p.schema(f.loc, "Only one of 'Error' or 'ErrorPath' may be set")
	}
	if f.has("Cause") && f.has("CausePath") {
		p.schema(f.loc, "Only one of 'Cause' or 'CausePath' may be set")
	}
	s.errorPath = p.valueExpr(f, "ErrorPath")
	s.causePath = p.valueExpr(f, "CausePath")
}

func (p *parser) valueExpr(f *fields, key string) *valueExpr {
	src, ok := f.str(key)
	if !ok {
		return nil
	}
	var err error
	v := &valueExpr{}
	if isIntrinsic(src) {
		v.call, err = parseIntrinsic(src)
	} else {
		v.path, err = compileReferencePath(src)
	}
	if err != nil {
		p.schema(f.at(key), "%v", err)
		return nil
	}
	return v
}

func (p *parser) parallel(f *fields, s *State) {
	if !f.require("Branches") {
		return
	}
	branches, ok := f.m["Branches"].([]any)
	if !ok || len(branches) == 0 {
		p.schema(f.at("Branches"), "Branches must be a non-empty array")
		return
	}
	for i, b := range branches {
		if sm := p.machine(b, fmt.Sprintf("%s[%d]", f.at("Branches"), i), false); sm != nil {
			s.branches = append(s.branches, sm)
		}
	}
}

func (p *parser) mapState(f *fields, s *State) {
	key := "ItemProcessor"
	switch {
	case f.has("ItemProcessor") && f.has("Iterator"):
		p.schema(f.loc, "Only one of 'ItemProcessor' or 'Iterator' may be set")
	case f.has("Iterator"):
		key = "Iterator"
	case !f.has("ItemProcessor"):
		p.schema(f.loc, "These fields are required: [ItemProcessor]")
		return
	}
	if proc, ok := f.m[key].(map[string]any); ok {
		if cfg, ok := proc["ProcessorConfig"].(map[string]any); ok {
			if mode, _ := cfg["Mode"].(string); mode == "DISTRIBUTED" {
				p.schema(f.at(key)+"/ProcessorConfig/Mode", "Map in DISTRIBUTED mode is not supported by this emulator")
			}
		}
	}
	s.processor = p.machine(f.m[key], f.at(key), false)
	if f.has("Parameters") && f.has("ItemSelector") {
		p.schema(f.loc, "Only one of 'Parameters' or 'ItemSelector' may be set")
	}
	// Legacy Parameters on a Map state is the ItemSelector of today.
	s.itemSelector = f.payload("ItemSelector")
	if s.itemSelector == nil {
		s.itemSelector, s.parameters = s.parameters, nil
	}
	s.itemsPath, _ = f.path("ItemsPath", true)
	s.maxConcurrency, _ = f.integer("MaxConcurrency", 0)
	s.maxConcurrencyPath, _ = f.path("MaxConcurrencyPath", true)
	s.toleratedFailureCount, _ = f.integer("ToleratedFailureCount", 0)
	s.toleratedFailureCountPath, _ = f.path("ToleratedFailureCountPath", true)
	s.toleratedFailurePercentage, _ = f.number("ToleratedFailurePercentage", 0)
	if s.toleratedFailurePercentage > 100 {
		p.schema(f.at("ToleratedFailurePercentage"), "Value must be at most 100")
	}
	s.toleratedFailurePercentPath, _ = f.path("ToleratedFailurePercentagePath", true)
	s.hasToleratedFailureThreshold = f.has("ToleratedFailureCount") || f.has("ToleratedFailureCountPath") ||
		f.has("ToleratedFailurePercentage") || f.has("ToleratedFailurePercentagePath")
}

func (p *parser) retriers(v any, loc string) []*retrier {
	list, ok := v.([]any)
	if !ok {
		p.schema(loc, "Expected value of type: Array")
		return nil
	}
	var out []*retrier
	for i, e := range list {
		eloc := fmt.Sprintf("%s[%d]", loc, i)
		f, ok := p.object(e, eloc)
		if !ok {
			continue
		}
		f.allow("ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds", "JitterStrategy", "Comment")
		r := &retrier{intervalSeconds: 1, maxAttempts: 3, backoffRate: 2}
		r.errorEquals = p.errorEquals(f, i == len(list)-1)
		if n, ok := f.integer("IntervalSeconds", 1); ok {
			r.intervalSeconds = float64(n)
		}
		if n, ok := f.integer("MaxAttempts", 0); ok {
			r.maxAttempts = n
		}
		if n, ok := f.number("BackoffRate", 1); ok {
			r.backoffRate = n
		}
		if n, ok := f.integer("MaxDelaySeconds", 1); ok {
			r.maxDelaySeconds = float64(n)
		}
		if js, ok := f.str("JitterStrategy"); ok {
			switch js {
			case "FULL":
				r.fullJitter = true
			case "NONE":
			default:
				p.schema(f.at("JitterStrategy"), "Value %q is not valid: use FULL or NONE", js)
			}
		}
		out = append(out, r)
	}
	return out
}

func (p *parser) catchers(v any, loc string) []*catcher {
	list, ok := v.([]any)
	if !ok {
		p.schema(loc, "Expected value of type: Array")
		return nil
	}
	var out []*catcher
	for i, e := range list {
		f, ok := p.object(e, fmt.Sprintf("%s[%d]", loc, i))
		if !ok {
			continue
		}
		f.allow("ErrorEquals", "Next", "ResultPath", "Comment")
		if !f.require("ErrorEquals", "Next") {
			continue
		}
		c := &catcher{}
		c.errorEquals = p.errorEquals(f, i == len(list)-1)
		c.next, _ = f.str("Next")
		c.resultPath, c.resultPathNull = f.path("ResultPath", true)
		out = append(out, c)
	}
	return out
}

// errorEquals reads a non-empty ErrorEquals; States.ALL must be alone in
// its list and that list must be the last retrier or catcher.
func (p *parser) errorEquals(f *fields, last bool) []string {
	if !f.require("ErrorEquals") {
		return nil
	}
	list, ok := f.m["ErrorEquals"].([]any)
	if !ok || len(list) == 0 {
		p.schema(f.at("ErrorEquals"), "ErrorEquals must be a non-empty array of strings")
		return nil
	}
	var out []string
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			p.schema(f.at("ErrorEquals"), "ErrorEquals must be a non-empty array of strings")
			return nil
		}
		if s == StatesALL && (len(list) > 1 || !last) {
			p.schema(f.at("ErrorEquals"), "States.ALL must appear alone in ErrorEquals, in the last element of its array")
		}
		out = append(out, s)
	}
	return out
}

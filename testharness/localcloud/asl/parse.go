package asl

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Parse validates a JSONPath Amazon States Language definition and compiles
// it. A definition with problems yields a *DefinitionError listing each one
// with the code and location Step Functions reports.
func Parse(definition []byte) (*StateMachine, error) {
	if len(strings.TrimSpace(string(definition))) == 0 {
		return nil, &DefinitionError{Diagnostics: []Diagnostic{{Code: CodeMissingDescription, Message: "Received a null or empty workflow input."}}}
	}
	raw, err := decodeJSON(definition)
	if err != nil {
		return nil, &DefinitionError{Diagnostics: []Diagnostic{{Code: CodeInvalidJSONDescription, Message: err.Error()}}}
	}
	p := &parser{}
	sm := p.machine(raw, "", true)
	if len(p.diags) > 0 {
		return nil, &DefinitionError{Diagnostics: p.diags}
	}
	return sm, nil
}

// parser collects diagnostics while compiling; it keeps going after a
// problem so one call reports as much as it can, like AWS does.
type parser struct {
	diags []Diagnostic
}

func (p *parser) add(code, loc, format string, args ...any) {
	if loc == "" {
		loc = "/"
	}
	p.diags = append(p.diags, Diagnostic{Code: code, Message: fmt.Sprintf(format, args...), Location: loc})
}

func (p *parser) schema(loc, format string, args ...any) {
	p.add(CodeSchemaValidationFailed, loc, format, args...)
}

// fields wraps a JSON object at loc and checks which keys are allowed.
type fields struct {
	p   *parser
	m   map[string]any
	loc string
}

func (p *parser) object(v any, loc string) (*fields, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		p.schema(loc, "Expected value of type: Object")
		return nil, false
	}
	return &fields{p: p, m: m, loc: loc}, true
}

func (f *fields) at(key string) string { return strings.TrimSuffix(f.loc, "/") + "/" + key }

func (f *fields) has(key string) bool { _, ok := f.m[key]; return ok }

// allow reports every key not in allowed, in a stable order.
func (f *fields) allow(allowed ...string) {
	keys := make([]string, 0, len(f.m))
	for k := range f.m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !slices.Contains(allowed, k) {
			f.p.schema(f.at(k), "The field %q is not supported by Step Functions", k)
		}
	}
}

func (f *fields) require(keys ...string) bool {
	var missing []string
	for _, k := range keys {
		if !f.has(k) {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		f.p.schema(f.loc, "These fields are required: [%s]", strings.Join(missing, ", "))
		return false
	}
	return true
}

func (f *fields) str(key string) (string, bool) {
	v, ok := f.m[key]
	if !ok {
		return "", false
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.schema(f.at(key), "Expected value of type: String")
		return "", false
	}
	return s, true
}

func (f *fields) boolean(key string) (bool, bool) {
	v, ok := f.m[key]
	if !ok {
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		f.p.schema(f.at(key), "Expected value of type: Boolean")
		return false, false
	}
	return b, true
}

// integer reads a whole number no smaller than minimum.
func (f *fields) integer(key string, minimum int64) (int64, bool) {
	v, ok := f.m[key]
	if !ok {
		return 0, false
	}
	n, isInt := toInt(v)
	if !isInt {
		f.p.schema(f.at(key), "Expected value of type: Integer")
		return 0, false
	}
	if n < minimum {
		f.p.schema(f.at(key), "Value must be at least %d", minimum)
		return 0, false
	}
	return n, true
}

func (f *fields) number(key string, minimum float64) (float64, bool) {
	v, ok := f.m[key]
	if !ok {
		return 0, false
	}
	n, isNum := toFloat(v)
	if !isNum || math.IsNaN(n) {
		f.p.schema(f.at(key), "Expected value of type: Number")
		return 0, false
	}
	if n < minimum {
		f.p.schema(f.at(key), "Value must be at least %v", minimum)
		return 0, false
	}
	return n, true
}

// path reads a path field; nullable fields report JSON null via isNull.
func (f *fields) path(key string, reference bool) (p *Path, isNull bool) {
	v, ok := f.m[key]
	if !ok {
		return nil, false
	}
	if v == nil {
		return nil, true
	}
	s, isStr := v.(string)
	if !isStr {
		f.p.schema(f.at(key), "Expected value of type: String")
		return nil, false
	}
	var err error
	if reference {
		p, err = compileReferencePath(s)
	} else {
		p, err = compilePath(s)
	}
	if err != nil {
		f.p.schema(f.at(key), "The value for the field '%s' must be a valid JSONPath: %v", key, err)
		return nil, false
	}
	return p, false
}

func (f *fields) payload(key string) *payloadTemplate {
	v, ok := f.m[key]
	if !ok {
		return nil
	}
	t, err := compilePayload(v, f.at(key))
	if err != nil {
		f.p.schema(f.at(key), "%v", err)
		return nil
	}
	return t
}

// machine compiles a top-level definition (top) or a branch/processor.
func (p *parser) machine(v any, loc string, top bool) *StateMachine {
	f, ok := p.object(v, orRoot(loc))
	if !ok {
		return nil
	}
	allowed := []string{"Comment", "StartAt", "States", "QueryLanguage"}
	if top {
		allowed = append(allowed, "TimeoutSeconds", "Version")
	} else {
		allowed = append(allowed, "ProcessorConfig")
	}
	f.allow(allowed...)
	if ql, ok := f.str("QueryLanguage"); ok && ql != "JSONPath" {
		p.schema(f.at("QueryLanguage"), "QueryLanguage %q is not supported by this emulator: only JSONPath is", ql)
	}
	if !f.require("StartAt", "States") {
		return nil
	}
	sm := &StateMachine{States: map[string]*State{}}
	sm.Comment, _ = f.str("Comment")
	sm.StartAt, _ = f.str("StartAt")
	if top {
		sm.TimeoutSeconds, _ = f.integer("TimeoutSeconds", 1)
	}
	statesLoc := f.at("States")
	states, ok := f.m["States"].(map[string]any)
	if !ok {
		p.schema(statesLoc, "Expected value of type: Object")
		return nil
	}
	if len(states) == 0 {
		p.schema(statesLoc, "The States field must not be empty")
		return nil
	}
	names := make([]string, 0, len(states))
	for name := range states {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if len(name) == 0 || len(name) > 80 {
			p.add(CodeInvalidStateName, statesLoc+"/"+name, "State name %q must be 1 to 80 characters long", name)
		}
		if s := p.state(name, states[name], statesLoc+"/"+name); s != nil {
			sm.States[name] = s
		}
	}
	if _, ok := states[sm.StartAt]; !ok {
		p.add(CodeMissingTransitionTarget, f.at("StartAt"), "Missing 'Next' target: %s", sm.StartAt)
	}
	p.checkGraph(sm, states, statesLoc)
	return sm
}

func orRoot(loc string) string {
	if loc == "" {
		return "/"
	}
	return loc
}

// checkGraph reports transitions to unknown states, unreachable states and
// a machine without a terminal state.
func (p *parser) checkGraph(sm *StateMachine, raw map[string]any, statesLoc string) {
	names := make([]string, 0, len(sm.States))
	for n := range sm.States {
		names = append(names, n)
	}
	sort.Strings(names)
	terminal := false
	for _, n := range names {
		s := sm.States[n]
		loc := statesLoc + "/" + n
		for _, t := range s.transitions(loc) {
			if _, ok := raw[t.target]; !ok {
				p.add(CodeMissingTransitionTarget, t.loc, "Missing 'Next' target: %s", t.target)
			}
		}
		if s.end || s.Type == "Succeed" || s.Type == "Fail" {
			terminal = true
		}
	}
	if len(sm.States) == len(raw) && !terminal {
		p.add(CodeMissingEndState, orRoot(strings.TrimSuffix(statesLoc, "/States")), "Workflow has no terminal state")
	}
	seen := map[string]bool{}
	queue := []string{sm.StartAt}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		s, ok := sm.States[n]
		if !ok || seen[n] {
			continue
		}
		seen[n] = true
		for _, t := range s.transitions("") {
			queue = append(queue, t.target)
		}
	}
	for _, n := range names {
		if !seen[n] {
			p.add(CodeMissingTransitionTarget, statesLoc+"/"+n, "State %q is not reachable.", n)
		}
	}
}

type transition struct {
	target string
	loc    string
}

// transitions lists every state this state can move to, with where in the
// definition each target is written.
func (s *State) transitions(loc string) []transition {
	var out []transition
	if s.next != "" {
		out = append(out, transition{s.next, loc + "/Next"})
	}
	if s.defaultNext != "" {
		out = append(out, transition{s.defaultNext, loc + "/Default"})
	}
	for i, c := range s.choices {
		out = append(out, transition{c.next, fmt.Sprintf("%s/Choices[%d]/Next", loc, i)})
	}
	for i, c := range s.catch {
		out = append(out, transition{c.next, fmt.Sprintf("%s/Catch[%d]/Next", loc, i)})
	}
	return out
}

package eventbridge

import (
	"context"
	"errors"
	"regexp"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

var ruleNamePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

type putRuleInput struct {
	Name               string
	EventBusName       string
	EventPattern       string
	ScheduleExpression string
	State              string
	Description        string
	RoleArn            string
}

type putRuleOutput struct{ RuleArn string }

// PutRule creates a rule or replaces one; as on AWS, parameters left out
// of an update are cleared, and the targets stay.
func (s *Service) putRule(_ context.Context, in *putRuleInput) (*putRuleOutput, error) {
	if !ruleNamePattern.MatchString(in.Name) {
		return nil, constraint("name", "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return nil, awsproto.ValidationError("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	state := in.State
	switch state {
	case "":
		state = StateEnabled
	case StateEnabled, StateDisabled:
	default:
		return nil, constraint("state", "Member must satisfy enum value set: [ENABLED, DISABLED]")
	}
	var compiled *eventpattern.Pattern
	if in.EventPattern != "" {
		p, err := compilePattern(in.EventPattern)
		if err != nil {
			return nil, err
		}
		compiled = p
	}
	name := busName(in.EventBusName)
	if in.ScheduleExpression != "" && name != DefaultBus {
		return nil, awsproto.ValidationError("ScheduleExpression is supported only on the default event bus.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[name]
	if b == nil {
		return nil, busNotFound(name)
	}
	r := b.rules[in.Name]
	if r == nil {
		r = &rule{name: in.Name, bus: name, arn: ruleARN(name, in.Name)}
		b.rules[in.Name] = r
	}
	r.description, r.pattern, r.compiled = in.Description, in.EventPattern, compiled
	r.schedule, r.state, r.roleARN = in.ScheduleExpression, state, in.RoleArn
	return &putRuleOutput{RuleArn: r.arn}, nil
}

// compilePattern compiles a rule's or archive's pattern and answers an
// invalid one as EventBridge does.
func compilePattern(pattern string) (*eventpattern.Pattern, error) {
	p, err := eventpattern.Compile([]byte(pattern))
	var invalid *eventpattern.InvalidPatternError
	if errors.As(err, &invalid) {
		return nil, invalidPattern(invalid.Error())
	}
	if err != nil {
		return nil, invalidPattern("Event pattern is not valid. Reason: " + err.Error())
	}
	return p, nil
}

type ruleRef struct {
	Name         string
	EventBusName string
}

type ruleOutput struct {
	Name               string
	Arn                string
	EventBusName       string
	EventPattern       string `json:",omitempty"`
	ScheduleExpression string `json:",omitempty"`
	State              string
	Description        string `json:",omitempty"`
	RoleArn            string `json:",omitempty"`
}

func (r *rule) describe() ruleOutput {
	return ruleOutput{Name: r.name, Arn: r.arn, EventBusName: r.bus, EventPattern: r.pattern,
		ScheduleExpression: r.schedule, State: r.state, Description: r.description, RoleArn: r.roleARN}
}

// lookupRule finds a rule by name and bus name-or-ARN. Must hold s.mu.
func (s *Service) lookupRule(name, bus string) (*rule, error) {
	bn := busName(bus)
	b := s.buses[bn]
	if b == nil {
		return nil, busNotFound(bn)
	}
	r := b.rules[name]
	if r == nil {
		return nil, ruleNotFound(name, bn)
	}
	return r, nil
}

func (s *Service) describeRule(_ context.Context, in *ruleRef) (*ruleOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookupRule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	out := r.describe()
	return &out, nil
}

type listRulesInput struct {
	NamePrefix   string
	EventBusName string
	NextToken    string
	Limit        int
}

type listRulesOutput struct {
	Rules     []ruleOutput
	NextToken string `json:",omitempty"`
}

func (s *Service) listRules(_ context.Context, in *listRulesInput) (*listRulesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	bn := busName(in.EventBusName)
	b := s.buses[bn]
	if b == nil {
		return nil, busNotFound(bn)
	}
	page, next, err := paginate(namesWithPrefix(b.rules, in.NamePrefix), in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listRulesOutput{Rules: []ruleOutput{}, NextToken: next}
	for _, n := range page {
		out.Rules = append(out.Rules, b.rules[n].describe())
	}
	return out, nil
}

type deleteRuleInput struct {
	Name         string
	EventBusName string
	Force        bool
}

// DeleteRule refuses a rule that still has targets, as AWS does. Deleting
// a rule that does not exist succeeds.
func (s *Service) deleteRule(_ context.Context, in *deleteRuleInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	bn := busName(in.EventBusName)
	b := s.buses[bn]
	if b == nil {
		return nil, busNotFound(bn)
	}
	r := b.rules[in.Name]
	if r == nil {
		return &struct{}{}, nil
	}
	if len(r.targets) > 0 {
		return nil, awsproto.ValidationError("Rule can't be deleted since it has targets.")
	}
	delete(b.rules, in.Name)
	return &struct{}{}, nil
}

func (s *Service) enableRule(_ context.Context, in *ruleRef) (*struct{}, error) {
	return s.setRuleState(in, StateEnabled)
}

func (s *Service) disableRule(_ context.Context, in *ruleRef) (*struct{}, error) {
	return s.setRuleState(in, StateDisabled)
}

func (s *Service) setRuleState(in *ruleRef, state string) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Name, in.EventBusName)
	if err != nil {
		return nil, err
	}
	r.state = state
	return &struct{}{}, nil
}

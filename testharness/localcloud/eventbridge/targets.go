package eventbridge

import (
	"context"
	"regexp"
	"sort"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge/transform"
)

var targetIDPattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

type putTargetsInput struct {
	Rule         string
	EventBusName string
	Targets      []*ruleTarget
}

type failedTarget struct {
	TargetId     string
	ErrorCode    string
	ErrorMessage string
}

type putTargetsOutput struct {
	FailedEntryCount int
	FailedEntries    []failedTarget
}

// PutTargets adds or replaces targets by Id. A target whose settings are
// not valid is reported in FailedEntries; the others are put.
func (s *Service) putTargets(_ context.Context, in *putTargetsInput) (*putTargetsOutput, error) {
	if len(in.Targets) == 0 || len(in.Targets) > 10 {
		return nil, constraint("targets", "Member must have length less than or equal to 10 and greater than or equal to 1")
	}
	for _, t := range in.Targets {
		if t == nil {
			return nil, awsproto.ValidationError("Targets must not contain null.")
		}
		if err := checkRetryPolicy(t.RetryPolicy); err != nil {
			return nil, err
		}
		if err := checkTargetRole(t); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	added := 0
	for _, t := range in.Targets {
		if i, _ := r.target(t.Id); i < 0 {
			added++
		}
	}
	if len(r.targets)+added > MaxTargetsPerRule {
		return nil, limitExceeded("The requested resource exceeds the maximum number allowed.")
	}
	out := &putTargetsOutput{FailedEntries: []failedTarget{}}
	for _, t := range in.Targets {
		if msg := targetProblem(t); msg != "" {
			out.FailedEntries = append(out.FailedEntries, failedTarget{TargetId: t.Id, ErrorCode: "ValidationException", ErrorMessage: msg})
			continue
		}
		copied := *t
		if i, _ := r.target(t.Id); i >= 0 {
			r.targets[i] = &copied
		} else {
			r.targets = append(r.targets, &copied)
		}
	}
	out.FailedEntryCount = len(out.FailedEntries)
	return out, nil
}

// targetProblem tells why a target cannot be put, or "".
func targetProblem(t *ruleTarget) string {
	if !targetIDPattern.MatchString(t.Id) {
		return "Parameter Id is not valid."
	}
	if _, err := arn.Parse(t.Arn); err != nil {
		return "Parameter Arn is not valid."
	}
	if err := transform.Validate(t.spec()); err != nil {
		return err.Error()
	}
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != "" {
		if a, err := arn.Parse(t.DeadLetterConfig.Arn); err != nil || a.Service != "sqs" {
			return "Parameter DeadLetterConfig.Arn is not valid: it must be the ARN of an SQS queue."
		}
	}
	return ""
}

// checkTargetRole refuses the whole call for a target EventBridge can only
// reach through a role and that names none: a Step Functions state machine
// (EventBridge User Guide, "Using resource-based policies for Amazon
// EventBridge": state machines rely on the target's RoleArn). The message
// is the one PutTargets answers for such targets.
func checkTargetRole(t *ruleTarget) error {
	if a, err := arn.Parse(t.Arn); err == nil && a.Service == "states" && t.RoleArn == "" {
		return awsproto.ValidationError("RoleArn is required for target %s.", t.Arn)
	}
	return nil
}

// checkRetryPolicy enforces the ranges of the RetryPolicy shape.
func checkRetryPolicy(p *retryPolicy) error {
	if p == nil {
		return nil
	}
	if n := p.MaximumRetryAttempts; n != nil && (*n < 0 || *n > 185) {
		return constraint("targets.member.retryPolicy.maximumRetryAttempts", "Member must have value between 0 and 185")
	}
	if n := p.MaximumEventAgeInSeconds; n != nil && (*n < 60 || *n > 86400) {
		return constraint("targets.member.retryPolicy.maximumEventAgeInSeconds", "Member must have value between 60 and 86400")
	}
	return nil
}

type removeTargetsInput struct {
	Rule         string
	EventBusName string
	Ids          []string
	Force        bool
}

func (s *Service) removeTargets(_ context.Context, in *removeTargetsInput) (*putTargetsOutput, error) {
	if len(in.Ids) == 0 || len(in.Ids) > 100 {
		return nil, constraint("ids", "Member must have length less than or equal to 100 and greater than or equal to 1")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	for _, id := range in.Ids {
		if i, _ := r.target(id); i >= 0 {
			r.targets = append(r.targets[:i:i], r.targets[i+1:]...)
		}
	}
	return &putTargetsOutput{FailedEntries: []failedTarget{}}, nil
}

type listTargetsByRuleInput struct {
	Rule         string
	EventBusName string
	NextToken    string
	Limit        int
}

type listTargetsByRuleOutput struct {
	Targets   []*ruleTarget
	NextToken string `json:",omitempty"`
}

func (s *Service) listTargetsByRule(_ context.Context, in *listTargetsByRuleInput) (*listTargetsByRuleOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, err := s.lookupRule(in.Rule, in.EventBusName)
	if err != nil {
		return nil, err
	}
	page, next, err := paginate(r.targets, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listTargetsByRuleOutput{Targets: make([]*ruleTarget, 0, len(page)), NextToken: next}
	for _, t := range page {
		copied := *t
		out.Targets = append(out.Targets, &copied)
	}
	return out, nil
}

type listRuleNamesByTargetInput struct {
	TargetArn    string
	EventBusName string
	NextToken    string
	Limit        int
}

type listRuleNamesByTargetOutput struct {
	RuleNames []string
	NextToken string `json:",omitempty"`
}

func (s *Service) listRuleNamesByTarget(_ context.Context, in *listRuleNamesByTargetInput) (*listRuleNamesByTargetOutput, error) {
	if in.TargetArn == "" {
		return nil, awsproto.ValidationError("Parameter TargetArn is required.")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	bn := busName(in.EventBusName)
	b := s.buses[bn]
	if b == nil {
		return nil, busNotFound(bn)
	}
	var names []string
	for n, r := range b.rules {
		for _, t := range r.targets {
			if t.Arn == in.TargetArn {
				names = append(names, n)
				break
			}
		}
	}
	sort.Strings(names)
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	return &listRuleNamesByTargetOutput{RuleNames: append([]string{}, page...), NextToken: next}, nil
}

package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types EventBridge owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::Events::EventBus":       provisioner{s.createBusResource, s.deleteBusResource},
		"AWS::Events::Rule":           provisioner{s.createRuleResource, s.deleteRuleResource},
		"AWS::Events::Archive":        provisioner{s.createArchiveResource, s.deleteArchiveResource},
		"AWS::Events::EventBusPolicy": provisioner{s.createPolicyResource, s.deletePolicyResource},
	}
}

type provisioner struct {
	create func(context.Context, cfnresource.Request) (cfnresource.Resource, error)
	del    func(context.Context, cfnresource.Request, cfnresource.Resource) error
}

func (p provisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	return p.create(ctx, req)
}

func (p provisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	return p.del(ctx, req, res)
}

func (s *Service) createBusResource(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	name := propString(req.Properties, "Name")
	out, err := s.createEventBus(ctx, &createEventBusInput{Name: name, Description: propString(req.Properties, "Description")})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create event bus %s: %w", name, err)
	}
	return cfnresource.Resource{PhysicalID: name, Attributes: map[string]any{"Arn": out.EventBusArn, "Name": name}}, nil
}

func (s *Service) deleteBusResource(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	_, err := s.deleteEventBus(ctx, &describeEventBusInput{Name: res.PhysicalID})
	return err
}

// createRuleResource creates the rule and its targets, all or nothing. Its
// Ref is the rule name on the default bus and "bus|rule" on others, as
// CloudFormation answers (cloudformation-coverage-roadmap#1131).
func (s *Service) createRuleResource(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	p := req.Properties
	name := propString(p, "Name")
	if name == "" {
		name = req.GeneratedName(64)
	}
	pattern, err := propJSON(p, "EventPattern")
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("rule %s: EventPattern: %w", name, err)
	}
	bus := busName(propString(p, "EventBusName"))
	out, err := s.putRule(ctx, &putRuleInput{Name: name, EventBusName: bus, EventPattern: pattern,
		ScheduleExpression: propString(p, "ScheduleExpression"), State: propString(p, "State"),
		Description: propString(p, "Description"), RoleArn: propString(p, "RoleArn")})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create rule %s: %w", name, err)
	}
	if raw, ok := p["Targets"]; ok {
		if err := s.putRuleTargets(ctx, name, bus, raw); err != nil {
			_, _ = s.deleteRule(ctx, &deleteRuleInput{Name: name, EventBusName: bus})
			return cfnresource.Resource{}, fmt.Errorf("rule %s: %w", name, err)
		}
	}
	ref := name
	if bus != DefaultBus {
		ref = bus + "|" + name
	}
	return cfnresource.Resource{PhysicalID: ref, Attributes: map[string]any{"Arn": out.RuleArn}}, nil
}

func (s *Service) putRuleTargets(ctx context.Context, rule, bus string, raw any) error {
	list, _ := raw.([]any)
	for _, t := range list {
		if m, ok := t.(map[string]any); ok {
			if rp, ok := m["RetryPolicy"].(map[string]any); ok {
				numberProps(rp, "MaximumRetryAttempts", "MaximumEventAgeInSeconds")
			}
		}
	}
	enc, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("Targets: %w", err)
	}
	var targets []*ruleTarget
	if err := json.Unmarshal(enc, &targets); err != nil {
		return fmt.Errorf("Targets: %w", err)
	}
	if len(targets) == 0 {
		return nil
	}
	out, err := s.putTargets(ctx, &putTargetsInput{Rule: rule, EventBusName: bus, Targets: targets})
	if err != nil {
		return fmt.Errorf("put targets: %w", err)
	}
	if out.FailedEntryCount > 0 {
		f := out.FailedEntries[0]
		return fmt.Errorf("target %s: %s: %s", f.TargetId, f.ErrorCode, f.ErrorMessage)
	}
	return nil
}

func (s *Service) deleteRuleResource(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	bus, name := DefaultBus, res.PhysicalID
	if b, n, ok := strings.Cut(res.PhysicalID, "|"); ok {
		bus, name = b, n
	}
	s.mu.Lock()
	if r, err := s.lookupRule(name, bus); err == nil {
		r.targets = nil
	}
	s.mu.Unlock()
	_, err := s.deleteRule(ctx, &deleteRuleInput{Name: name, EventBusName: bus})
	return err
}

func (s *Service) createArchiveResource(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	p := req.Properties
	name := propString(p, "ArchiveName")
	if name == "" {
		name = req.GeneratedName(48)
	}
	pattern, err := propJSON(p, "EventPattern")
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("archive %s: EventPattern: %w", name, err)
	}
	numberProps(p, "RetentionDays")
	days, _ := p["RetentionDays"].(float64)
	out, err := s.createArchive(ctx, &createArchiveInput{ArchiveName: name, EventSourceArn: propString(p, "SourceArn"),
		Description: propString(p, "Description"), EventPattern: pattern, RetentionDays: int(days)})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create archive %s: %w", name, err)
	}
	return cfnresource.Resource{PhysicalID: name, Attributes: map[string]any{"Arn": out.ArchiveArn, "ArchiveName": name}}, nil
}

func (s *Service) deleteArchiveResource(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	_, err := s.deleteArchive(ctx, &archiveNameInput{ArchiveName: res.PhysicalID})
	return err
}

// createPolicyResource adds a statement to a bus's policy, from Statement
// or from Action, Principal and Condition.
func (s *Service) createPolicyResource(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	p := req.Properties
	sid := propString(p, "StatementId")
	bus := propString(p, "EventBusName")
	if st, ok := p["Statement"].(map[string]any); ok {
		st["Sid"] = sid
		doc, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{st}})
		if err != nil {
			return cfnresource.Resource{}, fmt.Errorf("event bus policy %s: %w", sid, err)
		}
		if err := s.addPolicyStatements(busName(bus), string(doc)); err != nil {
			return cfnresource.Resource{}, fmt.Errorf("event bus policy %s: %w", sid, err)
		}
	} else {
		cond, _ := json.Marshal(p["Condition"])
		if p["Condition"] == nil {
			cond = nil
		}
		if _, err := s.putPermission(ctx, &putPermissionInput{EventBusName: bus, StatementId: sid,
			Action: propString(p, "Action"), Principal: propString(p, "Principal"), Condition: cond}); err != nil {
			return cfnresource.Resource{}, fmt.Errorf("event bus policy %s: %w", sid, err)
		}
	}
	return cfnresource.Resource{PhysicalID: sid, Attributes: map[string]any{}}, nil
}

// addPolicyStatements adds a policy document's statements to a bus's
// policy, keeping the others.
func (s *Service) addPolicyStatements(bus, policy string) error {
	var doc struct{ Statement []map[string]json.RawMessage }
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[bus]
	if b == nil {
		return busNotFound(bus)
	}
	for _, st := range doc.Statement {
		var sid string
		_ = json.Unmarshal(st["Sid"], &sid)
		b.policy[sid], _ = json.Marshal(st)
	}
	return nil
}

func (s *Service) deletePolicyResource(_ context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.buses[busName(propString(req.Properties, "EventBusName"))]; b != nil {
		delete(b.policy, res.PhysicalID)
	}
	return nil
}

func propString(p map[string]any, key string) string {
	switch v := p[key].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// propJSON returns a Json property as text: CloudFormation takes an object
// or a string holding one.
func propJSON(p map[string]any, key string) (string, error) {
	switch v := p[key].(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		b, err := json.Marshal(v)
		return string(b), err
	}
}

// numberProps turns numeric properties that arrive as strings or
// json.Numbers (parameters, resolved intrinsics) into float64.
func numberProps(p map[string]any, keys ...string) {
	for _, k := range keys {
		switch v := p[k].(type) {
		case string:
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				p[k] = f
			}
		case json.Number:
			if f, err := v.Float64(); err == nil {
				p[k] = f
			}
		}
	}
}

package diagnose

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// eventsPrincipal is the service principal EventBridge invokes targets as.
const eventsPrincipal = "events.amazonaws.com"

// patternRules lists the rules of a bus that match events by pattern;
// rules a service manages for itself (ManagedBy: archives, …) are left out.
func (d *Diagnoser) patternRules(ctx context.Context, bus string) ([]ebtypes.Rule, error) {
	var out []ebtypes.Rule
	in := &eventbridge.ListRulesInput{EventBusName: aws.String(bus)}
	for {
		page, err := d.events.ListRules(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListRules %s: %w", bus, err)
		}
		for _, r := range page.Rules {
			if aws.ToString(r.ManagedBy) == "" && aws.ToString(r.EventPattern) != "" {
				out = append(out, r)
			}
		}
		if page.NextToken == nil {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}

// routeEvent follows event on bus: the rules whose patterns match it, or
// the nearest misses and the fields their patterns reject; then each
// matching rule's targets. The flow holds when one matching rule reaches
// all its targets; otherwise the first matching rule's broken link is the
// report's.
func (d *Diagnoser) routeEvent(ctx context.Context, r *report, bus string, event []byte, ev *evidence) error {
	rules, err := d.patternRules(ctx, bus)
	if err != nil {
		return r.couldNotCheck(ctx, "rule", bus, err)
	}
	var matched, missed []ebtypes.Rule
	untested := false
	for _, rule := range rules {
		ok, err := d.matches(ctx, aws.ToString(rule.EventPattern), event)
		switch {
		case err != nil:
			if err := r.couldNotCheck(ctx, "rule", aws.ToString(rule.Name), err); err != nil {
				return err
			}
			untested = true
		case ok:
			matched = append(matched, rule)
		default:
			missed = append(missed, rule)
		}
	}
	if len(matched) == 0 {
		if untested {
			return nil // a rule that could not be tested may be the one
		}
		return d.nearestMisses(ctx, r, bus, missed, event)
	}
	return r.firstHealthy(len(matched), func(i int, sub *report) (bool, error) {
		return d.followRule(ctx, sub, matched[i], ev)
	})
}

// nearestMisses names the rules that come closest to matching (the fewest
// rejected fields) among those that share a value with the event, and the
// fields their patterns reject.
func (d *Diagnoser) nearestMisses(ctx context.Context, r *report, bus string, missed []ebtypes.Rule, event []byte) error {
	type miss struct {
		rule       string
		rejections []rejection
	}
	var misses []miss
	values := leafStrings(event)
	unexplained := false
	for _, rule := range missed {
		if !sharesValue(aws.ToString(rule.EventPattern), values) {
			continue // a rule for other events altogether
		}
		rej, err := d.rejections(ctx, aws.ToString(rule.EventPattern), event)
		if err != nil {
			if err := r.couldNotCheck(ctx, "rule", aws.ToString(rule.Name), err); err != nil {
				return err
			}
			unexplained = true
			continue
		}
		misses = append(misses, miss{aws.ToString(rule.Name), rej})
	}
	switch {
	case len(misses) == 0 && unexplained:
		r.broken("rule", bus, "no rule on event bus %s matches the event", bus)
		return nil
	case len(misses) == 0:
		r.broken("rule", bus, "no rule on event bus %s matches the event, and none names any of its values", bus)
		return nil
	}
	sort.SliceStable(misses, func(i, j int) bool { return len(misses[i].rejections) < len(misses[j].rejections) })
	var parts []string
	for _, m := range misses {
		if len(m.rejections) > len(misses[0].rejections) || len(parts) == 3 {
			break
		}
		var why []string
		for _, rej := range m.rejections {
			why = append(why, rej.String())
		}
		parts = append(parts, fmt.Sprintf("rule %s: %s", m.rule, strings.Join(why, "; ")))
	}
	r.broken("rule", misses[0].rule, "no rule on event bus %s matches the event; the nearest: %s", bus, strings.Join(parts, " | "))
	return nil
}

// followRule checks a matching rule: enabled, with targets, each of which
// the rule can deliver to; with evidence, what its deliveries left behind.
// It reports whether no link is broken.
func (d *Diagnoser) followRule(ctx context.Context, r *report, rule ebtypes.Rule, ev *evidence) (bool, error) {
	name := aws.ToString(rule.Name)
	if rule.State == ebtypes.RuleStateDisabled {
		r.broken("rule", name, "rule %s matches the event but is DISABLED", name)
		return false, nil
	}
	r.ok("rule", name, "matches the event")
	targets, err := d.events.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name, EventBusName: rule.EventBusName})
	if err != nil {
		return true, r.couldNotCheck(ctx, "rule target", name, err)
	}
	if len(targets.Targets) == 0 {
		r.broken("rule target", name, "rule %s matches the event but has no target", name)
		return false, nil
	}
	for _, t := range targets.Targets {
		ok, err := d.checkTarget(ctx, r, rule, t)
		if err != nil || !ok {
			return false, err
		}
	}
	if ev == nil {
		return true, nil
	}
	for _, t := range targets.Targets {
		ok, err := d.targetEvidence(ctx, r, rule, t, ev)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// checkTarget checks that EventBridge may deliver to a target: a
// function's resource policy must allow the rule; a target with a role
// needs the role to allow the target service's action.
func (d *Diagnoser) checkTarget(ctx context.Context, r *report, rule ebtypes.Rule, t ebtypes.Target) (bool, error) {
	ruleName, target := aws.ToString(rule.Name), aws.ToString(t.Arn)
	if role := aws.ToString(t.RoleArn); role != "" {
		if action := deliveryAction(target); action != "" {
			return d.checkRole(ctx, r, "rule "+ruleName+"'s target role", role, []string{action}, target)
		}
	}
	if arnService(target) != "lambda" {
		r.ok("rule target", target, "target of rule "+ruleName)
		return true, nil
	}
	out, err := d.lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(target)})
	var missing *lambdatypes.ResourceNotFoundException
	var policy resourcePolicy
	switch {
	case errors.As(err, &missing):
		// No policy at all (or no function: the delivery fails either way).
	case err != nil:
		return true, r.couldNotCheck(ctx, "invoke permission", target, err)
	default:
		if err := jsonUnmarshal(aws.ToString(out.Policy), &policy); err != nil {
			return true, r.couldNotCheck(ctx, "invoke permission", target, fmt.Errorf("the resource policy of %s: %w", target, err))
		}
	}
	if !policy.allowsService(eventsPrincipal, "lambda:InvokeFunction", target, aws.ToString(rule.Arn), arnAccount(aws.ToString(rule.Arn))) {
		r.broken("invoke permission", target, "function %s's resource policy does not allow rule %s (%s) to invoke it", arnResourceName(target), ruleName, eventsPrincipal)
		return false, nil
	}
	r.ok("invoke permission", target, "rule "+ruleName+" may invoke it")
	return true, nil
}

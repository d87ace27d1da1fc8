package diagnose

import (
	"encoding/json"
	"slices"
	"strings"
)

// resourcePolicy is the part of a resource-based policy (a Lambda
// function's) the diagnosis reads.
type resourcePolicy struct {
	Statement []policyStatement
}

type policyStatement struct {
	Effect    string
	Principal json.RawMessage
	Action    json.RawMessage
	Resource  json.RawMessage
	Condition map[string]map[string]json.RawMessage
}

// allowsService tells whether the policy lets an AWS service principal
// perform action on resource on behalf of sourceARN (a rule), as the
// service would be authorized: an Allow naming the service (or "*"), the
// action and the resource, whose aws:SourceArn and aws:SourceAccount
// conditions, if any, hold. Conditions on other keys are not judged (they
// count as holding), so the check errs on the side of "allowed".
func (p resourcePolicy) allowsService(service, action, resource, sourceARN, sourceAccount string) bool {
	for _, st := range p.Statement {
		if st.Effect != "Allow" || !st.namesService(service) || !anyGlob(stringsOf(st.Action), action) {
			continue
		}
		if len(st.Resource) > 0 && !anyGlob(stringsOf(st.Resource), resource) {
			continue
		}
		if st.conditionsHold(map[string]string{"aws:sourcearn": sourceARN, "aws:sourceaccount": sourceAccount}) {
			return true
		}
	}
	return false
}

func (st policyStatement) namesService(service string) bool {
	if s := stringsOf(st.Principal); len(s) == 1 && s[0] == "*" {
		return true
	}
	var byType map[string]json.RawMessage
	if json.Unmarshal(st.Principal, &byType) != nil {
		return false
	}
	for _, s := range stringsOf(byType["Service"]) {
		if s == service {
			return true
		}
	}
	for _, s := range stringsOf(byType["AWS"]) {
		if s == "*" {
			return true
		}
	}
	return false
}

// conditionsHold checks the conditions on the keys in known; operators
// are Arn/String Equals/Like (with IfExists), the ones Lambda permissions
// use.
func (st policyStatement) conditionsHold(known map[string]string) bool {
	for op, keys := range st.Condition {
		base := strings.TrimSuffix(strings.ToLower(op), "ifexists")
		for key, raw := range keys {
			value, ok := known[strings.ToLower(key)]
			if !ok {
				continue
			}
			values := stringsOf(raw)
			switch base {
			case "arnequals", "stringequals":
				if !slices.Contains(values, value) {
					return false
				}
			case "arnlike", "stringlike":
				if !anyGlob(values, value) {
					return false
				}
			}
		}
	}
	return true
}

// stringsOf reads a policy element that is a string or a list of strings.
func stringsOf(raw json.RawMessage) []string {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}
	}
	var many []string
	_ = json.Unmarshal(raw, &many)
	return many
}

func anyGlob(patterns []string, s string) bool {
	for _, p := range patterns {
		if glob(strings.ToLower(p), strings.ToLower(s)) {
			return true
		}
	}
	return false
}

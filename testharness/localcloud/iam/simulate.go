package iam

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
)

// SimulatePrincipalPolicy evaluates a role's identity-based policies (and
// the ResourcePolicy given, if any) for each action on the resources given,
// as the IAM policy simulator does (IAM API Reference,
// SimulatePrincipalPolicy and EvaluationResult): one EvaluationResult per
// action, its decision the most restrictive over the resources, with one
// ResourceSpecificResult per resource ARN given.
//
// Differences (testharness/localcloud/SUPPORT.md): roles only (the local
// cloud has no users or groups); MatchedStatements names the one deciding
// statement's policy, without positions; MissingContextValues is always
// empty; PolicyInputList and permissions boundaries are not read.
func (s *Service) simulatePrincipalPolicy(_ context.Context, params url.Values) (any, error) {
	source := params.Get("PolicySourceArn")
	actions := memberList(params, "ActionNames")
	if source == "" || len(actions) == 0 {
		missing := "policySourceArn"
		if source != "" {
			missing = "actionNames"
		}
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest,
			"1 validation error detected: Value null at '"+missing+"' failed to satisfy constraint: Member must not be null")
	}
	sourceARN, err := arn.Parse(source)
	if err != nil {
		return nil, awsproto.Errorf("InvalidInput", http.StatusBadRequest, "Invalid ARN: %s", source)
	}
	if kind, name, _ := strings.Cut(sourceARN.Resource, "/"); kind != "role" {
		return nil, awsproto.Errorf("NoSuchEntity", http.StatusNotFound, "The %s with name %s cannot be found.", kind, name[strings.LastIndex(name, "/")+1:])
	}
	docs, err := s.RolePolicies(source)
	if err != nil {
		return nil, err
	}
	identity := make([]policy.NamedPolicy, 0, len(docs))
	types := map[string]string{}
	for _, d := range docs {
		if d.Document == nil {
			continue // an AWS managed policy without a shipped document grants nothing
		}
		p, err := policy.FromDocument(d.Document)
		if err != nil {
			return nil, err
		}
		identity = append(identity, policy.NamedPolicy{Name: d.Name, Policy: p})
		types[d.Name] = sourcePolicyType(d)
	}
	var resourcePolicy *policy.Policy
	if doc := params.Get("ResourcePolicy"); doc != "" {
		if resourcePolicy, err = policy.Parse([]byte(doc)); err != nil {
			return nil, err
		}
	}
	resources := memberList(params, "ResourceArns")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	principal := policy.Principal{ARN: source, Account: sourceARN.Account, RoleARN: source}
	keys := contextEntries(params)
	var results members[evaluationResult]
	for _, action := range actions {
		r := evaluationResult{EvalActionName: action, EvalResourceName: "*"}
		if len(resources) == 1 {
			r.EvalResourceName = resources[0]
		}
		for _, resource := range resources {
			req := policy.Request{Principal: principal, Action: action, Resource: resource,
				ResourceAccount: params.Get("ResourceOwner"), Context: keys}
			d := policy.Evaluate(req, identity, resourcePolicy)
			decision, matched := evalDecision(d), matchedStatements(d, types)
			if r.EvalDecision == "" || restrictiveness[decision] > restrictiveness[r.EvalDecision] {
				r.EvalDecision, r.MatchedStatements = decision, matched
			}
			if resource != "*" {
				r.ResourceSpecificResults = append(r.ResourceSpecificResults, resourceResult{
					EvalResourceName: resource, EvalResourceDecision: decision, MatchedStatements: matched})
			}
		}
		results.Members = append(results.Members, r)
	}
	return result{{"EvaluationResults", results}, {"IsTruncated", false}}, nil
}

type evaluationResult struct {
	EvalActionName          string             `xml:"EvalActionName"`
	EvalResourceName        string             `xml:"EvalResourceName"`
	EvalDecision            string             `xml:"EvalDecision"`
	MatchedStatements       members[statement] `xml:"MatchedStatements"`
	MissingContextValues    members[string]    `xml:"MissingContextValues"`
	ResourceSpecificResults []resourceResult   `xml:"ResourceSpecificResults>member,omitempty"`
}

type resourceResult struct {
	EvalResourceName     string             `xml:"EvalResourceName"`
	EvalResourceDecision string             `xml:"EvalResourceDecision"`
	MatchedStatements    members[statement] `xml:"MatchedStatements"`
	MissingContextValues members[string]    `xml:"MissingContextValues"`
}

// statement is IAM's Statement data type: which policy decided.
type statement struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType"`
}

// restrictiveness orders decisions: the aggregate over resources is the
// most restrictive (IAM API Reference, EvaluationResult).
var restrictiveness = map[string]int{"allowed": 0, "implicitDeny": 1, "explicitDeny": 2}

func evalDecision(d policy.Decision) string {
	switch {
	case d.Allowed:
		return "allowed"
	case d.Reason == policy.ExplicitDenyIdentity || d.Reason == policy.ExplicitDenyResource:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// matchedStatements names the deciding statement's policy; an implicit
// deny has none.
func matchedStatements(d policy.Decision, types map[string]string) members[statement] {
	switch d.Reason {
	case policy.AllowedByIdentity, policy.ExplicitDenyIdentity:
		return members[statement]{Members: []statement{{SourcePolicyID: d.Policy, SourcePolicyType: types[d.Policy]}}}
	case policy.AllowedByResource, policy.ExplicitDenyResource:
		return members[statement]{Members: []statement{{SourcePolicyID: "ResourcePolicy", SourcePolicyType: "resource"}}}
	}
	return members[statement]{}
}

// sourcePolicyType is IAM's PolicySourceType of a role's policy: "role"
// for an inline policy, "aws-managed" or "user-managed" for a managed one.
func sourcePolicyType(d PolicyDocument) string {
	switch {
	case d.ManagedARN == "":
		return "role"
	case strings.HasPrefix(d.ManagedARN, "arn:aws:iam::aws:policy/"):
		return "aws-managed"
	}
	return "user-managed"
}

// memberList reads a query-protocol list: Name.member.1, Name.member.2, …
func memberList(params url.Values, name string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := params[name+".member."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// contextEntries reads ContextEntries.member.N.{ContextKeyName,
// ContextKeyValues.member.M} into condition keys.
func contextEntries(params url.Values) map[string][]string {
	out := map[string][]string{}
	for i := 1; ; i++ {
		prefix := "ContextEntries.member." + strconv.Itoa(i) + "."
		key := params.Get(prefix + "ContextKeyName")
		if key == "" {
			return out
		}
		out[key] = memberList(params, prefix+"ContextKeyValues")
	}
}

package policy

import (
	"strings"
)

// Principal is who makes a request.
type Principal struct {
	// ARN is the caller: arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	// for a role session, arn:aws:iam::ACCOUNT:root for the account.
	ARN     string
	Account string
	// RoleARN and SessionName are set for a role session.
	RoleARN     string
	SessionName string
	// Service is set when an AWS service acts as itself
	// ("events.amazonaws.com" delivering to a Lambda function): only a
	// resource-based policy can allow it.
	Service string
}

// Request is one authorization question.
type Request struct {
	Principal Principal
	// Action is "service:Operation", as policies name it ("s3:PutObject").
	Action string
	// Resource is the ARN acted on, or "*" for actions without resource.
	Resource string
	// ResourceAccount owns the resource; empty means the principal's.
	ResourceAccount string
	// Context holds condition keys (case-insensitive) and their values:
	// aws:SourceArn, aws:SourceAccount, aws:SecureTransport,
	// aws:CurrentTime, s3:prefix… aws:PrincipalArn, aws:PrincipalAccount
	// and aws:PrincipalServiceName default from Principal.
	Context map[string][]string
}

// NamedPolicy is an identity-based policy with the name it is known by.
type NamedPolicy struct {
	Name   string
	Policy *Policy
}

// Reason says why a decision went the way it did; AWS's AccessDenied
// messages name it.
type Reason int

// The reasons.
const (
	AllowedByIdentity Reason = iota + 1
	AllowedByResource
	ExplicitDenyIdentity
	ExplicitDenyResource
	// NoIdentityAllow: nothing allows (the usual implicit deny).
	NoIdentityAllow
	// NoResourceAllow: the resource's policy must allow and does not (a
	// service principal, or another account's principal).
	NoResourceAllow
)

// Decision is the outcome of Evaluate.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Policy and Sid identify the deciding statement, when one decided
	// (Policy is "" for the resource-based policy).
	Policy, Sid string
}

// Evaluate decides req against the principal's identity-based policies
// and the resource's policy (nil when it has none), following IAM's
// evaluation logic: an explicit deny anywhere wins; an AWS service acting
// as itself needs the resource policy's allow; a principal of another
// account needs both an identity and a resource allow; within the account,
// either allows. An allow that names only the account in a resource policy
// delegates to identity policies and does not allow by itself.
func Evaluate(req Request, identity []NamedPolicy, resource *Policy) Decision {
	ctx := evalContext{req: &req, action: strings.ToLower(req.Action)}
	var identityAllow, resourceAllow, accountAllow *Decision
	for _, np := range identity {
		if np.Policy == nil {
			continue
		}
		for i := range np.Policy.Statements {
			st := &np.Policy.Statements[i]
			if !st.appliesTo(&ctx) {
				continue
			}
			if st.Effect == Deny {
				return Decision{Reason: ExplicitDenyIdentity, Policy: np.Name, Sid: st.Sid}
			}
			if identityAllow == nil {
				identityAllow = &Decision{Allowed: true, Reason: AllowedByIdentity, Policy: np.Name, Sid: st.Sid}
			}
		}
	}
	if resource != nil {
		for i := range resource.Statements {
			st := &resource.Statements[i]
			match := st.principalMatch(&req.Principal)
			if match == noPrincipal || !st.appliesTo(&ctx) {
				continue
			}
			if st.Effect == Deny {
				return Decision{Reason: ExplicitDenyResource, Sid: st.Sid}
			}
			d := &Decision{Allowed: true, Reason: AllowedByResource, Sid: st.Sid}
			if match == directPrincipal && resourceAllow == nil {
				resourceAllow = d
			} else if accountAllow == nil {
				accountAllow = d
			}
		}
	}
	crossAccount := req.ResourceAccount != "" && req.ResourceAccount != req.Principal.Account
	switch {
	case req.Principal.Service != "":
		if resourceAllow != nil {
			return *resourceAllow
		}
		return Decision{Reason: NoResourceAllow}
	case crossAccount:
		if identityAllow == nil {
			return Decision{Reason: NoIdentityAllow}
		}
		if resourceAllow == nil && accountAllow == nil {
			return Decision{Reason: NoResourceAllow}
		}
		return *identityAllow
	case resourceAllow != nil:
		return *resourceAllow
	case identityAllow != nil:
		return *identityAllow
	}
	return Decision{Reason: NoIdentityAllow}
}

// Message renders a denial as AWS words it in AccessDenied errors, e.g.
//
//	User: arn:aws:sts::000000000000:assumed-role/R/S is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/T because no identity-based policy allows the dynamodb:PutItem action
//
// S3 quotes the resource ("arn:aws:s3:::bucket/key"), as its responses do
// (quoted in aws-samples/serverless-patterns#2457 and
// aws-ia/terraform-aws-bedrock#41).
func Message(req Request, d Decision) string {
	resource := req.Resource
	if service, _, _ := strings.Cut(req.Action, ":"); strings.EqualFold(service, "s3") {
		resource = `"` + resource + `"`
	}
	who := req.Principal.ARN
	if who == "" {
		who = req.Principal.Service
	}
	msg := "User: " + who + " is not authorized to perform: " + req.Action + " on resource: " + resource
	switch d.Reason {
	case ExplicitDenyIdentity:
		return msg + " with an explicit deny in an identity-based policy"
	case ExplicitDenyResource:
		return msg + " with an explicit deny in a resource-based policy"
	case NoResourceAllow:
		return msg + " because no resource-based policy allows the " + req.Action + " action"
	}
	return msg + " because no identity-based policy allows the " + req.Action + " action"
}

type principalMatch int

const (
	noPrincipal principalMatch = iota
	accountPrincipal
	directPrincipal
)

// principalMatch tells whether a resource policy statement names the
// principal, directly or only by its account. Identity-based statements
// have no Principal and always apply to their principal.
func (st *Statement) principalMatch(p *Principal) principalMatch {
	if st.NotPrincipal != nil {
		if st.NotPrincipal.names(p) != noPrincipal {
			return noPrincipal
		}
		return directPrincipal
	}
	if st.Principal == nil {
		return noPrincipal
	}
	return st.Principal.names(p)
}

func (ps *Principals) names(p *Principal) principalMatch {
	if ps.Any {
		return directPrincipal
	}
	if p.Service != "" {
		for _, s := range ps.Other["Service"] {
			if s == p.Service {
				return directPrincipal
			}
		}
		return noPrincipal
	}
	best := noPrincipal
	for _, a := range ps.AWS {
		switch {
		case a == p.ARN || (p.RoleARN != "" && a == p.RoleARN):
			return directPrincipal
		case a == p.Account || a == "arn:aws:iam::"+p.Account+":root":
			if p.ARN == "arn:aws:iam::"+p.Account+":root" {
				return directPrincipal
			}
			best = accountPrincipal
		}
	}
	return best
}

// appliesTo tells whether the statement's action, resource and conditions
// match the request.
func (st *Statement) appliesTo(ctx *evalContext) bool {
	req := ctx.req
	matched := false
	for _, a := range st.Actions {
		if matchAction(a, ctx.action) {
			matched = true
			break
		}
	}
	if matched == st.NotAction {
		return false
	}
	if st.Resources != nil {
		matched = false
		for _, r := range st.Resources {
			if st.variables {
				var ok bool
				if r, ok = ctx.substitute(r); !ok {
					continue
				}
			}
			if matchARN(r, req.Resource) {
				matched = true
				break
			}
		}
		if matched == st.NotResource {
			return false
		}
	}
	for i := range st.Conditions {
		c := &st.Conditions[i]
		values, present := ctx.lookup(c.Key)
		policyValues := c.Values
		if st.variables {
			policyValues = ctx.substituteAll(c.Values)
		}
		if !c.eval(values, present, policyValues) {
			return false
		}
	}
	return true
}

// evalContext answers condition keys for one request.
type evalContext struct {
	req *Request
	// action is the request's action, lowercased once.
	action string
}

// lookup finds a condition key, case-insensitively, falling back to the
// global keys the principal defines.
func (c *evalContext) lookup(key string) ([]string, bool) {
	if v, ok := c.req.Context[key]; ok {
		return v, true
	}
	for k, v := range c.req.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	p := &c.req.Principal
	switch key {
	case "aws:principalarn":
		if p.RoleARN != "" {
			return []string{p.RoleARN}, true
		}
		if p.ARN != "" {
			return []string{p.ARN}, true
		}
	case "aws:principalaccount":
		if p.Account != "" && p.Service == "" {
			return []string{p.Account}, true
		}
	case "aws:principalservicename":
		if p.Service != "" {
			return []string{p.Service}, true
		}
	}
	return nil, false
}

// substitute replaces ${key} policy variables (and the escapes ${*},
// ${?}, ${$}) with the request's values; ok is false when a variable has no
// value, which makes the element match nothing, as IAM documents. A
// variable may give a default: ${aws:username, 'none'}.
func (c *evalContext) substitute(s string) (string, bool) {
	var b strings.Builder
	for {
		start := strings.Index(s, "${")
		if start < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		end := strings.IndexByte(s[start:], '}')
		if end < 0 {
			b.WriteString(s)
			return b.String(), true
		}
		b.WriteString(s[:start])
		name := s[start+2 : start+end]
		s = s[start+end+1:]
		switch name {
		case "*", "?", "$":
			b.WriteString(name)
			continue
		}
		key, def, hasDefault := strings.Cut(name, ",")
		if v, ok := c.lookup(strings.ToLower(strings.TrimSpace(key))); ok && len(v) > 0 {
			b.WriteString(v[0])
		} else if hasDefault {
			b.WriteString(strings.Trim(strings.TrimSpace(def), "'"))
		} else {
			return "", false
		}
	}
}

func (c *evalContext) substituteAll(values []string) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		if s, ok := c.substitute(v); ok {
			out = append(out, s)
		}
	}
	return out
}

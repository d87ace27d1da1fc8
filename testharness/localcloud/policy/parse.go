// Package policy parses IAM policy documents and evaluates requests against
// them as IAM does (IAM User Guide, "Policy evaluation logic"): an explicit
// Deny in any policy wins; otherwise, within one account, an Allow in an
// identity-based or a resource-based policy allows; otherwise the request
// is implicitly denied. Decisions carry the reason AWS names in its
// AccessDenied messages, and Message renders them in AWS's words.
//
// Policies are compiled once (Parse, FromDocument) and evaluated many times
// without allocation-heavy work, since every request through the local
// cloud's gateway is evaluated.
package policy

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Effect is a statement's Allow or Deny.
type Effect bool

// The two effects.
const (
	Deny  Effect = false
	Allow Effect = true
)

// Policy is a compiled policy document.
type Policy struct {
	Version    string
	ID         string
	Statements []Statement
}

// Statement is one compiled statement.
type Statement struct {
	Sid    string
	Effect Effect
	// Principal and NotPrincipal (resource-based policies only); nil when
	// absent.
	Principal, NotPrincipal *Principals
	// Actions are lowercase patterns; NotAction marks them as excluded.
	Actions   []string
	NotAction bool
	// Resources are ARN patterns; NotResource marks them as excluded. A
	// statement without either (a trust policy) matches every resource.
	Resources   []string
	NotResource bool
	Conditions  []Condition
	// variables tells whether Resource or Condition values use ${…}
	// policy variables (Version 2012-10-17 only).
	variables bool
}

// Principals is a Principal element: "*" or a map of principal type (AWS,
// Service, Federated, CanonicalUser) to values.
type Principals struct {
	Any   bool
	AWS   []string
	Other map[string][]string
}

// malformed is IAM's answer to a document it cannot accept.
func malformed(format string, args ...any) error {
	return awsproto.Errorf("MalformedPolicyDocument", http.StatusBadRequest, format, args...)
}

// Parse compiles a JSON policy document.
func Parse(doc []byte) (*Policy, error) {
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		return nil, malformed("Syntax errors in policy: %v", err)
	}
	return FromDocument(m)
}

// FromDocument compiles a policy already decoded from JSON, as the IAM
// store keeps them.
func FromDocument(doc map[string]any) (*Policy, error) {
	if doc == nil {
		return nil, malformed("Syntax errors in policy: the document is not a JSON object.")
	}
	p := &Policy{}
	var ok bool
	if v, has := doc["Version"]; has {
		if p.Version, ok = v.(string); !ok || (p.Version != "2012-10-17" && p.Version != "2008-10-17") {
			return nil, malformed("The policy failed legacy parsing: invalid Version %v", v)
		}
	}
	if v, has := doc["Id"]; has {
		p.ID, _ = v.(string)
	}
	var raw []any
	switch s := doc["Statement"].(type) {
	case []any:
		raw = s
	case map[string]any:
		raw = []any{s}
	case nil:
		return nil, malformed("Missing required field Statement")
	default:
		return nil, malformed("Statement must be an object or an array of objects")
	}
	for i, r := range raw {
		m, ok := r.(map[string]any)
		if !ok {
			return nil, malformed("Statement %d is not an object", i)
		}
		st, err := parseStatement(m, p.Version == "2012-10-17")
		if err != nil {
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, st)
	}
	return p, nil
}

func parseStatement(m map[string]any, variables bool) (Statement, error) {
	var st Statement
	st.Sid, _ = m["Sid"].(string)
	switch m["Effect"] {
	case "Allow":
		st.Effect = Allow
	case "Deny":
		st.Effect = Deny
	case nil:
		return st, malformed("Missing required field Effect")
	default:
		return st, malformed("Invalid effect: %v", m["Effect"])
	}
	var err error
	if st.Actions, st.NotAction, err = pair(m, "Action", "NotAction", true); err != nil {
		return st, err
	}
	for i, a := range st.Actions {
		if a != "*" && !strings.Contains(a, ":") {
			return st, malformed("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
		}
		st.Actions[i] = strings.ToLower(a)
	}
	if st.Resources, st.NotResource, err = pair(m, "Resource", "NotResource", false); err != nil {
		return st, err
	}
	if st.Principal, err = parsePrincipal(m["Principal"]); err != nil {
		return st, err
	}
	if st.NotPrincipal, err = parsePrincipal(m["NotPrincipal"]); err != nil {
		return st, err
	}
	if st.Conditions, err = parseConditions(m["Condition"]); err != nil {
		return st, err
	}
	if variables {
		for _, r := range st.Resources {
			st.variables = st.variables || strings.Contains(r, "${")
		}
		for _, c := range st.Conditions {
			for _, v := range c.Values {
				st.variables = st.variables || strings.Contains(v, "${")
			}
		}
	}
	return st, nil
}

// pair reads an element that comes with its Not form (Action/NotAction):
// exactly one may be given; required says whether one must be.
func pair(m map[string]any, name, notName string, required bool) ([]string, bool, error) {
	v, has := m[name]
	nv, hasNot := m[notName]
	switch {
	case has && hasNot:
		return nil, false, malformed("Statement cannot have both %s and %s", name, notName)
	case has:
		s, err := stringList(v, name)
		return s, false, err
	case hasNot:
		s, err := stringList(nv, notName)
		return s, true, err
	case required:
		return nil, false, malformed("Policy statement must contain actions.")
	}
	return nil, false, nil
}

// stringList reads a string or a list of strings.
func stringList(v any, name string) ([]string, error) {
	switch x := v.(type) {
	case string:
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, malformed("%s values must be strings", name)
			}
			out = append(out, s)
		}
		return out, nil
	case []string:
		return append([]string(nil), x...), nil
	}
	return nil, malformed("%s must be a string or a list of strings", name)
}

func parsePrincipal(v any) (*Principals, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		if x != "*" {
			return nil, malformed("Invalid principal in policy: %q", x)
		}
		return &Principals{Any: true}, nil
	case map[string]any:
		p := &Principals{}
		types := make([]string, 0, len(x))
		for t := range x {
			types = append(types, t)
		}
		sort.Strings(types)
		for _, t := range types {
			values, err := stringList(x[t], "Principal "+t)
			if err != nil {
				return nil, err
			}
			if t == "AWS" {
				p.AWS = values
				for _, a := range values {
					p.Any = p.Any || a == "*"
				}
				continue
			}
			if p.Other == nil {
				p.Other = map[string][]string{}
			}
			p.Other[t] = values
		}
		return p, nil
	}
	return nil, malformed("Invalid principal in policy")
}

// Package iamgrant lists the IAM grants of a synthesized template, one
// action of one statement at a time, and takes one out of a copy, for
// tests that show each grant needed: without it, the flow that uses it is
// denied, as on AWS.
package iamgrant

import (
	"path"
	"sort"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
)

// Grant is one action of one statement of a role's policy.
type Grant struct {
	Owner    string // who acts with the role: a handler package's name, "pipe", "statemachine"
	RoleID   string // the role's logical id
	PolicyID string // the AWS::IAM::Policy attached to the role that holds it; "" for the role's own Policies
	Sid      string
	Action   string
}

func (g Grant) String() string { return g.Owner + "/" + g.Sid + "/" + g.Action }

// List lists every action of every statement the template grants its
// roles, in the roles' own policies and in the AWS::IAM::Policy resources
// attached to them, with the part of the app that acts with the role.
func List(tb testing.TB, tmpl assemblyedit.Template) []Grant {
	tb.Helper()
	owners := RoleOwners(tb, tmpl)
	var out []Grant
	add := func(roleID, policyID string, doc any) {
		for _, st := range statements(doc) {
			sid, _ := st["Sid"].(string)
			for _, action := range actionsOf(st) {
				out = append(out, Grant{Owner: owners[roleID], RoleID: roleID, PolicyID: policyID, Sid: sid, Action: action})
			}
		}
	}
	for id, role := range tmpl.ResourcesOfType(tb, "AWS::IAM::Role") {
		policies, _ := role["Properties"].(map[string]any)["Policies"].([]any)
		for _, p := range policies {
			add(id, "", p.(map[string]any)["PolicyDocument"])
		}
	}
	for id, policy := range tmpl.ResourcesOfType(tb, "AWS::IAM::Policy") {
		props := policy["Properties"].(map[string]any)
		roles, _ := props["Roles"].([]any)
		for _, r := range roles {
			ref, _ := r.(map[string]any)["Ref"].(string)
			if ref == "" {
				tb.Fatalf("policy %s names a role by %v, not Ref", id, r)
			}
			add(ref, id, props["PolicyDocument"])
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].String() < out[j].String() })
	return out
}

// RoleOwners names each role by what assumes it: the function built from
// a handler package (by the package's name), the pipe, the state machine.
func RoleOwners(tb testing.TB, tmpl assemblyedit.Template) map[string]string {
	tb.Helper()
	owners := map[string]string{}
	roleOf := func(v any) string {
		getAtt, _ := v.(map[string]any)["Fn::GetAtt"].([]any)
		if len(getAtt) == 0 {
			tb.Fatalf("role reference %v is not Fn::GetAtt", v)
		}
		return getAtt[0].(string)
	}
	for _, fn := range tmpl.ResourcesOfType(tb, "AWS::Lambda::Function") {
		meta, _ := fn["Metadata"].(map[string]any)
		pkg, _ := meta[lambda.MetadataGoPackage].(string)
		if pkg == "" { // built ahead: the directory ends in the package's path
			pkg, _ = meta[lambda.MetadataCodeDir].(string)
		}
		owners[roleOf(fn["Properties"].(map[string]any)["Role"])] = path.Base(pkg)
	}
	for _, p := range tmpl.Resources() {
		body, _ := p.(map[string]any)
		switch body["Type"] {
		case "AWS::Pipes::Pipe":
			owners[roleOf(body["Properties"].(map[string]any)["RoleArn"])] = "pipe"
		case "AWS::StepFunctions::StateMachine":
			owners[roleOf(body["Properties"].(map[string]any)["RoleArn"])] = "statemachine"
		}
	}
	return owners
}

// Remove takes g's action out of its statement in the template, and the
// statement once no action is left.
func Remove(tb testing.TB, tmpl assemblyedit.Template, g Grant) {
	tb.Helper()
	var docs []any
	if g.PolicyID != "" {
		docs = append(docs, tmpl.ResourcesOfType(tb, "AWS::IAM::Policy")[g.PolicyID]["Properties"].(map[string]any)["PolicyDocument"])
	} else {
		role := tmpl.ResourcesOfType(tb, "AWS::IAM::Role")[g.RoleID]
		for _, p := range role["Properties"].(map[string]any)["Policies"].([]any) {
			docs = append(docs, p.(map[string]any)["PolicyDocument"])
		}
	}
	for _, d := range docs {
		doc := d.(map[string]any)
		var kept []any
		for _, st := range statements(doc) {
			if st["Sid"] == g.Sid {
				var rest []any
				for _, a := range actionsOf(st) {
					if a != g.Action {
						rest = append(rest, a)
					}
				}
				if len(rest) == 0 {
					continue
				}
				st["Action"] = rest
			}
			kept = append(kept, st)
		}
		doc["Statement"] = kept
	}
}

func statements(doc any) []map[string]any {
	var out []map[string]any
	switch s := doc.(map[string]any)["Statement"].(type) {
	case []any:
		for _, st := range s {
			out = append(out, st.(map[string]any))
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

func actionsOf(st map[string]any) []string {
	switch a := st["Action"].(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, len(a))
		for i, v := range a {
			out[i] = v.(string)
		}
		return out
	}
	return nil
}

// headActions are the IAM actions of reads made with HEAD, whose denial
// has no body to carry AWS's message: a 403 is all the client sees (S3
// API Reference, HeadObject: "you must have the s3:GetObject permission").
var headActions = map[string]string{"S3 HeadObject": "s3:GetObject"}

// DiagnosisDenied tells whether a diagnosis's report and error show AWS's
// denial of action: a link left unchecked on it, or the diagnosis failing
// with it. Otherwise it returns what the diagnosis could not do (its
// error, the links it left unchecked), for the test's failure message.
func DiagnosisDenied(r diagnose.Report, err error, action string) (bool, []string) {
	denial := "is not authorized to perform: " + action
	var others []string
	if err != nil {
		if strings.Contains(err.Error(), denial) {
			return true, nil
		}
		others = append(others, err.Error())
	}
	for _, f := range r.Path {
		if f.Unchecked == nil {
			continue
		}
		u := *f.Unchecked
		if strings.Contains(u.Message, denial) || strings.Contains(f.Detail, denial) ||
			u.StatusCode == 403 && headActions[u.Operation] == action {
			return true, nil
		}
		others = append(others, f.Detail)
	}
	return false, others
}

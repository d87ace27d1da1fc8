package lambda

import (
	"encoding/json"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// statement is one grant of a function's resource-based policy, as
// AddPermission and AWS::Lambda::Permission create it.
type statement struct {
	Sid           string
	Action        string
	Principal     string // a service ("events.amazonaws.com"), an account, an ARN or "*"
	SourceARN     string // may hold * and ? wildcards (ArnLike)
	SourceAccount string
}

// invokeRequestor is who asks to invoke through a resource policy.
type invokeRequestor struct {
	principal     string // the calling service's principal
	sourceARN     string
	sourceAccount string
}

// allows tells whether a policy lets r invoke the function. It is the
// small part of IAM evaluation that resource policies of Lambda need until
// the IAM engine exists: an Allow statement for lambda:InvokeFunction (or
// lambda:*, *) whose principal is the caller and whose conditions hold.
func allows(policy []statement, r invokeRequestor) bool {
	for _, st := range policy {
		if actionMatches(st.Action) && principalMatches(st.Principal, r.principal) &&
			// A SourceArn condition fails when the caller names no source.
			(st.SourceARN == "" || (r.sourceARN != "" && globMatch(st.SourceARN, r.sourceARN))) &&
			(st.SourceAccount == "" || st.SourceAccount == r.sourceAccount) {
			return true
		}
	}
	return false
}

func actionMatches(action string) bool {
	a := strings.ToLower(action)
	return a == "lambda:invokefunction" || a == "lambda:*" || a == "*"
}

func principalMatches(granted, caller string) bool {
	return granted == "*" || strings.EqualFold(granted, caller)
}

// globMatch is ArnLike: * matches any run of characters (slashes and
// colons too), ? exactly one.
func globMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case p < len(pattern) && pattern[p] == '*':
			star, mark, p = p, i, p+1
		case star >= 0:
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// policyDocument renders a function's policy as GetPolicy returns it.
func policyDocument(functionARN string, policy []statement) string {
	type doc struct {
		Version   string
		Id        string
		Statement []map[string]any
	}
	d := doc{Version: "2012-10-17", Id: "default"}
	for _, st := range policy {
		d.Statement = append(d.Statement, statementDocument(functionARN, st))
	}
	b, _ := json.Marshal(d)
	return string(b)
}

func statementDocument(functionARN string, st statement) map[string]any {
	m := map[string]any{
		"Sid": st.Sid, "Effect": "Allow", "Action": st.Action, "Resource": functionARN,
		"Principal": principalDocument(st.Principal),
	}
	cond := map[string]any{}
	if st.SourceARN != "" {
		cond["ArnLike"] = map[string]string{"AWS:SourceArn": st.SourceARN}
	}
	if st.SourceAccount != "" {
		cond["StringEquals"] = map[string]string{"AWS:SourceAccount": st.SourceAccount}
	}
	if len(cond) > 0 {
		m["Condition"] = cond
	}
	return m
}

func principalDocument(p string) any {
	switch {
	case p == "*":
		return "*"
	case strings.HasSuffix(p, ".amazonaws.com") || strings.HasSuffix(p, ".amazonaws.com.cn"):
		return map[string]string{"Service": p}
	case !strings.HasPrefix(p, "arn:"):
		return map[string]string{"AWS": "arn:" + arn.Partition + ":iam::" + p + ":root"}
	default:
		return map[string]string{"AWS": p}
	}
}

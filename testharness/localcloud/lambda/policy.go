package lambda

import (
	"encoding/json"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
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

// allows tells whether a function's resource-based policy lets r invoke
// it: the document GetPolicy returns, evaluated by the IAM engine as an AWS
// service principal's request (only the resource policy can allow it; its
// conditions see aws:SourceArn and aws:SourceAccount).
func allows(functionARN string, statements []statement, r invokeRequestor) bool {
	p, err := policy.Parse([]byte(policyDocument(functionARN, statements)))
	if err != nil {
		return false
	}
	keys := map[string][]string{}
	if r.sourceARN != "" {
		keys["aws:SourceArn"] = []string{r.sourceARN}
	}
	if r.sourceAccount != "" {
		keys["aws:SourceAccount"] = []string{r.sourceAccount}
	}
	req := policy.Request{Principal: policy.Principal{Service: r.principal}, Action: "lambda:InvokeFunction",
		Resource: functionARN, Context: keys}
	return policy.Evaluate(req, nil, p).Allowed
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

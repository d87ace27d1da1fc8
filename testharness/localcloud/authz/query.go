package authz

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// queryRule maps a query-protocol service's Action to its IAM resource;
// the action is prefix:Action. A nil resources function means the
// operation needs no permission (STS GetCallerIdentity).
type queryService struct {
	prefix   string
	resource func(action string, params url.Values) (string, bool)
}

func (s queryService) targets(r *http.Request, body []byte) ([]target, error) {
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.URL.Query() {
		params[k] = append(params[k], v...)
	}
	action := params.Get("Action")
	if action == "" {
		return nil, nil
	}
	resource, needed := s.resource(action, params)
	if !needed {
		return nil, nil
	}
	return []target{{s.prefix + ":" + action, resource}}, nil
}

// iamService: role operations act on the role ARN; SimulatePrincipalPolicy
// on the principal whose policies it simulates (Service Authorization
// Reference, IAM: resource types role, user, group).
var iamService = queryService{prefix: "iam", resource: func(_ string, p url.Values) (string, bool) {
	if source := p.Get("PolicySourceArn"); source != "" {
		return source, true
	}
	if name := p.Get("RoleName"); name != "" {
		return arn.Global("iam", "role/"+name), true
	}
	return "*", true
}}

// stsService: AssumeRole acts on the role; GetCallerIdentity needs no
// permission (STS API Reference: "No permissions are required").
var stsService = queryService{prefix: "sts", resource: func(action string, p url.Values) (string, bool) {
	switch action {
	case "GetCallerIdentity":
		return "", false
	case "AssumeRole":
		return p.Get("RoleArn"), true
	}
	return "*", true
}}

// cloudformationService: stack operations act on the stack ARN
// (arn:…:stack/NAME/ID, any id).
var cloudformationService = queryService{prefix: "cloudformation", resource: func(_ string, p url.Values) (string, bool) {
	name := p.Get("StackName")
	switch {
	case name == "":
		return "*", true
	case strings.HasPrefix(name, "arn:"):
		return name, true
	}
	return arn.New("cloudformation", "stack/"+name+"/*"), true
}}

package cloudformation

import (
	"fmt"
	"strings"
)

// ssmParameterType marks parameters whose value is the name of an SSM
// parameter whose value CloudFormation reads at deploy time.
const ssmParameterType = "AWS::SSM::Parameter::Value<"

// BootstrapVersionParameter is the SSM parameter CDK templates read their
// bootstrap version from; the local cloud answers it with
// DefaultBootstrapVersion, since nothing is bootstrapped locally.
const (
	BootstrapVersionParameter = "/cdk-bootstrap/hnb659fds/version"
	DefaultBootstrapVersion   = "30"
)

// Parameter is a stack parameter's resolved value, as DescribeStacks lists
// it.
type Parameter struct {
	Key   string
	Value string
	// ResolvedValue is the SSM parameter's value for SSM-typed parameters.
	ResolvedValue string
	NoEcho        bool
}

// resolveParameters takes given values, then defaults, and resolves SSM
// parameter types; it returns what Ref answers (a string, or a list for
// List<…>/CommaDelimitedList types) and the list DescribeStacks shows.
func resolveParameters(t *template, given map[string]string, ssm map[string]string) (map[string]any, []Parameter, error) {
	for name := range given {
		if _, ok := t.Parameters[name]; !ok {
			return nil, nil, fmt.Errorf("Parameters: [%s] do not exist in the template", name)
		}
	}
	refs := map[string]any{}
	var described []Parameter
	var missing []string
	for _, name := range sortedKeys(t.Parameters) {
		decl := t.Parameters[name]
		value, ok := given[name]
		if !ok {
			if decl.Default == nil {
				missing = append(missing, name)
				continue
			}
			value, _ = scalarString(decl.Default)
		}
		if len(decl.AllowedValues) > 0 && !allowed(value, decl.AllowedValues) {
			return nil, nil, fmt.Errorf("Parameter '%s' must be one of AllowedValues", name)
		}
		p := Parameter{Key: name, Value: value, NoEcho: isTrue(decl.NoEcho)}
		resolved := value
		if strings.HasPrefix(decl.Type, ssmParameterType) {
			v, ok := ssm[value]
			if !ok {
				return nil, nil, fmt.Errorf("Unable to fetch parameters [%s] from parameter store for this account.", value)
			}
			resolved, p.ResolvedValue = v, v
		}
		described = append(described, p)
		if strings.HasPrefix(decl.Type, "List<") || decl.Type == "CommaDelimitedList" || strings.HasPrefix(decl.Type, ssmParameterType+"List<") {
			var list []any
			for _, e := range strings.Split(resolved, ",") {
				list = append(list, strings.TrimSpace(e))
			}
			refs[name] = list
			continue
		}
		refs[name] = resolved
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return refs, described, nil
}

func allowed(v string, values []any) bool {
	for _, a := range values {
		if s, ok := scalarString(a); ok && s == v {
			return true
		}
	}
	return false
}

func isTrue(v any) bool {
	s, _ := scalarString(v)
	return strings.EqualFold(s, "true")
}

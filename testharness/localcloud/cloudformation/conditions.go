package cloudformation

import (
	"fmt"
)

// evaluateConditions evaluates the template's Conditions section, each
// condition once, following {"Condition": name} references.
func (r *resolver) evaluateConditions() error {
	r.conditions = map[string]bool{}
	for _, name := range sortedKeys(r.tmpl.Conditions) {
		if _, err := r.namedCondition(name, map[string]bool{}); err != nil {
			return err
		}
	}
	return nil
}

func (r *resolver) namedCondition(name string, visiting map[string]bool) (bool, error) {
	if v, ok := r.conditions[name]; ok {
		return v, nil
	}
	expr, ok := r.tmpl.Conditions[name]
	if !ok {
		return false, templateErrorf("Conditions", "Template format error: Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
	}
	if visiting[name] {
		return false, templateErrorf("Conditions."+name, "Template error: circular dependency between conditions: [%s]", name)
	}
	visiting[name] = true
	v, err := r.condition(expr, "Conditions."+name, visiting)
	if err != nil {
		return false, err
	}
	r.conditions[name] = v
	return v, nil
}

// condition evaluates a condition function: Fn::Equals, Fn::And, Fn::Or,
// Fn::Not or {"Condition": name}.
func (r *resolver) condition(expr any, path string, visiting map[string]bool) (bool, error) {
	if visiting == nil {
		visiting = map[string]bool{}
	}
	m, ok := expr.(map[string]any)
	if !ok || len(m) != 1 {
		return false, templateErrorf(path, "Template format error: Conditions can only be boolean operations on parameters and other conditions")
	}
	for fn, arg := range m {
		switch fn {
		case "Condition":
			name, ok := arg.(string)
			if !ok {
				return false, templateErrorf(path, "Template format error: Condition must be a string")
			}
			return r.namedCondition(name, visiting)
		case "Fn::Equals":
			a, ok := arg.([]any)
			if !ok || len(a) != 2 {
				return false, templateErrorf(path, "Template error: every Fn::Equals object requires a list of 2 string parameters.")
			}
			left, err := r.resolve(a[0], path+".Fn::Equals[0]")
			if err != nil {
				return false, err
			}
			right, err := r.resolve(a[1], path+".Fn::Equals[1]")
			if err != nil {
				return false, err
			}
			return describeScalar(left) == describeScalar(right), nil
		case "Fn::Not":
			a, ok := arg.([]any)
			if !ok || len(a) != 1 {
				return false, templateErrorf(path, "Template error: Fn::Not requires a list argument with one function token")
			}
			v, err := r.condition(a[0], path+".Fn::Not", visiting)
			return !v, err
		case "Fn::And", "Fn::Or":
			a, ok := arg.([]any)
			if !ok || len(a) < 2 || len(a) > 10 {
				return false, templateErrorf(path, "Template error: %s requires a list argument with between 2 and 10 conditions", fn)
			}
			result := fn == "Fn::And"
			for i, e := range a {
				v, err := r.condition(e, fmt.Sprintf("%s.%s[%d]", path, fn, i), visiting)
				if err != nil {
					return false, err
				}
				if fn == "Fn::And" {
					result = result && v
				} else {
					result = result || v
				}
			}
			return result, nil
		}
		return false, templateErrorf(path, "Template format error: Conditions can only be boolean operations on parameters and other conditions (got %s)", fn)
	}
	return false, nil
}

// describeScalar renders a value for Fn::Equals, which compares strings.
func describeScalar(v any) string {
	if s, ok := scalarString(v); ok {
		return s
	}
	return describe(v)
}

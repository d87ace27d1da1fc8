package cloudformation

import (
	"sort"
	"strings"
)

// references returns the names v refers to through Ref, Fn::GetAtt and
// Fn::Sub (parameters, pseudo parameters and resources alike), both
// branches of an Fn::If included, as CloudFormation counts dependencies.
func references(v any, into map[string]bool) {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			for k, arg := range t {
				switch k {
				case "Ref":
					if s, ok := arg.(string); ok {
						into[s] = true
					}
				case "Fn::GetAtt":
					switch a := arg.(type) {
					case string:
						res, _, _ := strings.Cut(a, ".")
						into[res] = true
					case []any:
						if len(a) > 0 {
							if s, ok := a[0].(string); ok {
								into[s] = true
							}
						}
					}
				case "Fn::Sub":
					subReferences(arg, into)
					return
				}
			}
		}
		for _, e := range t {
			references(e, into)
		}
	case []any:
		for _, e := range t {
			references(e, into)
		}
	}
}

func subReferences(arg any, into map[string]bool) {
	var format string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		format = a
	case []any:
		if len(a) == 2 {
			format, _ = a[0].(string)
			vars, _ = a[1].(map[string]any)
			references(a[1], into)
		}
	}
	for _, tok := range subTokens(format) {
		if !tok.variable {
			continue
		}
		if _, ok := vars[tok.text]; ok {
			continue
		}
		name, _, _ := strings.Cut(tok.text, ".")
		into[name] = true
	}
}

// dependencies returns, for each active resource, the active resources it
// depends on (DependsOn and references in its properties), or the
// template's unresolved names.
func dependencies(t *template, active map[string]bool, params map[string]any) (map[string][]string, error) {
	deps := map[string][]string{}
	for _, id := range sortedKeys(t.Resources) {
		if !active[id] {
			continue
		}
		r := t.Resources[id]
		refs := map[string]bool{}
		references(r.Properties, refs)
		for _, d := range r.dependsOn() {
			if _, ok := t.Resources[d]; !ok {
				return nil, templateErrorf("Resources."+id+".DependsOn", "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", d)
			}
			refs[d] = true
		}
		var list []string
		for _, name := range sortedKeys(refs) {
			if _, isResource := t.Resources[name]; isResource {
				if active[name] && name != id {
					list = append(list, name)
				}
				if name == id {
					return nil, &TemplateError{Message: "Circular dependency between resources: [" + id + "]"}
				}
				continue
			}
			if _, isParam := params[name]; isParam || strings.HasPrefix(name, "AWS::") {
				continue
			}
			return nil, templateErrorf("Resources."+id+".Properties", "Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name)
		}
		deps[id] = list
	}
	return deps, nil
}

// creationOrder sorts resources so that each comes after what it depends
// on (ties by logical id), or names the resources on a cycle as
// CloudFormation does.
func creationOrder(deps map[string][]string) ([]string, error) {
	indegree := map[string]int{}
	dependents := map[string][]string{}
	for id, ds := range deps {
		indegree[id] += 0
		for _, d := range ds {
			indegree[id]++
			dependents[d] = append(dependents[d], id)
		}
	}
	var ready, order []string
	for id, n := range indegree {
		if n == 0 {
			ready = append(ready, id)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		id := ready[0]
		ready = ready[1:]
		order = append(order, id)
		for _, dep := range dependents[id] {
			indegree[dep]--
			if indegree[dep] == 0 {
				ready = append(ready, dep)
			}
		}
	}
	if len(order) == len(deps) {
		return order, nil
	}
	return nil, &TemplateError{Message: "Circular dependency between resources: [" + strings.Join(onCycles(deps, indegree), ", ") + "]"}
}

// onCycles returns the resources left after a topological sort, less those
// that only depend on a cycle without being on one.
func onCycles(deps map[string][]string, indegree map[string]int) []string {
	left := map[string]bool{}
	for id, n := range indegree {
		if n > 0 {
			left[id] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for id := range left {
			needed := false
			for other := range left {
				for _, d := range deps[other] {
					if d == id {
						needed = true
					}
				}
			}
			if !needed {
				delete(left, id)
				changed = true
			}
		}
	}
	return sortedKeys(left)
}

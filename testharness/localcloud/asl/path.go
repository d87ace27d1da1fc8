package asl

import (
	"fmt"
	"strings"

	"github.com/ohler55/ojg/jp"
)

// Path is a compiled JSONPath as ASL uses it: "$..." applies to the state's
// input (or effective input), "$$..." to the context object. Reference paths
// (ResultPath, the Variable of a Choice rule, ...Path fields) are restricted
// to definite paths; the others may select many nodes, in which case the
// result is an array.
type Path struct {
	raw      string
	context  bool
	expr     jp.Expr
	definite bool
}

// compilePath parses an ASL path; it accepts "$", "$.a.b", "$['a'][0]",
// slices, wildcards, filters and recursive descent, and "$$" for the
// context object.
func compilePath(s string) (*Path, error) {
	p := &Path{raw: s}
	src := s
	if strings.HasPrefix(s, "$$") {
		p.context = true
		src = s[1:]
	}
	if !strings.HasPrefix(src, "$") {
		return nil, fmt.Errorf("path %q must start with '$'", s)
	}
	x, err := jp.ParseString(src)
	if err != nil {
		return nil, fmt.Errorf("invalid JSONPath %q: %w", s, err)
	}
	p.expr = x
	p.definite = true
	for _, f := range x {
		switch f.(type) {
		case jp.Root, jp.Child, jp.Nth, jp.Bracket:
		default:
			p.definite = false
		}
	}
	return p, nil
}

// compileReferencePath parses a path that must select exactly one node.
func compileReferencePath(s string) (*Path, error) {
	p, err := compilePath(s)
	if err != nil {
		return nil, err
	}
	if !p.definite {
		return nil, fmt.Errorf("%q is not a valid reference path: only '$', '.name', \"['name']\" and '[index]' are allowed", s)
	}
	return p, nil
}

func (p *Path) String() string { return p.raw }

// get evaluates the path. ok is false when a definite path selects nothing;
// an indefinite path always succeeds with a (possibly empty) array.
func (p *Path) get(input, ctxObj any) (any, bool) {
	data := input
	if p.context {
		data = ctxObj
	}
	if len(p.expr) == 1 {
		return data, true
	}
	res := p.expr.Get(data)
	if !p.definite {
		if res == nil {
			res = []any{}
		}
		return res, true
	}
	if len(res) == 0 {
		return nil, false
	}
	return res[0], true
}

// set returns a copy of doc with value placed at the reference path,
// creating missing objects on the way (as ResultPath does). Containers on
// the path are copied so values shared with other states or branches are
// never mutated.
func (p *Path) set(doc, value any) (any, error) {
	var steps []jp.Frag
	for _, f := range p.expr {
		switch f.(type) {
		case jp.Root, jp.Bracket:
		default:
			steps = append(steps, f)
		}
	}
	return setIn(doc, steps, value, p.raw)
}

func setIn(doc any, steps []jp.Frag, value any, raw string) (any, error) {
	if len(steps) == 0 {
		return value, nil
	}
	switch f := steps[0].(type) {
	case jp.Child:
		var m map[string]any
		switch d := doc.(type) {
		case map[string]any:
			m = make(map[string]any, len(d)+1)
			for k, v := range d {
				m[k] = v
			}
		case nil:
			m = map[string]any{}
		default:
			return nil, fmt.Errorf("unable to apply ResultPath %q: the path crosses a %s, not an object", raw, jsonTypeName(doc))
		}
		child, err := setIn(m[string(f)], steps[1:], value, raw)
		if err != nil {
			return nil, err
		}
		m[string(f)] = child
		return m, nil
	case jp.Nth:
		a, ok := doc.([]any)
		i := int(f)
		if i < 0 && ok {
			i += len(a)
		}
		if !ok || i < 0 || i >= len(a) {
			return nil, fmt.Errorf("unable to apply ResultPath %q: index %d is out of range", raw, int(f))
		}
		cp := append([]any(nil), a...)
		child, err := setIn(cp[i], steps[1:], value, raw)
		if err != nil {
			return nil, err
		}
		cp[i] = child
		return cp, nil
	}
	return nil, fmt.Errorf("unable to apply ResultPath %q", raw)
}

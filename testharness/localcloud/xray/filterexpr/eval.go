package filterexpr

import (
	"fmt"
	"strings"
)

// node is a compiled expression; eval tests it against facts f (the trace's
// or, inside braces, a node's or an edge's) of trace t.
type node interface {
	eval(f *Facts, t *Trace) bool
}

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ n node }

func (n andNode) eval(f *Facts, t *Trace) bool { return n.l.eval(f, t) && n.r.eval(f, t) }
func (n orNode) eval(f *Facts, t *Trace) bool  { return n.l.eval(f, t) || n.r.eval(f, t) }
func (n notNode) eval(f *Facts, t *Trace) bool { return !n.n.eval(f, t) }

// presentNode is a keyword on its own: a boolean keyword's value, or
// whether any other keyword is set.
type presentNode struct{ f field }

func (n presentNode) eval(f *Facts, _ *Trace) bool {
	if b, ok := n.f.(boolField); ok {
		return b.get(f)
	}
	return len(n.f.values(f)) > 0
}

type compareNode struct {
	f  field
	op string
	v  any
}

func (n compareNode) eval(f *Facts, _ *Trace) bool {
	for _, have := range n.f.values(f) {
		if compare(have, n.op, n.v) {
			return true
		}
	}
	return false
}

// compare applies op to a recorded value and the expression's value; values
// of different types never match.
func compare(have any, op string, want any) bool {
	switch h := have.(type) {
	case bool:
		w, ok := want.(bool)
		if !ok {
			return false
		}
		return op == "=" && h == w || op == "!=" && h != w
	case float64:
		w, ok := want.(float64)
		if !ok {
			return false
		}
		switch op {
		case "=":
			return h == w
		case "!=":
			return h != w
		case "<":
			return h < w
		case "<=":
			return h <= w
		case ">":
			return h > w
		case ">=":
			return h >= w
		}
	case string:
		w, ok := want.(string)
		if !ok {
			return false
		}
		switch op {
		case "=":
			return h == w
		case "!=":
			return h != w
		case "CONTAINS":
			return strings.Contains(h, w)
		case "BEGINSWITH":
			return strings.HasPrefix(h, w)
		case "ENDSWITH":
			return strings.HasSuffix(h, w)
		}
	}
	return false
}

// selector picks service nodes by name and/or id(name, type, account.id);
// an unset selector (service()) picks every node.
type selector struct {
	set                bool
	name, typ, account string
}

func (s selector) matches(f *Facts) bool {
	if !s.set {
		return true
	}
	if s.name != "" && f.Name != s.name && !contains(f.Names, s.name) {
		return false
	}
	return (s.typ == "" || f.Type == s.typ) && (s.account == "" || f.AccountID == s.account)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// serviceNode is service(sel) { filter }: some node matches sel and, if
// there is a filter, its facts satisfy it.
type serviceNode struct {
	sel    selector
	filter node
}

func (n serviceNode) eval(_ *Facts, t *Trace) bool {
	for i := range t.Services {
		s := &t.Services[i]
		if n.sel.matches(s) && (n.filter == nil || n.filter.eval(s, t)) {
			return true
		}
	}
	return false
}

// edgeNode is edge(src, dst) { filter }.
type edgeNode struct {
	src, dst selector
	filter   node
}

func (n edgeNode) eval(_ *Facts, t *Trace) bool {
	for i := range t.Edges {
		e := &t.Edges[i]
		if e.Source < 0 || e.Source >= len(t.Services) || e.Destination < 0 || e.Destination >= len(t.Services) {
			continue
		}
		if n.src.matches(&t.Services[e.Source]) && n.dst.matches(&t.Services[e.Destination]) &&
			(n.filter == nil || n.filter.eval(&e.Facts, t)) {
			return true
		}
	}
	return false
}

// field is a keyword's value source and type rules.
type field interface {
	// check rejects an operator or value the keyword's type does not take.
	check(op string, v any) error
	// values are the keyword's values in f; none when unset.
	values(f *Facts) []any
}

type boolField struct{ get func(*Facts) bool }
type numField struct{ get func(*Facts) (float64, bool) }
type strField struct{ get func(*Facts) []string }
type annotationField string

func (b boolField) values(f *Facts) []any { return []any{b.get(f)} }
func (b boolField) check(op string, v any) error {
	if _, ok := v.(bool); !ok || (op != "=" && op != "!=") {
		return fmt.Errorf("a boolean keyword takes = or != and true or false")
	}
	return nil
}

func (n numField) values(f *Facts) []any {
	if v, ok := n.get(f); ok {
		return []any{v}
	}
	return nil
}
func (n numField) check(op string, v any) error {
	if _, ok := v.(float64); !ok || stringOps[op] {
		return fmt.Errorf("a number keyword takes =, !=, <, <=, > or >= and a number")
	}
	return nil
}

func (s strField) values(f *Facts) []any {
	vs := s.get(f)
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
func (s strField) check(op string, v any) error {
	if _, ok := v.(string); !ok || !(op == "=" || op == "!=" || stringOps[op]) {
		return fmt.Errorf("a string keyword takes =, !=, CONTAINS, BEGINSWITH or ENDSWITH and a quoted string")
	}
	return nil
}

func (a annotationField) values(f *Facts) []any { return f.Annotations[string(a)] }
func (a annotationField) check(op string, v any) error {
	switch v.(type) {
	case bool:
		return boolField{}.check(op, v)
	case float64:
		return numField{}.check(op, v)
	default:
		return strField{}.check(op, v)
	}
}

func one(s string) []string { return []string{s} }

// fields are the simple keywords, lower-cased.
var fields = map[string]field{
	"ok":               boolField{func(f *Facts) bool { return f.Ok }},
	"error":            boolField{func(f *Facts) bool { return f.Error }},
	"fault":            boolField{func(f *Facts) bool { return f.Fault }},
	"throttle":         boolField{func(f *Facts) bool { return f.Throttle }},
	"partial":          boolField{func(f *Facts) bool { return f.Partial }},
	"inferred":         boolField{func(f *Facts) bool { return f.Inferred }},
	"root":             boolField{func(f *Facts) bool { return f.Root }},
	"responsetime":     numField{func(f *Facts) (float64, bool) { return f.ResponseTime, true }},
	"duration":         numField{func(f *Facts) (float64, bool) { return f.Duration, true }},
	"http.status":      numField{func(f *Facts) (float64, bool) { return float64(f.HTTPStatus), f.HTTPStatus != 0 }},
	"http.url":         strField{func(f *Facts) []string { return one(f.HTTPURL) }},
	"http.method":      strField{func(f *Facts) []string { return one(f.HTTPMethod) }},
	"http.useragent":   strField{func(f *Facts) []string { return one(f.HTTPUserAgent) }},
	"http.clientip":    strField{func(f *Facts) []string { return one(f.HTTPClientIP) }},
	"user":             strField{func(f *Facts) []string { return f.Users }},
	"name":             strField{func(f *Facts) []string { return append(one(f.Name), f.Names...) }},
	"type":             strField{func(f *Facts) []string { return one(f.Type) }},
	"message":          strField{func(f *Facts) []string { return f.Messages }},
	"availabilityzone": strField{func(f *Facts) []string { return f.AvailabilityZones }},
	"instance.id":      strField{func(f *Facts) []string { return f.InstanceIDs }},
	"resource.arn":     strField{func(f *Facts) []string { return f.ResourceARNs }},
}

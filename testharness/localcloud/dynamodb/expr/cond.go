package expr

import (
	"bytes"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// Condition is a parsed condition or filter expression.
type Condition interface {
	// Eval tells whether item satisfies the condition; a nil item is an
	// item that does not exist.
	Eval(item attr.Item) bool
}

// operand is what a comparison or function reads: a path, a value, or
// size(path); ok is false when it reads a missing attribute.
type operand interface {
	get(item attr.Item) (v attr.Value, ok bool)
}

type pathOperand struct{ p Path }

func (o pathOperand) get(item attr.Item) (attr.Value, bool) { return o.p.Get(item) }

type valueOperand struct {
	v   attr.Value
	ref string
}

func (o valueOperand) get(attr.Item) (attr.Value, bool) { return o.v, true }

type sizeOperand struct{ p Path }

func (o sizeOperand) get(item attr.Item) (attr.Value, bool) {
	v, ok := o.p.Get(item)
	if !ok {
		return attr.Value{}, false
	}
	switch v.Type {
	case attr.S, attr.B, attr.SS, attr.NS, attr.BS, attr.M, attr.L:
		return attr.Num(attr.MustNumber(itoa(v.Len()))), true
	}
	return attr.Value{}, false
}

type and struct{ l, r Condition }
type or struct{ l, r Condition }
type not struct{ c Condition }

func (c and) Eval(it attr.Item) bool { return c.l.Eval(it) && c.r.Eval(it) }
func (c or) Eval(it attr.Item) bool  { return c.l.Eval(it) || c.r.Eval(it) }
func (c not) Eval(it attr.Item) bool { return !c.c.Eval(it) }

type compare struct {
	op   string
	l, r operand
}

func (c compare) Eval(it attr.Item) bool {
	a, okA := c.l.get(it)
	b, okB := c.r.get(it)
	if !okA || !okB {
		// A missing attribute equals nothing and differs from everything.
		return c.op == "<>"
	}
	switch c.op {
	case "=":
		return a.Equal(b)
	case "<>":
		return !a.Equal(b)
	}
	n, ok := attr.Compare(a, b)
	if !ok {
		return false
	}
	switch c.op {
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	default:
		return n >= 0
	}
}

type between struct{ v, lo, hi operand }

func (c between) Eval(it attr.Item) bool {
	v, ok1 := c.v.get(it)
	lo, ok2 := c.lo.get(it)
	hi, ok3 := c.hi.get(it)
	if !ok1 || !ok2 || !ok3 {
		return false
	}
	a, okA := attr.Compare(lo, v)
	b, okB := attr.Compare(v, hi)
	return okA && okB && a <= 0 && b <= 0
}

type in struct {
	v    operand
	list []operand
}

func (c in) Eval(it attr.Item) bool {
	v, ok := c.v.get(it)
	if !ok {
		return false
	}
	for _, o := range c.list {
		if w, ok := o.get(it); ok && v.Equal(w) {
			return true
		}
	}
	return false
}

type exists struct {
	p    Path
	want bool
}

func (c exists) Eval(it attr.Item) bool {
	_, ok := c.p.Get(it)
	return ok == c.want
}

type typeIs struct {
	p Path
	t attr.Type
}

func (c typeIs) Eval(it attr.Item) bool {
	v, ok := c.p.Get(it)
	return ok && v.Type == c.t
}

type beginsWith struct{ v, prefix operand }

func (c beginsWith) Eval(it attr.Item) bool {
	v, ok1 := c.v.get(it)
	p, ok2 := c.prefix.get(it)
	if !ok1 || !ok2 || v.Type != p.Type {
		return false
	}
	switch v.Type {
	case attr.S:
		return strings.HasPrefix(v.S, p.S)
	case attr.B:
		return bytes.HasPrefix(v.B, p.B)
	}
	return false
}

type contains struct{ v, x operand }

func (c contains) Eval(it attr.Item) bool {
	v, ok1 := c.v.get(it)
	x, ok2 := c.x.get(it)
	if !ok1 || !ok2 {
		return false
	}
	switch v.Type {
	case attr.S:
		return x.Type == attr.S && strings.Contains(v.S, x.S)
	case attr.B:
		return x.Type == attr.B && bytes.Contains(v.B, x.B)
	case attr.SS, attr.NS, attr.BS:
		if x.Type != v.Type.ElemType() {
			return false
		}
		for i := range v.Len() {
			if v.Member(i).Equal(x) {
				return true
			}
		}
	case attr.L:
		for _, e := range v.L {
			if e.Equal(x) {
				return true
			}
		}
	}
	return false
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

package expr

import (
	"fmt"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// KeyPart is one condition of a key condition expression on one key
// attribute: Op is "=", "<", "<=", ">", ">=", "BETWEEN" or "begins_with".
type KeyPart struct {
	Name   string
	Op     string
	Values []attr.Value
}

// Match tells whether v satisfies the part.
func (k KeyPart) Match(v attr.Value) bool {
	switch k.Op {
	case "begins_with":
		return beginsWith{valueOperand{v: v}, valueOperand{v: k.Values[0]}}.Eval(nil)
	case "BETWEEN":
		return between{valueOperand{v: v}, valueOperand{v: k.Values[0]}, valueOperand{v: k.Values[1]}}.Eval(nil)
	}
	return compare{op: k.Op, l: valueOperand{v: v}, r: valueOperand{v: k.Values[0]}}.Eval(nil)
}

// ParseKeyCondition parses a KeyConditionExpression into at most two
// parts, one per key attribute, joined by AND. Which part is the partition
// key is for the caller, who knows the schema.
func ParseKeyCondition(src string, ctx *Context) ([]KeyPart, error) {
	parts, err := parseKeyCondition(src, ctx)
	if err != nil {
		return nil, prefixed("KeyConditionExpression", err)
	}
	return parts, nil
}

func parseKeyCondition(src string, ctx *Context) ([]KeyPart, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, err
	}
	c, err := p.orCond()
	if err == nil {
		err = p.atEnd()
	}
	if err != nil {
		return nil, err
	}
	var parts []KeyPart
	var walk func(Condition) error
	walk = func(c Condition) error {
		switch c := c.(type) {
		case and:
			if err := walk(c.l); err != nil {
				return err
			}
			return walk(c.r)
		case or:
			return &Error{Msg: "Invalid operator used in KeyConditionExpression: OR"}
		case not:
			return &Error{Msg: "Invalid operator used in KeyConditionExpression: NOT"}
		}
		part, err := keyPart(c)
		if err != nil {
			return err
		}
		for _, q := range parts {
			if q.Name == part.Name {
				return &Error{Msg: "KeyConditionExpressions must only contain one condition per key"}
			}
		}
		parts = append(parts, part)
		return nil
	}
	if err := walk(c); err != nil {
		return nil, err
	}
	if len(parts) > 2 {
		return nil, &Error{Msg: "Conditions can be of length 1 or 2 only"}
	}
	return parts, nil
}

func keyPart(c Condition) (KeyPart, error) {
	var name string
	var ops []operand
	var op string
	switch c := c.(type) {
	case compare:
		if c.op == "<>" {
			return KeyPart{}, &Error{Msg: "Unsupported operator in KeyConditionExpression: <>"}
		}
		op, ops = c.op, []operand{c.l, c.r}
	case between:
		op, ops = "BETWEEN", []operand{c.v, c.lo, c.hi}
	case beginsWith:
		op, ops = "begins_with", []operand{c.v, c.prefix}
	default:
		return KeyPart{}, &Error{Msg: fmt.Sprintf("Invalid operator used in KeyConditionExpression: %s", condName(c))}
	}
	path, ok := ops[0].(pathOperand)
	if !ok || len(path.p) != 1 {
		return KeyPart{}, &Error{Msg: "Nested attributes are not supported in KeyConditionExpression"}
	}
	name = path.p[0].Name
	part := KeyPart{Name: name, Op: op}
	for _, o := range ops[1:] {
		v, ok := o.(valueOperand)
		if !ok {
			return KeyPart{}, &Error{Msg: "Operand of a key condition must be an expression attribute value"}
		}
		part.Values = append(part.Values, v.v)
	}
	return part, nil
}

func condName(c Condition) string {
	switch c.(type) {
	case in:
		return "IN"
	case exists:
		return "attribute_exists"
	case typeIs:
		return "attribute_type"
	case contains:
		return "contains"
	}
	return "unknown"
}

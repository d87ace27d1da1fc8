package expr

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// parser reads one expression's tokens. Precedence follows the Developer
// Guide's "Comparison operator and function reference": comparisons, IN,
// BETWEEN and functions bind tightest, then NOT, then AND, then OR.
type parser struct {
	src  string
	toks []token
	i    int
	ctx  *Context
}

// MaxExpressionBytes is DynamoDB's limit on any expression string, counted
// as sent, before substitutions (Developer Guide, "Quotas in Amazon
// DynamoDB", Expression parameters: "The maximum length of any expression
// string is 4 KB").
const MaxExpressionBytes = 4096

func newParser(src string, ctx *Context) (*parser, error) {
	if strings.TrimSpace(src) == "" {
		return nil, &Error{Msg: "The expression can not be empty;"}
	}
	if len(src) > MaxExpressionBytes {
		return nil, &Error{Msg: fmt.Sprintf("Expression size has exceeded the maximum allowed size; expression size: %d", len(src))}
	}
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	return &parser{src: src, toks: toks, ctx: ctx}, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isPunct(s string) bool { t := p.peek(); return t.kind == tPunct && t.text == s }
func (p *parser) isKeyword(kw string) bool {
	t := p.peek()
	return t.kind == tIdent && strings.EqualFold(t.text, kw)
}

// syntaxError is DynamoDB's "Syntax error; token: …, near: …" for the
// token at hand; near spans the tokens before and after it.
func (p *parser) syntaxError() error {
	t := p.peek()
	end := len(p.src)
	if t.kind != tEOF {
		next := p.toks[p.i+1]
		end = next.pos + len(next.text)
		if next.kind == tEOF {
			end = len(p.src)
		}
	}
	from := t.pos
	if p.i > 0 {
		from = p.toks[p.i-1].pos
	}
	return &Error{Msg: fmt.Sprintf("Syntax error; token: %q, near: %q", t.text, strings.TrimSpace(p.src[from:min(len(p.src), end)]))}
}

func (p *parser) expect(s string) error {
	if !p.isPunct(s) {
		return p.syntaxError()
	}
	p.next()
	return nil
}

func (p *parser) atEnd() error {
	if p.peek().kind != tEOF {
		return p.syntaxError()
	}
	return nil
}

// path reads name(.name|[n])*, resolving #placeholders and refusing
// reserved words written bare.
func (p *parser) path() (Path, error) {
	first, err := p.pathName()
	if err != nil {
		return nil, err
	}
	path := Path{{Name: first}}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			n, err := p.pathName()
			if err != nil {
				return nil, err
			}
			path = append(path, PathElem{Name: n})
		case p.isPunct("["):
			p.next()
			t := p.peek()
			if t.kind != tNumber {
				return nil, p.syntaxError()
			}
			p.next()
			idx, err := strconv.Atoi(t.text)
			if err != nil {
				return nil, &Error{Msg: "List index is too large: " + t.text}
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			path = append(path, PathElem{Index: idx, IsIndex: true})
		default:
			return path, nil
		}
	}
}

func (p *parser) pathName() (string, error) {
	t := p.peek()
	switch t.kind {
	case tName:
		p.next()
		return p.ctx.name(t.text)
	case tIdent:
		if IsReserved(t.text) {
			return "", &Error{Msg: "Attribute name is a reserved keyword; reserved keyword: " + t.text}
		}
		if t.text[0] >= '0' && t.text[0] <= '9' {
			return "", p.syntaxError()
		}
		p.next()
		return t.text, nil
	}
	return "", p.syntaxError()
}

func (p *parser) valueRef() (valueOperand, error) {
	t := p.next()
	v, err := p.ctx.value(t.text)
	return valueOperand{v: v, ref: t.text}, err
}

// isCall tells whether the next tokens are "name(".
func (p *parser) isCall() bool {
	return p.peek().kind == tIdent && p.toks[p.i+1].kind == tPunct && p.toks[p.i+1].text == "("
}

// --- conditions

func (p *parser) orCond() (Condition, error) {
	l, err := p.andCond()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("OR") {
		p.next()
		r, err := p.andCond()
		if err != nil {
			return nil, err
		}
		l = or{l, r}
	}
	return l, nil
}

func (p *parser) andCond() (Condition, error) {
	l, err := p.notCond()
	if err != nil {
		return nil, err
	}
	for p.isKeyword("AND") {
		p.next()
		r, err := p.notCond()
		if err != nil {
			return nil, err
		}
		l = and{l, r}
	}
	return l, nil
}

func (p *parser) notCond() (Condition, error) {
	if p.isKeyword("NOT") {
		p.next()
		c, err := p.notCond()
		if err != nil {
			return nil, err
		}
		return not{c}, nil
	}
	return p.primary()
}

func (p *parser) primary() (Condition, error) {
	if p.isPunct("(") {
		p.next()
		c, err := p.orCond()
		if err != nil {
			return nil, err
		}
		return c, p.expect(")")
	}
	if p.isCall() && p.peek().text != "size" {
		return p.condFunction()
	}
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tPunct && isComparator(t.text):
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		return compare{op: t.text, l: l, r: r}, nil
	case p.isKeyword("BETWEEN"):
		p.next()
		lo, err := p.operand()
		if err != nil {
			return nil, err
		}
		if !p.isKeyword("AND") {
			return nil, p.syntaxError()
		}
		p.next()
		hi, err := p.operand()
		if err != nil {
			return nil, err
		}
		if err := checkBounds(lo, hi); err != nil {
			return nil, err
		}
		return between{l, lo, hi}, nil
	case p.isKeyword("IN"):
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		var list []operand
		for {
			o, err := p.operand()
			if err != nil {
				return nil, err
			}
			list = append(list, o)
			if !p.isPunct(",") {
				break
			}
			p.next()
		}
		if len(list) > 100 {
			return nil, &Error{Msg: "The IN operator is provided with too many operands; number of operands: " + itoa(len(list))}
		}
		return in{l, list}, p.expect(")")
	}
	return nil, p.syntaxError()
}

func isComparator(s string) bool {
	switch s {
	case "=", "<>", "<", "<=", ">", ">=":
		return true
	}
	return false
}

// checkBounds rejects BETWEEN :hi AND :lo when both bounds are values.
func checkBounds(lo, hi operand) error {
	a, okA := lo.(valueOperand)
	b, okB := hi.(valueOperand)
	if !okA || !okB {
		return nil
	}
	if c, ok := attr.Compare(a.v, b.v); ok && c > 0 {
		la, _ := a.v.MarshalJSON()
		lb, _ := b.v.MarshalJSON()
		return &Error{Msg: fmt.Sprintf("The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: %s, upper operand: AttributeValue: %s", la, lb)}
	}
	return nil
}

// operand reads a path, a :value or size(path).
func (p *parser) operand() (operand, error) {
	t := p.peek()
	switch {
	case t.kind == tValue:
		return p.valueRef()
	case p.isCall():
		if t.text != "size" {
			if isConditionFunction(t.text) {
				return nil, &Error{Msg: "The function is not allowed to be used this way in an expression; function: " + t.text}
			}
			return nil, &Error{Msg: "Invalid function name; function: " + t.text}
		}
		p.next()
		p.next()
		path, err := p.path()
		if err != nil {
			return nil, err
		}
		return sizeOperand{path}, p.expect(")")
	case t.kind == tName || t.kind == tIdent:
		path, err := p.path()
		return pathOperand{path}, err
	}
	return nil, p.syntaxError()
}

func isConditionFunction(name string) bool {
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains":
		return true
	}
	return false
}

func (p *parser) condFunction() (Condition, error) {
	name := p.next().text
	p.next() // (
	if !isConditionFunction(name) {
		return nil, &Error{Msg: "Invalid function name; function: " + name}
	}
	var args []operand
	for !p.isPunct(")") {
		if len(args) > 0 {
			if err := p.expect(","); err != nil {
				return nil, err
			}
		}
		o, err := p.operand()
		if err != nil {
			return nil, err
		}
		args = append(args, o)
	}
	p.next()
	want := map[string]int{"attribute_exists": 1, "attribute_not_exists": 1, "attribute_type": 2, "begins_with": 2, "contains": 2}[name]
	if len(args) != want {
		return nil, &Error{Msg: fmt.Sprintf("Incorrect number of operands for operator or function; operator or function: %s, number of operands: %d", name, len(args))}
	}
	switch name {
	case "attribute_exists", "attribute_not_exists", "attribute_type":
		path, ok := args[0].(pathOperand)
		if !ok {
			return nil, &Error{Msg: fmt.Sprintf("Operator or function requires a document path; operator or function: %s", name)}
		}
		if name != "attribute_type" {
			return exists{p: path.p, want: name == "attribute_exists"}, nil
		}
		v, ok := args[1].(valueOperand)
		if !ok || v.v.Type != attr.S {
			return nil, &Error{Msg: "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: " + operandType(args[1])}
		}
		t, ok := attr.ParseType(v.v.S)
		if !ok {
			return nil, &Error{Msg: "Invalid attribute type name found; type: " + v.v.S + ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"}
		}
		return typeIs{p: path.p, t: t}, nil
	case "begins_with":
		if v, ok := args[1].(valueOperand); ok && v.v.Type != attr.S && v.v.Type != attr.B {
			return nil, &Error{Msg: "Incorrect operand type for operator or function; operator or function: begins_with, operand type: " + v.v.Type.String()}
		}
		return beginsWith{args[0], args[1]}, nil
	}
	return contains{args[0], args[1]}, nil
}

func operandType(o operand) string {
	if v, ok := o.(valueOperand); ok {
		return v.v.Type.String()
	}
	return "PATH"
}

// ParseCondition parses a condition or filter expression; kind names it
// in errors ("ConditionExpression", "FilterExpression").
func ParseCondition(kind, src string, ctx *Context) (Condition, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, prefixed(kind, err)
	}
	c, err := p.orCond()
	if err == nil {
		err = p.atEnd()
	}
	if err != nil {
		return nil, prefixed(kind, err)
	}
	return c, nil
}

// ParseProjection parses a projection expression: paths separated by
// commas.
func ParseProjection(src string, ctx *Context) (Projection, error) {
	p, err := newParser(src, ctx)
	if err != nil {
		return nil, prefixed("ProjectionExpression", err)
	}
	var out Projection
	for {
		path, err := p.path()
		if err != nil {
			return nil, prefixed("ProjectionExpression", err)
		}
		for _, q := range out {
			if q.overlaps(path) {
				return nil, prefixed("ProjectionExpression", &Error{Msg: fmt.Sprintf(
					"Two document paths overlap with each other; must remove or rewrite one of these paths; path one: %s, path two: %s", q, path)})
			}
		}
		out = append(out, path)
		if !p.isPunct(",") {
			break
		}
		p.next()
	}
	if err := p.atEnd(); err != nil {
		return nil, prefixed("ProjectionExpression", err)
	}
	return out, nil
}

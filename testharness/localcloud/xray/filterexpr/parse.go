// Package filterexpr parses and evaluates X-Ray filter expressions, the
// language of GetTraceSummaries' FilterExpression and of the console's
// trace search.
//
// The grammar follows the X-Ray developer guide's "Using filter
// expressions" (keywords, operators, service()/edge()/id(), annotations).
// The guide gives no formal grammar; these are this package's judgment
// calls where it is silent:
//   - NOT (or !) binds tightest, then AND (also implied between adjacent
//     terms, as in "ok !partial duration <3"), then OR; parentheses group.
//   - Keywords, AND, OR, NOT and CONTAINS/BEGINSWITH/ENDSWITH are
//     case-insensitive (the guide writes both responsetime and
//     responseTime, and "and" inside braces).
//   - A keyword with several values (user, annotation.k across segments)
//     matches when any value satisfies the comparison.
//   - A bare string or number keyword ("http.url", "annotation.age") tests
//     that the field is set.
//
// Not supported (a syntax error that says so): rootcause.*, group.*, json,
// and the keywords that only have meaning inside rootcause selectors
// (first, last, index, coverage, remote).
package filterexpr

import (
	"fmt"
	"strconv"
	"strings"
)

// SyntaxError is a malformed or unsupported expression.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("Invalid filter expression: %s (at character %d)", e.Msg, e.Pos+1)
}

func syntaxErr(pos int, msg string) error { return &SyntaxError{Pos: pos, Msg: msg} }

// Expr is a compiled filter expression.
type Expr struct {
	root node
	src  string
}

// String is the source of the expression.
func (e *Expr) String() string { return e.src }

// Match tells whether the trace satisfies the expression.
func (e *Expr) Match(t *Trace) bool { return e.root.eval(&t.Facts, t) }

// Parse compiles an expression.
func Parse(s string) (*Expr, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	if p.peek().kind == tEOF {
		return nil, syntaxErr(0, "empty expression")
	}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, syntaxErr(t.pos, "unexpected "+t.String())
	}
	return &Expr{root: n, src: s}, nil
}

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) isWord(t token, w string) bool {
	return t.kind == tIdent && strings.EqualFold(t.text, w)
}
func (p *parser) isPunct(t token, c string) bool { return t.kind == tPunct && t.text == c }

func (p *parser) expectPunct(c string) (token, error) {
	t := p.next()
	if !p.isPunct(t, c) {
		return t, syntaxErr(t.pos, fmt.Sprintf("expected %q, found %s", c, t))
	}
	return t, nil
}

func (p *parser) or() (node, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.isWord(p.peek(), "OR") {
		p.next()
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = orNode{left, right}
	}
	return left, nil
}

// and reads terms joined by AND or by nothing at all.
func (p *parser) and() (node, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		switch {
		case p.isWord(t, "AND"):
			p.next()
		case t.kind == tEOF || p.isWord(t, "OR") || p.isPunct(t, ")") || p.isPunct(t, "}") || p.isPunct(t, ","):
			return left, nil
		}
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = andNode{left, right}
	}
}

func (p *parser) unary() (node, error) {
	t := p.peek()
	if p.isPunct(t, "!") || p.isWord(t, "NOT") {
		p.next()
		n, err := p.unary()
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	}
	if p.isPunct(t, "(") {
		p.next()
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		if _, err := p.expectPunct(")"); err != nil {
			return nil, err
		}
		return n, nil
	}
	return p.term()
}

func (p *parser) term() (node, error) {
	t := p.next()
	if t.kind != tIdent {
		return nil, syntaxErr(t.pos, "expected a keyword, found "+t.String())
	}
	kw := strings.ToLower(t.text)
	switch {
	case kw == "service":
		return p.serviceTerm(t)
	case kw == "edge":
		return p.edgeTerm(t)
	case kw == "id":
		sel, err := p.idArgs(t)
		if err != nil {
			return nil, err
		}
		return p.withFilter(serviceNode{sel: sel})
	case strings.HasPrefix(kw, "annotation."):
		key := t.text[len("annotation."):]
		if key == "" {
			return nil, syntaxErr(t.pos, "annotation keyword without a key")
		}
		return p.comparison(t, annotationField(key))
	}
	if f, ok := fields[kw]; ok {
		return p.comparison(t, f)
	}
	if unsupported(kw) {
		return nil, syntaxErr(t.pos, fmt.Sprintf("keyword %q is not supported by the local X-Ray", t.text))
	}
	return nil, syntaxErr(t.pos, fmt.Sprintf("unknown keyword %q", t.text))
}

func unsupported(kw string) bool {
	switch kw {
	case "first", "last", "index", "coverage", "remote", "json", "group.name", "group.arn":
		return true
	}
	return strings.HasPrefix(kw, "rootcause.")
}

// comparison reads what follows a keyword: nothing, or an operator and a
// value of the keyword's type.
func (p *parser) comparison(kwTok token, f field) (node, error) {
	opTok := p.peek()
	var op string
	switch {
	case opTok.kind == tOp:
		op = opTok.text
	case opTok.kind == tIdent && stringOps[strings.ToUpper(opTok.text)]:
		op = strings.ToUpper(opTok.text)
	default:
		return presentNode{f}, nil
	}
	p.next()
	vt := p.next()
	var v any
	switch vt.kind {
	case tString:
		v = vt.text
	case tNumber:
		n, err := strconv.ParseFloat(vt.text, 64)
		if err != nil {
			return nil, syntaxErr(vt.pos, fmt.Sprintf("bad number %q", vt.text))
		}
		v = n
	case tIdent:
		switch strings.ToLower(vt.text) {
		case "true":
			v = true
		case "false":
			v = false
		default:
			v = vt.text // the guide writes name = traces unquoted once
		}
	default:
		return nil, syntaxErr(vt.pos, fmt.Sprintf("expected a value after %s, found %s", op, vt))
	}
	if err := f.check(op, v); err != nil {
		return nil, syntaxErr(opTok.pos, fmt.Sprintf("%s: %v", kwTok.text, err))
	}
	return compareNode{f: f, op: op, v: v}, nil
}

var stringOps = map[string]bool{"CONTAINS": true, "BEGINSWITH": true, "ENDSWITH": true}

// withFilter reads an optional { expression } after a complex keyword.
func (p *parser) withFilter(n serviceNode) (node, error) {
	if !p.isPunct(p.peek(), "{") {
		return n, nil
	}
	p.next()
	inner, err := p.or()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectPunct("}"); err != nil {
		return nil, err
	}
	n.filter = inner
	return n, nil
}

func (p *parser) serviceTerm(kw token) (node, error) {
	if _, err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var sel selector
	if !p.isPunct(p.peek(), ")") {
		var err error
		if sel, err = p.selector(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return p.withFilter(serviceNode{sel: sel})
}

func (p *parser) edgeTerm(kw token) (node, error) {
	if _, err := p.expectPunct("("); err != nil {
		return nil, err
	}
	src, err := p.selector()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectPunct(","); err != nil {
		return nil, err
	}
	dst, err := p.selector()
	if err != nil {
		return nil, err
	}
	if _, err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	n, err := p.withFilter(serviceNode{})
	if err != nil {
		return nil, err
	}
	return edgeNode{src: src, dst: dst, filter: n.(serviceNode).filter}, nil
}

// selector is a quoted service name or id(...).
func (p *parser) selector() (selector, error) {
	t := p.next()
	switch {
	case t.kind == tString:
		return selector{name: t.text, set: true}, nil
	case p.isWord(t, "id"):
		return p.idArgs(t)
	}
	return selector{}, syntaxErr(t.pos, "expected a service name in quotes or id(...), found "+t.String())
}

// idArgs reads (name: "…", type: "…", account.id: "…") after "id".
func (p *parser) idArgs(kw token) (selector, error) {
	if _, err := p.expectPunct("("); err != nil {
		return selector{}, err
	}
	sel := selector{set: true}
	for {
		k := p.next()
		if k.kind != tIdent {
			return selector{}, syntaxErr(k.pos, "expected name, type or account.id in id(), found "+k.String())
		}
		if _, err := p.expectPunct(":"); err != nil {
			return selector{}, err
		}
		v := p.next()
		if v.kind != tString {
			return selector{}, syntaxErr(v.pos, "id() values must be quoted, found "+v.String())
		}
		switch strings.ToLower(k.text) {
		case "name":
			sel.name = v.text
		case "type":
			sel.typ = v.text
		case "account.id":
			sel.account = v.text
		default:
			return selector{}, syntaxErr(k.pos, fmt.Sprintf("unknown id() field %q (want name, type or account.id)", k.text))
		}
		t := p.next()
		if p.isPunct(t, ")") {
			return sel, nil
		}
		if !p.isPunct(t, ",") {
			return selector{}, syntaxErr(t.pos, "expected \",\" or \")\" in id(), found "+t.String())
		}
	}
}

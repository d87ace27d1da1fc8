package logfilter

import "strings"

// tokenKind classifies the tokens inside a JSON ({...}) or space-delimited ([...])
// pattern. Both forms share one lexer and one boolean-expression parser; they differ
// only in what a leaf condition looks like.
type tokenKind uint8

const (
	tWord   tokenKind = iota // selector, field name, keyword or bare value
	tString                  // "quoted value"
	tRegex                   // %regex%
	tOp                      // = != < <= > >=
	tAnd                     // &&
	tOr                      // ||
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokenKind
	text string // unquoted content for tString, regex body for tRegex
}

// lex splits the body of a structured pattern into tokens.
func lex(s string) ([]token, *Error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case isBlank(c):
			i++
		case c == '(':
			toks = append(toks, token{kind: tLParen, text: "("})
			i++
		case c == ')':
			toks = append(toks, token{kind: tRParen, text: ")"})
			i++
		case c == ',':
			toks = append(toks, token{kind: tComma, text: ","})
			i++
		case c == '&' || c == '|':
			if i+1 >= len(s) || s[i+1] != c {
				return nil, invalidTerm(string(c))
			}
			k := tAnd
			if c == '|' {
				k = tOr
			}
			toks = append(toks, token{kind: k, text: s[i : i+2]})
			i += 2
		case c == '=':
			toks = append(toks, token{kind: tOp, text: "="})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{kind: tOp, text: s[i : i+2]})
				i += 2
				continue
			}
			if c == '!' {
				return nil, invalidTerm("!")
			}
			toks = append(toks, token{kind: tOp, text: s[i : i+1]})
			i++
		case c == '"':
			str, n, err := readQuoted(s[i:])
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tString, text: str})
			i += n
		case c == '%':
			end := strings.IndexByte(s[i+1:], '%')
			if end < 0 {
				return nil, invalidPattern("unterminated regular expression")
			}
			toks = append(toks, token{kind: tRegex, text: s[i+1 : i+1+end]})
			i += end + 2
		default:
			start := i
			// A selector keeps quotes so that $."a-b" is reported as AWS does.
			selector := c == '$'
			for i < len(s) && !isBlank(s[i]) && strings.IndexByte("()=!<>&|,%", s[i]) < 0 && (selector || s[i] != '"') {
				i++
			}
			toks = append(toks, token{kind: tWord, text: s[start:i]})
		}
	}
	return toks, nil
}

// boolExpr is a tree of && and || over leaf conditions numbered by the caller.
type boolExpr struct {
	op   byte // 'l' leaf, '&' and, '|' or
	leaf int
	kids []*boolExpr
}

func (e *boolExpr) eval(leaf func(int) bool) bool {
	switch e.op {
	case '&':
		for _, k := range e.kids {
			if !k.eval(leaf) {
				return false
			}
		}
		return true
	case '|':
		for _, k := range e.kids {
			if k.eval(leaf) {
				return true
			}
		}
		return false
	}
	return leaf(e.leaf)
}

// exprParser parses `a || b && (c)` with the documented precedence () > && > ||.
type exprParser struct {
	toks []token
	pos  int
	leaf func(p *exprParser) (int, *Error)
}

func (p *exprParser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *exprParser) next() (token, bool) {
	t, ok := p.peek()
	if ok {
		p.pos++
	}
	return t, ok
}

func (p *exprParser) parseOr() (*boolExpr, *Error) {
	return p.parseChain(tOr, '|', p.parseAnd)
}

func (p *exprParser) parseAnd() (*boolExpr, *Error) {
	return p.parseChain(tAnd, '&', p.parseUnary)
}

func (p *exprParser) parseChain(sep tokenKind, op byte, sub func() (*boolExpr, *Error)) (*boolExpr, *Error) {
	first, err := sub()
	if err != nil {
		return nil, err
	}
	kids := []*boolExpr{first}
	for {
		t, ok := p.peek()
		if !ok || t.kind != sep {
			break
		}
		p.pos++
		k, err := sub()
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &boolExpr{op: op, kids: kids}, nil
}

func (p *exprParser) parseUnary() (*boolExpr, *Error) {
	t, ok := p.peek()
	if !ok {
		return nil, invalidPattern("expected a condition")
	}
	if t.kind == tLParen {
		p.pos++
		e, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if t, ok := p.next(); !ok || t.kind != tRParen {
			return nil, invalidPattern("missing ')'")
		}
		return e, nil
	}
	n, err := p.leaf(p)
	if err != nil {
		return nil, err
	}
	return &boolExpr{op: 'l', leaf: n}, nil
}

// parseAll parses the whole token list as one expression.
func (p *exprParser) parseAll() (*boolExpr, *Error) {
	e, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if t, ok := p.peek(); ok {
		return nil, invalidPattern("unexpected %q", t.text)
	}
	return e, nil
}

package logfilter

import "strings"

// jsonPattern is a { ... } pattern. Its selectors are merged into one path tree so a
// single pass over the message finds every value the conditions need.
type jsonPattern struct {
	root  *pathNode
	nsel  int
	conds []jsonCond
	expr  *boolExpr
}

// jsonCond is one leaf: a comparison, or one of IS NULL / IS TRUE / IS FALSE / NOT EXISTS.
type jsonCond struct {
	sel  int
	test byte // 'c' comparison, 'n' IS NULL, 't' IS TRUE, 'f' IS FALSE, 'x' NOT EXISTS
	cmp  comparison
}

// pathNode is one step of a selector; ids lists the selectors that end here.
type pathNode struct {
	ids   []int
	keys  map[string]*pathNode
	elems []elemChild
}

type elemChild struct {
	index int
	node  *pathNode
}

// maxInlineSelectors is how many selector values a scanner holds without allocating.
const maxInlineSelectors = 8

func (j *jsonPattern) match(msg string) bool {
	var s scanner
	if !s.scan(msg, j.root, j.nsel) {
		return false
	}
	return j.expr.eval(func(i int) bool { return j.conds[i].eval(s.get(j.conds[i].sel)) })
}

func (c *jsonCond) eval(v *jsonValue) bool {
	switch c.test {
	case 'n':
		return v.kind == jNull
	case 't':
		return v.kind == jTrue
	case 'f':
		return v.kind == jFalse
	case 'x':
		return v.kind == jMissing
	}
	// A selector that points to an object or array never matches, for = and != alike
	// (User Guide, "JSON Special Considerations"); neither does a missing value or null.
	text, ok := v.text()
	return ok && c.cmp.test(text)
}

func compileJSON(body string) (matcher, *Error) {
	toks, err := lex(body)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, invalidPattern("empty JSON pattern")
	}
	for _, t := range toks {
		if t.kind == tComma {
			return nil, invalidTerm(",") // as AWS reports it for { $.a = "x", $.b = "y" }
		}
	}
	j := &jsonPattern{root: &pathNode{}}
	selectors := map[string]int{}
	regexCount := 0
	p := &exprParser{toks: toks}
	p.leaf = func(p *exprParser) (int, *Error) {
		t, _ := p.next()
		if t.kind != tWord || !strings.HasPrefix(t.text, "$") {
			return 0, invalidPattern("expected a property selector starting with $., found %q", t.text)
		}
		sel, ok := selectors[t.text]
		if !ok {
			path, err := parseSelector(t.text)
			if err != nil {
				return 0, err
			}
			sel = j.nsel
			j.nsel++
			selectors[t.text] = sel
			j.root.add(path, sel)
		}
		c, err := parseJSONTest(p, &regexCount)
		if err != nil {
			return 0, err
		}
		c.sel = sel
		j.conds = append(j.conds, c)
		return len(j.conds) - 1, nil
	}
	e, err := p.parseAll()
	if err != nil {
		return nil, err
	}
	j.expr = e
	return j, nil
}

// parseJSONTest reads what follows a selector: an operator and a value, or one of the
// keyword tests. "IS NOT" and a bare "EXISTS" are documented as unsupported.
func parseJSONTest(p *exprParser, regexCount *int) (jsonCond, *Error) {
	t, ok := p.next()
	if !ok {
		return jsonCond{}, invalidPattern("expected an operator after the selector")
	}
	if t.kind == tOp {
		v, ok := p.next()
		if !ok {
			return jsonCond{}, invalidPattern("expected a value after %q", t.text)
		}
		opnd, err := parseOperand(v, t.text, regexCount)
		if err != nil {
			return jsonCond{}, err
		}
		return jsonCond{test: 'c', cmp: comparison{op: t.text, v: opnd}}, nil
	}
	if t.kind == tWord {
		k, ok := p.next()
		if ok && k.kind == tWord {
			switch strings.ToUpper(t.text) + " " + strings.ToUpper(k.text) {
			case "IS NULL":
				return jsonCond{test: 'n'}, nil
			case "IS TRUE":
				return jsonCond{test: 't'}, nil
			case "IS FALSE":
				return jsonCond{test: 'f'}, nil
			case "NOT EXISTS":
				return jsonCond{test: 'x'}, nil
			}
		}
	}
	return jsonCond{}, invalidPattern("expected =, !=, <, <=, >, >=, IS NULL, IS TRUE, IS FALSE or NOT EXISTS after the selector, found %q", t.text)
}

// pathSeg is one step of a selector: a property name or an array index.
type pathSeg struct {
	key   string
	index int // -1 for a property
}

// parseSelector reads $.name(.name|[N])*. Names hold letters, digits, - and _
// (User Guide: "Property selectors are alphanumeric strings that also support '-'
// and '_' characters"); indexes must follow a property. On a bad character AWS
// quotes the selector up to it, e.g. "Invalid character(s) in term '$.\"'".
func parseSelector(s string) ([]pathSeg, *Error) {
	bad := func(i int) *Error {
		if i >= len(s) {
			return invalidPattern("incomplete property selector %q", s)
		}
		return invalidTerm(s[:i+1])
	}
	if len(s) < 2 || s[1] != '.' {
		return nil, bad(1)
	}
	var path []pathSeg
	i := 2
	for {
		start := i
		for i < len(s) && (isWordByte(s[i]) || s[i] == '-') {
			i++
		}
		if i == start {
			return nil, bad(i)
		}
		path = append(path, pathSeg{key: s[start:i], index: -1})
		for i < len(s) && s[i] == '[' {
			i++
			n, d := 0, 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' && d < 9 {
				n = n*10 + int(s[i]-'0')
				i++
				d++
			}
			if d == 0 || i >= len(s) || s[i] != ']' {
				return nil, bad(i)
			}
			i++
			path = append(path, pathSeg{index: n})
		}
		if i == len(s) {
			return path, nil
		}
		if s[i] != '.' {
			return nil, bad(i)
		}
		i++
	}
}

func (n *pathNode) add(path []pathSeg, id int) {
	for _, seg := range path {
		n = n.child(seg)
	}
	n.ids = append(n.ids, id)
}

func (n *pathNode) child(seg pathSeg) *pathNode {
	if seg.index < 0 {
		if n.keys == nil {
			n.keys = map[string]*pathNode{}
		}
		c, ok := n.keys[seg.key]
		if !ok {
			c = &pathNode{}
			n.keys[seg.key] = c
		}
		return c
	}
	for _, e := range n.elems {
		if e.index == seg.index {
			return e.node
		}
	}
	c := &pathNode{}
	n.elems = append(n.elems, elemChild{index: seg.index, node: c})
	return c
}

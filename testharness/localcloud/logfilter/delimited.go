package logfilter

import (
	"strconv"
	"strings"
)

// delimitedPattern is a [field, field, ...] pattern over a space-delimited message.
// The field count must equal the message's unless "..." stands for any number of
// fields (User Guide, "Using metric filters to extract values from space-delimited
// log events").
type delimitedPattern struct {
	fields     []dfield
	ellipses   int
	ellipsisAt int // index of the only ellipsis when ellipses == 1
}

// dfield is one pattern field: "...", an unnamed field, a name, or a name with
// conditions joined by && and || (every condition names the field itself).
type dfield struct {
	ellipsis bool
	name     string
	expr     *boolExpr
	conds    []comparison
}

func (f *dfield) test(value string) bool {
	if f.expr == nil {
		return true
	}
	return f.expr.eval(func(i int) bool { return f.conds[i].test(value) })
}

func compileDelimited(body string) (matcher, *Error) {
	toks, err := lex(body)
	if err != nil {
		return nil, err
	}
	d := &delimitedPattern{}
	regexCount := 0
	start := 0
	for i := 0; i <= len(toks); i++ {
		if i < len(toks) && toks[i].kind != tComma {
			continue
		}
		f, err := compileField(toks[start:i], &regexCount)
		if err != nil {
			return nil, err
		}
		start = i + 1
		if f.ellipsis {
			if n := len(d.fields); n > 0 && d.fields[n-1].ellipsis {
				continue // "..., ..." is one ellipsis
			}
			d.ellipses++
			d.ellipsisAt = len(d.fields)
		}
		d.fields = append(d.fields, f)
	}
	if len(d.fields) == 1 && d.fields[0].name == "" && !d.fields[0].ellipsis {
		return nil, invalidPattern("empty space-delimited pattern")
	}
	return d, nil
}

func compileField(toks []token, regexCount *int) (dfield, *Error) {
	if len(toks) == 0 {
		return dfield{}, nil
	}
	first := toks[0]
	if len(toks) == 1 && first.kind == tWord && first.text == "..." {
		return dfield{ellipsis: true}, nil
	}
	if first.kind != tWord {
		return dfield{}, invalidPattern("expected a field name, found %q", first.text)
	}
	if err := checkFieldName(first.text); err != nil {
		return dfield{}, err
	}
	f := dfield{name: first.text}
	if len(toks) == 1 {
		return f, nil
	}
	p := &exprParser{toks: toks}
	p.leaf = func(p *exprParser) (int, *Error) {
		name, _ := p.next()
		if name.kind != tWord {
			return 0, invalidPattern("expected a field name, found %q", name.text)
		}
		if err := checkFieldName(name.text); err != nil {
			return 0, err
		}
		// Conditions on another field inside this one are rejected by AWS
		// ("[..., status_code = 4* && bytes > 1000]" gives "Invalid filter pattern",
		// awsdocs/amazon-cloudwatch-logs-user-guide#21). Case is not compared because
		// the guide's own example writes "[w1=ERROR || W1=WARNING, w2]".
		if !strings.EqualFold(name.text, f.name) {
			return 0, invalidPattern("condition on %q inside field %q", name.text, f.name)
		}
		op, ok := p.next()
		if !ok || op.kind != tOp {
			return 0, invalidPattern("expected an operator after %q", name.text)
		}
		v, ok := p.next()
		if !ok {
			return 0, invalidPattern("expected a value after %q", op.text)
		}
		opnd, err := parseOperand(v, op.text, regexCount)
		if err != nil {
			return 0, err
		}
		f.conds = append(f.conds, comparison{op: op.text, v: opnd})
		return len(f.conds) - 1, nil
	}
	e, err := p.parseAll()
	if err != nil {
		return dfield{}, err
	}
	f.expr = e
	return f, nil
}

func checkFieldName(s string) *Error {
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			return invalidTerm(string(s[i]))
		}
	}
	return nil
}

// splitMessage splits a message into fields at blanks; characters between double
// quotes or between [ and ] form one field, without the delimiters (User Guide:
// "Characters between brackets and double quotation marks are considered single
// fields"). An unclosed quote or bracket runs to the end of the message.
func splitMessage(msg string, out []string) []string {
	i := 0
	for i < len(msg) {
		c := msg[i]
		switch {
		case isBlank(c):
			i++
		case c == '"' || c == '[':
			closing := byte('"')
			if c == '[' {
				closing = ']'
			}
			end := strings.IndexByte(msg[i+1:], closing)
			if end < 0 {
				out = append(out, msg[i+1:])
				return out
			}
			out = append(out, msg[i+1:i+1+end])
			i += end + 2
		default:
			start := i
			for i < len(msg) && !isBlank(msg[i]) {
				i++
			}
			out = append(out, msg[start:i])
		}
	}
	return out
}

// maxInlineFields bounds the per-match field table kept on the stack.
const maxInlineFields = 32

func (d *delimitedPattern) match(msg string) bool {
	var buf [maxInlineFields]string
	toks := splitMessage(msg, buf[:0])
	var posBuf [maxInlineFields]int
	_, ok := d.align(toks, posBuf[:0])
	return ok
}

// extract matches and binds values: "$name" for named fields, "$N" for message
// field N (1-based) when covered by "..." or bound to an unnamed field.
func (d *delimitedPattern) extract(msg string) (map[string]string, bool) {
	toks := splitMessage(msg, nil)
	pos, ok := d.align(toks, nil)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(toks))
	bound := make([]bool, len(toks))
	for fi, ti := range pos {
		if ti < 0 {
			continue
		}
		bound[ti] = true
		key := "$" + strconv.Itoa(ti+1)
		if name := d.fields[fi].name; name != "" {
			key = "$" + name
		}
		out[key] = toks[ti]
	}
	for ti, b := range bound {
		if !b {
			out["$"+strconv.Itoa(ti+1)] = toks[ti]
		}
	}
	return out, true
}

// align decides whether the fields fit the message and returns, per field, the
// message index it binds (-1 for an ellipsis), appending to buf.
func (d *delimitedPattern) align(toks []string, buf []int) ([]int, bool) {
	pos := buf[:0]
	for range d.fields {
		pos = append(pos, -1)
	}
	switch d.ellipses {
	case 0:
		if len(toks) != len(d.fields) {
			return nil, false
		}
		return pos, d.bindRange(toks, pos, 0, len(d.fields), 0)
	case 1:
		e := d.ellipsisAt
		after := len(d.fields) - e - 1
		if len(toks) < e+after {
			return nil, false
		}
		return pos, d.bindRange(toks, pos, 0, e, 0) && d.bindRange(toks, pos, e+1, len(d.fields), len(toks)-after)
	}
	return pos, d.alignMany(toks, pos)
}

// bindRange binds fields [from, to) to consecutive message fields starting at ti.
func (d *delimitedPattern) bindRange(toks []string, pos []int, from, to, ti int) bool {
	for fi := from; fi < to; fi, ti = fi+1, ti+1 {
		if !d.fields[fi].test(toks[ti]) {
			return false
		}
		pos[fi] = ti
	}
	return true
}

// alignMany handles several ellipses with a table of which suffixes of the pattern
// fit which suffixes of the message, then binds leftmost-first. It is quadratic in
// the worst case rather than exponential.
func (d *delimitedPattern) alignMany(toks []string, pos []int) bool {
	nf, nt := len(d.fields), len(toks)
	w := nt + 1
	fits := make([]bool, (nf+1)*w) // fits[fi*w+ti]: fields[fi:] match toks[ti:]
	fits[nf*w+nt] = true
	for fi := nf - 1; fi >= 0; fi-- {
		for ti := nt; ti >= 0; ti-- {
			var ok bool
			if d.fields[fi].ellipsis {
				ok = fits[(fi+1)*w+ti] || ti < nt && fits[fi*w+ti+1]
			} else {
				ok = ti < nt && fits[(fi+1)*w+ti+1] && d.fields[fi].test(toks[ti])
			}
			fits[fi*w+ti] = ok
		}
	}
	if !fits[0] {
		return false
	}
	ti := 0
	for fi := 0; fi < nf; fi++ {
		if d.fields[fi].ellipsis {
			for !fits[(fi+1)*w+ti] {
				ti++
			}
			continue
		}
		pos[fi] = ti
		ti++
	}
	return true
}

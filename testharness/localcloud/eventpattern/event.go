package eventpattern

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Event is an event parsed once for matching against many patterns. It is
// immutable and safe for concurrent use.
type Event struct {
	root value
}

type kind uint8

const (
	kindNull kind = iota
	kindFalse
	kindTrue
	kindNumber
	kindString
	kindArray
	kindObject
)

// value is one JSON value of an event. Numbers keep their literal text.
type value struct {
	kind   kind
	str    string // string contents
	num    number
	elems  []value // array
	fields []field // object, in document order
}

type field struct {
	key string
	val value
}

// get returns the value of key, or nil. A repeated key resolves to its
// last occurrence.
func (v *value) get(key string) *value {
	for i := len(v.fields) - 1; i >= 0; i-- {
		if v.fields[i].key == key {
			return &v.fields[i].val
		}
	}
	return nil
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

// ParseEvent parses an event (a JSON object) for matching.
func ParseEvent(data []byte) (*Event, error) {
	p := parser{s: string(data)}
	p.skipSpace()
	v, err := p.parseValue(0)
	if err != nil {
		return nil, fmt.Errorf("eventpattern: parse event: %w", err)
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return nil, fmt.Errorf("eventpattern: parse event: %w", p.fail("trailing data"))
	}
	if v.kind != kindObject {
		return nil, errors.New("eventpattern: parse event: an event must be a JSON object")
	}
	return &Event{root: v}, nil
}

// parser is a small JSON reader that builds values whose strings share the
// input's memory when they hold no escapes, which keeps parsing one
// allocation per container.
type parser struct {
	s string
	i int
}

func (p *parser) fail(msg string) error {
	return fmt.Errorf("%s at offset %d", msg, p.i)
}

func (p *parser) skipSpace() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) parseValue(depth int) (value, error) {
	if depth > maxDepth {
		return value{}, p.fail("nesting too deep")
	}
	if p.i >= len(p.s) {
		return value{}, p.fail("unexpected end of input")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.parseObject(depth)
	case c == '[':
		return p.parseArray(depth)
	case c == '"':
		s, err := p.parseString()
		return value{kind: kindString, str: s}, err
	case c == '-' || (c >= '0' && c <= '9'):
		return p.parseNumber()
	default:
		for _, lit := range [...]struct {
			text string
			kind kind
		}{{"true", kindTrue}, {"false", kindFalse}, {"null", kindNull}} {
			if len(p.s)-p.i >= len(lit.text) && p.s[p.i:p.i+len(lit.text)] == lit.text {
				p.i += len(lit.text)
				return value{kind: lit.kind}, nil
			}
		}
		return value{}, p.fail("invalid character " + strconv.QuoteRune(rune(c)))
	}
}

func (p *parser) parseObject(depth int) (value, error) {
	p.i++ // '{'
	v := value{kind: kindObject}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return v, nil
	}
	dotted := false
	for {
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return value{}, p.fail("expected object key")
		}
		key, err := p.parseString()
		if err != nil {
			return value{}, err
		}
		p.skipSpace()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return value{}, p.fail("expected ':'")
		}
		p.i++
		p.skipSpace()
		elem, err := p.parseValue(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.fields = append(v.fields, field{key: key, val: elem})
		dotted = dotted || strings.Contains(key, ".")
		p.skipSpace()
		if p.i >= len(p.s) {
			return value{}, p.fail("unexpected end of input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			if dotted {
				v = expandDots(v.fields)
			}
			return v, nil
		default:
			return value{}, p.fail("expected ',' or '}'")
		}
	}
}

func (p *parser) parseArray(depth int) (value, error) {
	p.i++ // '['
	v := value{kind: kindArray}
	p.skipSpace()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return v, nil
	}
	for {
		p.skipSpace()
		elem, err := p.parseValue(depth + 1)
		if err != nil {
			return value{}, err
		}
		v.elems = append(v.elems, elem)
		p.skipSpace()
		if p.i >= len(p.s) {
			return value{}, p.fail("unexpected end of input")
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case ']':
			p.i++
			return v, nil
		default:
			return value{}, p.fail("expected ',' or ']'")
		}
	}
}

// parseNumber accepts exactly JSON's number grammar.
func (p *parser) parseNumber() (value, error) {
	start := p.i
	digits := func() int {
		n := 0
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
			n++
		}
		return n
	}
	if p.s[p.i] == '-' {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '0' {
		p.i++
	} else if digits() == 0 {
		return value{}, p.fail("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if digits() == 0 {
			return value{}, p.fail("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if digits() == 0 {
			return value{}, p.fail("invalid number")
		}
	}
	return value{kind: kindNumber, num: newNumber(p.s[start:p.i])}, nil
}

// parseString reads a quoted string; p.s[p.i] is the opening quote.
func (p *parser) parseString() (string, error) {
	p.i++
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			s := p.s[start:p.i]
			p.i++
			return s, nil
		case c == '\\':
			return p.parseEscapedString(start)
		case c < 0x20:
			return "", p.fail("control character in string")
		}
		p.i++
	}
	return "", p.fail("unterminated string")
}

// parseEscapedString continues parseString once an escape is seen.
func (p *parser) parseEscapedString(start int) (string, error) {
	buf := []byte(p.s[start:p.i])
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c < 0x20:
			return "", p.fail("control character in string")
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.s) {
			return "", p.fail("unterminated string")
		}
		e := p.s[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", p.fail("invalid \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
					save := p.i
					p.i += 2
					if lo, ok := p.hex4(); ok {
						r2 = utf16.DecodeRune(r, lo)
					}
					if r2 == utf8.RuneError {
						p.i = save
					}
				}
				r = r2
			}
			buf = utf8.AppendRune(buf, r)
		default:
			return "", p.fail("invalid escape")
		}
	}
	return "", p.fail("unterminated string")
}

func (p *parser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(p.s[p.i:p.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(n), true
}

// expandDots rewrites an object with dotted keys into nested objects:
// EventBridge names a field by the dot-joined path of its keys, so
// {"a.b": 1} and {"a": {"b": 1}} are the same event (AWS-validated). Values
// that land on the same path are combined into an array, which matching
// treats like each value on its own.
func expandDots(fields []field) value {
	out := value{kind: kindObject}
	for _, f := range fields {
		segs := strings.Split(f.key, ".")
		v := f.val
		for i := len(segs) - 1; i > 0; i-- {
			v = value{kind: kindObject, fields: []field{{key: segs[i], val: v}}}
		}
		mergeField(&out, segs[0], v)
	}
	return out
}

func mergeField(obj *value, key string, v value) {
	for i := range obj.fields {
		if obj.fields[i].key != key {
			continue
		}
		old := &obj.fields[i].val
		switch {
		case old.kind == kindObject && v.kind == kindObject:
			for _, f := range v.fields {
				mergeField(old, f.key, f.val)
			}
		case old.kind == kindArray:
			old.elems = append(old.elems, v)
		default:
			*old = value{kind: kindArray, elems: []value{*old, v}}
		}
		return
	}
	obj.fields = append(obj.fields, field{key: key, val: v})
}

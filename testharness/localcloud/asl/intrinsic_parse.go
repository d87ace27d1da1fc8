package asl

import (
	"fmt"
	"strconv"
	"strings"
)

// An intrinsic call such as States.Format('{} {}', $.a, States.UUID()) is
// parsed once, when the definition is parsed, into a tree of intrinsicArg
// nodes and evaluated per use.

type intrinsicCall struct {
	name string
	fn   intrinsicFunc
	args []intrinsicArg
}

// intrinsicArg is exactly one of: a literal (string, number, boolean, null),
// a path, or a nested call.
type intrinsicArg struct {
	literal any
	// rawString keeps a string literal with its \{ and \} escapes intact,
	// which States.Format needs to tell literal braces from placeholders.
	rawString string
	isString  bool
	path      *Path
	call      *intrinsicCall
}

// isIntrinsic reports whether a ".$" value is an intrinsic call rather than
// a path.
func isIntrinsic(s string) bool {
	return strings.HasPrefix(strings.TrimSpace(s), "States.")
}

// parseIntrinsic parses a whole intrinsic expression.
func parseIntrinsic(src string) (*intrinsicCall, error) {
	p := &intrinsicParser{src: src}
	p.skipSpace()
	call, err := p.call()
	if err != nil {
		return nil, fmt.Errorf("invalid intrinsic function %q: %w", src, err)
	}
	p.skipSpace()
	if p.pos != len(p.src) {
		return nil, fmt.Errorf("invalid intrinsic function %q: unexpected %q at offset %d", src, p.src[p.pos:], p.pos)
	}
	return call, nil
}

type intrinsicParser struct {
	src string
	pos int
}

func (p *intrinsicParser) skipSpace() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t' || p.src[p.pos] == '\n' || p.src[p.pos] == '\r') {
		p.pos++
	}
}

func (p *intrinsicParser) call() (*intrinsicCall, error) {
	start := p.pos
	for p.pos < len(p.src) && (isIdentByte(p.src[p.pos]) || p.src[p.pos] == '.') {
		p.pos++
	}
	name := p.src[start:p.pos]
	fn, ok := intrinsicFuncs[name]
	if !ok {
		return nil, fmt.Errorf("unknown function %q", name)
	}
	p.skipSpace()
	if p.pos >= len(p.src) || p.src[p.pos] != '(' {
		return nil, fmt.Errorf("expected '(' after %s", name)
	}
	p.pos++
	c := &intrinsicCall{name: name, fn: fn}
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ')' {
		p.pos++
		return c, nil
	}
	for {
		p.skipSpace()
		a, err := p.arg()
		if err != nil {
			return nil, err
		}
		c.args = append(c.args, a)
		p.skipSpace()
		if p.pos >= len(p.src) {
			return nil, fmt.Errorf("missing ')' to close %s", name)
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return c, nil
		default:
			return nil, fmt.Errorf("unexpected %q in arguments of %s", p.src[p.pos], name)
		}
	}
}

func isIdentByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

func (p *intrinsicParser) arg() (intrinsicArg, error) {
	if p.pos >= len(p.src) {
		return intrinsicArg{}, fmt.Errorf("missing argument")
	}
	c := p.src[p.pos]
	switch {
	case c == '\'':
		return p.stringLiteral()
	case c == '$':
		return p.pathArg()
	case strings.HasPrefix(p.src[p.pos:], "States."):
		call, err := p.call()
		return intrinsicArg{call: call}, err
	}
	start := p.pos
	for p.pos < len(p.src) && p.src[p.pos] != ',' && p.src[p.pos] != ')' && p.src[p.pos] != ' ' {
		p.pos++
	}
	tok := p.src[start:p.pos]
	switch tok {
	case "null":
		return intrinsicArg{literal: nil}, nil
	case "true":
		return intrinsicArg{literal: true}, nil
	case "false":
		return intrinsicArg{literal: false}, nil
	}
	if i, err := strconv.ParseInt(tok, 10, 64); err == nil {
		return intrinsicArg{literal: i}, nil
	}
	if f, err := strconv.ParseFloat(tok, 64); err == nil {
		return intrinsicArg{literal: f}, nil
	}
	return intrinsicArg{}, fmt.Errorf("invalid argument %q", tok)
}

// stringLiteral reads '...' where \' \{ \} and \\ are escapes (developer
// guide, "Reserved characters in intrinsic functions").
func (p *intrinsicParser) stringLiteral() (intrinsicArg, error) {
	p.pos++ // opening quote
	var val, raw strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch c {
		case '\\':
			if p.pos+1 >= len(p.src) {
				return intrinsicArg{}, fmt.Errorf("unterminated escape in string literal")
			}
			n := p.src[p.pos+1]
			switch n {
			case '\'', '\\':
				val.WriteByte(n)
				raw.WriteByte(n)
				if n == '\\' {
					raw.WriteByte(n)
				}
			case '{', '}':
				val.WriteByte(n)
				raw.WriteByte('\\')
				raw.WriteByte(n)
			default:
				return intrinsicArg{}, fmt.Errorf("invalid escape \\%c in string literal", n)
			}
			p.pos += 2
		case '\'':
			p.pos++
			return intrinsicArg{literal: val.String(), rawString: raw.String(), isString: true}, nil
		default:
			val.WriteByte(c)
			raw.WriteByte(c)
			p.pos++
		}
	}
	return intrinsicArg{}, fmt.Errorf("unterminated string literal")
}

// pathArg reads a JSONPath up to the ',' or ')' that ends the argument,
// skipping over brackets and quoted names inside it.
func (p *intrinsicParser) pathArg() (intrinsicArg, error) {
	start := p.pos
	depth := 0
	var quote byte
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if quote != 0 {
			if c == quote {
				quote = 0
			}
			p.pos++
			continue
		}
		switch c {
		case '\'', '"':
			quote = c
		case '[', '(':
			depth++
		case ']':
			depth--
		case ')', ',':
			if depth == 0 {
				return p.compile(start)
			}
			if c == ')' {
				depth--
			}
		}
		p.pos++
	}
	return p.compile(start)
}

func (p *intrinsicParser) compile(start int) (intrinsicArg, error) {
	path, err := compilePath(strings.TrimSpace(p.src[start:p.pos]))
	if err != nil {
		return intrinsicArg{}, err
	}
	return intrinsicArg{path: path}, nil
}

// eval evaluates the call against the state input and context object.
func (c *intrinsicCall) eval(input, ctxObj any) (any, error) {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		switch {
		case a.call != nil:
			v, err := a.call.eval(input, ctxObj)
			if err != nil {
				return nil, err
			}
			args[i] = v
		case a.path != nil:
			v, ok := a.path.get(input, ctxObj)
			if !ok {
				return nil, newStatesError(StatesRuntime, "The JSONPath %s specified for the argument %d of %s could not be found in the input", a.path.raw, i+1, c.name)
			}
			args[i] = v
		default:
			args[i] = a.literal
		}
	}
	if c.name == "States.Format" && len(c.args) > 0 && c.args[0].isString {
		// Let Format see the template's escaped braces.
		args[0] = formatTemplate(c.args[0].rawString)
	}
	v, err := c.fn(args)
	if err != nil {
		return nil, &StatesError{Name: StatesIntrinsicFailure, Cause: fmt.Sprintf("Invalid arguments in %s: %v", c.name, err)}
	}
	return v, nil
}

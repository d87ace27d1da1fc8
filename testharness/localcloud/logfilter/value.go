package logfilter

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// operand is the right-hand side of a comparison: a string (quoted or bare, with *
// wildcards), a number, or a %regex%.
type operand struct {
	kind  byte // 's' string, 'n' number, 'r' regex
	text  string
	parts []string // text split at '*', for wildcard strings
	num   float64
	re    *regexp.Regexp
}

// comparison is `<subject> op operand`; the subject's text is supplied at match time.
type comparison struct {
	op string
	v  operand
}

// parseOperand reads the token after an operator. Bare values may hold ASCII letters,
// digits, _ . * - + (the guide's own examples include 123.123.* and +1000); anything
// else must be quoted, as the User Guide requires.
func parseOperand(t token, op string, regexCount *int) (operand, *Error) {
	var v operand
	switch t.kind {
	case tString:
		v = stringOperand(t.text)
	case tRegex:
		*regexCount++
		if *regexCount > maxRegexPerStructuredPattern {
			return v, invalidPattern("at most %d regular expressions are allowed in a JSON or space-delimited pattern", maxRegexPerStructuredPattern)
		}
		re, err := compileRegexBody(t.text)
		if err != nil {
			return v, err
		}
		v = operand{kind: 'r', text: t.text, re: re}
	case tWord:
		for i := 0; i < len(t.text); i++ {
			if c := t.text[i]; !isWordByte(c) && strings.IndexByte(".*-+", c) < 0 {
				return v, invalidTerm(string(c))
			}
		}
		if f, ok := parseNumber(t.text); ok {
			v = operand{kind: 'n', text: t.text, num: f}
		} else {
			v = stringOperand(t.text)
		}
	default:
		return v, invalidPattern("expected a value after %q, found %q", op, t.text)
	}
	if op != "=" && op != "!=" && v.kind != 'n' {
		return v, invalidPattern("%s needs a number", op)
	}
	return v, nil
}

func stringOperand(s string) operand {
	v := operand{kind: 's', text: s}
	if strings.IndexByte(s, '*') >= 0 {
		v.parts = strings.Split(s, "*")
	}
	return v
}

// test applies the comparison to a value's text. Numbers compare numerically when
// the text parses as a number; = and != fall back to text equality otherwise, and
// the relational operators then fail.
func (c *comparison) test(text string) bool {
	switch c.v.kind {
	case 'r':
		return c.v.re.MatchString(text) == (c.op == "=")
	case 's':
		return c.v.matchString(text) == (c.op == "=")
	}
	f, ok := parseNumber(text)
	switch c.op {
	case "=":
		return ok && f == c.v.num || !ok && text == c.v.text
	case "!=":
		return !(ok && f == c.v.num || !ok && text == c.v.text)
	case "<":
		return ok && f < c.v.num
	case "<=":
		return ok && f <= c.v.num
	case ">":
		return ok && f > c.v.num
	case ">=":
		return ok && f >= c.v.num
	}
	return false
}

// matchString matches text against a string operand whose * match any run of characters.
func (v *operand) matchString(text string) bool {
	if v.parts == nil {
		return text == v.text
	}
	first, last := v.parts[0], v.parts[len(v.parts)-1]
	if len(text) < len(first)+len(last) || !strings.HasPrefix(text, first) || !strings.HasSuffix(text, last) {
		return false
	}
	mid := text[len(first) : len(text)-len(last)]
	for _, part := range v.parts[1 : len(v.parts)-1] {
		i := strings.Index(mid, part)
		if i < 0 {
			return false
		}
		mid = mid[i+len(part):]
	}
	return true
}

// parseNumber accepts the documented number forms: an optional sign, digits, an
// optional fraction and an optional exponent (10e3, 1e-3, +1000, 55.5).
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := func() bool {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > start
	}
	if !digits() {
		return 0, false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	if i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

// isRangeErr reports an out-of-range number, which ParseFloat still returns as ±Inf or 0.
func isRangeErr(err error) bool { return errors.Is(err, strconv.ErrRange) }

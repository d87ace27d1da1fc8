package logfilter

import "strings"

// Pattern is a compiled filter pattern. It is immutable and safe for concurrent use.
type Pattern struct {
	m matcher
}

// matcher is one of the pattern forms: terms, regex, JSON or space-delimited.
type matcher interface {
	match(message string) bool
}

// matchAll is the empty pattern.
type matchAll struct{}

func (matchAll) match(string) bool { return true }

// Compile parses a filter pattern. Errors are *Error values carrying AWS's code
// (InvalidParameterException) and, where known, AWS's message.
func Compile(pattern string) (*Pattern, error) {
	m, err := compile(strings.TrimSpace(pattern))
	if err != nil {
		return nil, err
	}
	return &Pattern{m: m}, nil
}

func compile(p string) (matcher, *Error) {
	if p == "" {
		return matchAll{}, nil
	}
	switch p[0] {
	case '{':
		if p[len(p)-1] != '}' || len(p) == 1 {
			return nil, unbalanced('{', '}')
		}
		return compileJSON(p[1 : len(p)-1])
	case '[':
		if p[len(p)-1] != ']' || len(p) == 1 {
			return nil, unbalanced('[', ']')
		}
		return compileDelimited(p[1 : len(p)-1])
	case '%':
		return compileStandaloneRegex(p)
	}
	return compileTerms(p)
}

// Match reports whether a log event message matches the pattern.
func (p *Pattern) Match(message string) bool { return p.m.match(message) }

// Extract reports whether message matches and, for a space-delimited pattern, the
// field values it binds, keyed as TestMetricFilter's extractedValues shows them:
// "$name" for a named field and "$N" (1-based position in the message) for a field
// covered by "..." or left unnamed. Other pattern forms bind nothing (the User
// Guide: "If you are not using a space-delimited filter, this will be empty"), so
// their map is nil.
func (p *Pattern) Extract(message string) (map[string]string, bool) {
	if d, ok := p.m.(*delimitedPattern); ok {
		return d.extract(message)
	}
	return nil, p.m.match(message)
}

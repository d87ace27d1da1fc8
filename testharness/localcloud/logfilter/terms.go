package logfilter

import "strings"

// termsPattern is an unstructured-text pattern: every required term must appear,
// at least one optional (?) term must appear when there are any, and no excluded
// (-) term may appear. Terms are case-sensitive substrings, so ERROR matches
// ERRORCODE (User Guide, "Match a single term").
type termsPattern struct {
	required, optional, excluded []string
}

func (t *termsPattern) match(msg string) bool {
	for _, s := range t.required {
		if !strings.Contains(msg, s) {
			return false
		}
	}
	for _, s := range t.excluded {
		if strings.Contains(msg, s) {
			return false
		}
	}
	if len(t.optional) == 0 {
		return true
	}
	for _, s := range t.optional {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// compileTerms parses terms separated by blanks. A term is either a run of ASCII
// letters, digits and underscores or a double-quoted phrase; the User Guide says
// terms with other characters must be quoted, and AWS rejects them with
// "Invalid character(s) in term". A prefix ? makes a term optional, - excludes it;
// a lone prefix followed by blanks applies to the next term, which is how the 2021
// guide printed its example "ERROR" - "Exiting".
func compileTerms(p string) (matcher, *Error) {
	t := &termsPattern{}
	matchesAll := false
	i := 0
	for i < len(p) {
		if isBlank(p[i]) {
			i++
			continue
		}
		prefix := byte(0)
		if p[i] == '?' || p[i] == '-' {
			prefix = p[i]
			i++
			for i < len(p) && isBlank(p[i]) {
				i++
			}
			if i == len(p) {
				return nil, invalidPattern("%q is not followed by a term", prefix)
			}
		}
		var term string
		if p[i] == '"' {
			s, n, err := readQuoted(p[i:])
			if err != nil {
				return nil, err
			}
			term = s
			i += n
			if i < len(p) && !isBlank(p[i]) {
				return nil, invalidTerm(string(p[i]))
			}
		} else {
			start := i
			for i < len(p) && !isBlank(p[i]) {
				if !isWordByte(p[i]) {
					return nil, invalidTerm(string(p[i]))
				}
				i++
			}
			term = p[start:i]
		}
		if strings.TrimSpace(term) == "" {
			// "" and " " match every event (User Guide, "Match everything").
			if prefix == 0 {
				matchesAll = true
			}
			continue
		}
		switch prefix {
		case '?':
			t.optional = append(t.optional, term)
		case '-':
			t.excluded = append(t.excluded, term)
		default:
			t.required = append(t.required, term)
		}
	}
	if matchesAll && len(t.required)+len(t.optional)+len(t.excluded) == 0 {
		return matchAll{}, nil
	}
	return t, nil
}

// readQuoted reads a double-quoted string at the start of s, honouring \" and \\,
// and returns its content and the number of bytes consumed.
func readQuoted(s string) (string, int, *Error) {
	var b strings.Builder
	escaped := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\'):
			if !escaped {
				b.WriteString(s[1:i])
				escaped = true
			}
			b.WriteByte(s[i+1])
			i++
		case c == '"':
			if !escaped {
				return s[1:i], i + 1, nil
			}
			return b.String(), i + 1, nil
		case escaped:
			b.WriteByte(c)
		}
	}
	return "", 0, invalidPattern("unterminated quoted string")
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

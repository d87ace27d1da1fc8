package logfilter

import (
	"encoding/json"
	"strings"
)

// jsonKind is the type of a value found at a selector; jMissing means the selector
// resolved to nothing.
type jsonKind uint8

const (
	jMissing jsonKind = iota
	jString
	jNumber
	jTrue
	jFalse
	jNull
	jObject
	jArray
)

// jsonValue is a value found in the message. raw is a slice of the message: a
// string's content without quotes (escaped says it still holds escapes) or a
// number's text.
type jsonValue struct {
	kind    jsonKind
	escaped bool
	raw     string
}

// text is the value as string comparisons see it; objects, arrays, null and
// missing values have none.
func (v *jsonValue) text() (string, bool) {
	switch v.kind {
	case jString:
		if v.escaped {
			return unescapeJSON(v.raw)
		}
		return v.raw, true
	case jNumber:
		return v.raw, true
	case jTrue:
		return "true", true
	case jFalse:
		return "false", true
	}
	return "", false
}

// maxJSONDepth bounds nesting so hostile messages cannot exhaust the stack.
const maxJSONDepth = 512

// scanner reads one message. Values for the first maxInlineSelectors selectors live
// inside the struct, so a scanner on the caller's stack makes matching allocation-free.
type scanner struct {
	s      string
	i      int
	depth  int
	inline [maxInlineSelectors]jsonValue
	extra  []jsonValue
}

// scan validates that msg is one JSON object and records, for every selector in the
// tree rooted at root, the value it points to. It reads the message once and does not
// allocate unless a wanted key or value contains escapes or there are more than
// maxInlineSelectors selectors. A message that is not a JSON object yields false: it
// never matches a JSON pattern.
func (s *scanner) scan(msg string, root *pathNode, nsel int) bool {
	s.s = msg
	if nsel > maxInlineSelectors {
		s.extra = make([]jsonValue, nsel-maxInlineSelectors)
	}
	s.skipBlank()
	if s.i >= len(s.s) || s.s[s.i] != '{' {
		return false
	}
	if !s.value(root) {
		return false
	}
	s.skipBlank()
	return s.i == len(s.s)
}

// get returns the value recorded for selector id (jMissing if none was found).
func (s *scanner) get(id int) *jsonValue {
	if id < maxInlineSelectors {
		return &s.inline[id]
	}
	return &s.extra[id-maxInlineSelectors]
}

func (s *scanner) skipBlank() {
	for s.i < len(s.s) {
		switch s.s[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value parses one value; n is the path node for its position (nil: not wanted).
func (s *scanner) value(n *pathNode) bool {
	s.skipBlank()
	if s.i >= len(s.s) {
		return false
	}
	var v jsonValue
	switch c := s.s[s.i]; {
	case c == '{':
		v.kind = jObject
		if !s.object(n) {
			return false
		}
	case c == '[':
		v.kind = jArray
		if !s.array(n) {
			return false
		}
	case c == '"':
		raw, esc, ok := s.str()
		if !ok {
			return false
		}
		v = jsonValue{kind: jString, raw: raw, escaped: esc}
	case c == '-' || c >= '0' && c <= '9':
		start := s.i
		if !s.number() {
			return false
		}
		v = jsonValue{kind: jNumber, raw: s.s[start:s.i]}
	case strings.HasPrefix(s.s[s.i:], "true"):
		v.kind = jTrue
		s.i += 4
	case strings.HasPrefix(s.s[s.i:], "false"):
		v.kind = jFalse
		s.i += 5
	case strings.HasPrefix(s.s[s.i:], "null"):
		v.kind = jNull
		s.i += 4
	default:
		return false
	}
	if n != nil {
		for _, id := range n.ids {
			*s.get(id) = v
		}
	}
	return true
}

func (s *scanner) object(n *pathNode) bool {
	if s.depth++; s.depth > maxJSONDepth {
		return false
	}
	s.i++ // {
	s.skipBlank()
	if s.i < len(s.s) && s.s[s.i] == '}' {
		s.i++
		s.depth--
		return true
	}
	for {
		s.skipBlank()
		if s.i >= len(s.s) || s.s[s.i] != '"' {
			return false
		}
		key, esc, ok := s.str()
		if !ok {
			return false
		}
		s.skipBlank()
		if s.i >= len(s.s) || s.s[s.i] != ':' {
			return false
		}
		s.i++
		var child *pathNode
		if n != nil && n.keys != nil {
			if esc {
				key, _ = unescapeJSON(key)
			}
			child = n.keys[key]
		}
		if !s.value(child) {
			return false
		}
		s.skipBlank()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

func (s *scanner) array(n *pathNode) bool {
	if s.depth++; s.depth > maxJSONDepth {
		return false
	}
	s.i++ // [
	s.skipBlank()
	if s.i < len(s.s) && s.s[s.i] == ']' {
		s.i++
		s.depth--
		return true
	}
	for index := 0; ; index++ {
		var child *pathNode
		if n != nil {
			for _, e := range n.elems {
				if e.index == index {
					child = e.node
				}
			}
		}
		if !s.value(child) {
			return false
		}
		s.skipBlank()
		if s.i >= len(s.s) {
			return false
		}
		switch s.s[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return true
		default:
			return false
		}
	}
}

// str reads a string starting at its opening quote and returns its raw content.
func (s *scanner) str() (raw string, escaped, ok bool) {
	s.i++ // opening quote
	start := s.i
	for s.i < len(s.s) {
		c := s.s[s.i]
		switch {
		case c == '"':
			raw = s.s[start:s.i]
			s.i++
			return raw, escaped, true
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.s) {
				return "", false, false
			}
			switch s.s[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.s) || !isHex4(s.s[s.i+2:s.i+6]) {
					return "", false, false
				}
				s.i += 6
			default:
				return "", false, false
			}
		case c < 0x20:
			return "", false, false
		default:
			s.i++
		}
	}
	return "", false, false
}

// number reads a JSON number (RFC 8259 grammar).
func (s *scanner) number() bool {
	if s.s[s.i] == '-' {
		s.i++
	}
	if s.i >= len(s.s) {
		return false
	}
	if s.s[s.i] == '0' {
		s.i++
	} else if !s.digits() {
		return false
	}
	if s.i < len(s.s) && s.s[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.s) && (s.s[s.i] == 'e' || s.s[s.i] == 'E') {
		s.i++
		if s.i < len(s.s) && (s.s[s.i] == '+' || s.s[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.s) && s.s[s.i] >= '0' && s.s[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

func isHex4(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// unescapeJSON decodes the content of a JSON string that holds escapes. This is the
// rare path, so it leans on encoding/json.
func unescapeJSON(raw string) (string, bool) {
	var out string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &out); err != nil {
		return "", false
	}
	return out, true
}

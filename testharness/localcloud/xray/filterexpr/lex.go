package filterexpr

import (
	"fmt"
	"strings"
)

type tokenKind int

const (
	tEOF tokenKind = iota
	tIdent
	tString
	tNumber
	tOp    // = != < <= > >=
	tPunct // ( ) { } , : !
)

type token struct {
	kind tokenKind
	text string // identifier, operator, punctuation, or the unquoted string
	pos  int    // byte offset, for messages
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return fmt.Sprintf("%q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

// lex splits an expression into tokens. Identifiers may contain dots
// (http.url, annotation.key, account.id); strings are double-quoted with
// backslash escapes.
func lex(s string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case strings.IndexByte("(){},:", c) >= 0:
			toks = append(toks, token{tPunct, string(c), i})
			i++
		case c == '!':
			if i+1 < len(s) && s[i+1] == '=' {
				toks = append(toks, token{tOp, "!=", i})
				i += 2
			} else {
				toks = append(toks, token{tPunct, "!", i})
				i++
			}
		case c == '=':
			toks = append(toks, token{tOp, "=", i})
			i++
		case c == '<' || c == '>':
			op := string(c)
			if i+1 < len(s) && s[i+1] == '=' {
				op += "="
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		case c == '"':
			start := i
			var b strings.Builder
			i++
			for {
				if i >= len(s) {
					return nil, syntaxErr(start, "unterminated string")
				}
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					i++
					break
				}
				b.WriteByte(s[i])
				i++
			}
			toks = append(toks, token{tString, b.String(), start})
		case isDigit(c) || (c == '-' || c == '.') && i+1 < len(s) && isDigit(s[i+1]):
			start := i
			i++
			for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
				(s[i] == '-' || s[i] == '+') && (s[i-1] == 'e' || s[i-1] == 'E')) {
				i++
			}
			toks = append(toks, token{tNumber, s[start:i], start})
		case isIdentStart(c):
			start := i
			for i < len(s) && isIdentPart(s[i]) {
				i++
			}
			toks = append(toks, token{tIdent, s[start:i], start})
		default:
			return nil, syntaxErr(i, fmt.Sprintf("unexpected character %q", c))
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isIdentStart(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_' }
func isIdentPart(c byte) bool  { return isIdentStart(c) || isDigit(c) || c == '.' || c == '-' }

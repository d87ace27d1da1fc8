package expr

import (
	"fmt"
	"strings"
)

type tokKind uint8

const (
	tEOF    tokKind = iota
	tIdent          // name, keyword or function name
	tName           // #placeholder
	tValue          // :placeholder
	tNumber         // list index
	tPunct          // = <> < <= > >= ( ) [ ] , . + -
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// lex splits an expression into tokens; an unknown character is a
// syntax error in DynamoDB's words.
func lex(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#' || c == ':':
			j := i + 1
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			if j == i+1 {
				return nil, &Error{Msg: fmt.Sprintf("Syntax error; token: %q, near: %q", string(c), near(src, i, j+1))}
			}
			kind := tName
			if c == ':' {
				kind = tValue
			}
			toks = append(toks, token{kind, src[i:j], i})
			i = j
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && src[j] >= '0' && src[j] <= '9' {
				j++
			}
			if j < len(src) && isIdentByte(src[j]) {
				for j < len(src) && isIdentByte(src[j]) {
					j++
				}
				toks = append(toks, token{tIdent, src[i:j], i})
			} else {
				toks = append(toks, token{tNumber, src[i:j], i})
			}
			i = j
		case isIdentByte(c):
			j := i
			for j < len(src) && isIdentByte(src[j]) {
				j++
			}
			toks = append(toks, token{tIdent, src[i:j], i})
			i = j
		case strings.HasPrefix(src[i:], "<>") || strings.HasPrefix(src[i:], "<=") || strings.HasPrefix(src[i:], ">="):
			toks = append(toks, token{tPunct, src[i : i+2], i})
			i += 2
		case strings.IndexByte("=<>()[],.+-", c) >= 0:
			toks = append(toks, token{tPunct, src[i : i+1], i})
			i++
		default:
			return nil, &Error{Msg: fmt.Sprintf("Invalid character encountered; character: %q, near: %q", string(c), near(src, i, i+1))}
		}
	}
	return append(toks, token{tEOF, "<EOF>", len(src)}), nil
}

// near quotes the source around a position as DynamoDB's syntax errors do.
func near(src string, from, to int) string {
	from = max(0, from-12)
	to = min(len(src), to+12)
	return strings.TrimSpace(src[from:to])
}

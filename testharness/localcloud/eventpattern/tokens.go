package eventpattern

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// tokenKind is the type of one JSON token of a pattern. Validation follows
// event-ruler, which reads the pattern as a token stream and reports the
// first token it does not expect, so the compiler reads tokens too.
type tokenKind uint8

const (
	tokEOF tokenKind = iota
	tokBeginObject
	tokEndObject
	tokBeginArray
	tokEndArray
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
)

type token struct {
	kind tokenKind
	text string // string contents, number literal, or the token's JSON text
}

func (t token) isNumber() bool { return t.kind == tokNumber }

// tokenReader yields the tokens of a pattern; numbers keep their literal
// text so no precision is lost.
type tokenReader struct {
	dec *json.Decoder
}

func newTokenReader(data []byte) *tokenReader {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return &tokenReader{dec: dec}
}

// next returns the next token; malformed JSON becomes an
// InvalidPatternError carrying the decoder's complaint.
func (r *tokenReader) next() (token, error) {
	t, err := r.dec.Token()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return token{kind: tokEOF}, invalid("Unexpected end of input")
		}
		return token{}, invalid(err.Error())
	}
	switch v := t.(type) {
	case json.Delim:
		switch v {
		case '{':
			return token{tokBeginObject, "{"}, nil
		case '}':
			return token{tokEndObject, "}"}, nil
		case '[':
			return token{tokBeginArray, "["}, nil
		default:
			return token{tokEndArray, "]"}, nil
		}
	case string:
		return token{tokString, v}, nil
	case json.Number:
		return token{tokNumber, string(v)}, nil
	case bool:
		if v {
			return token{tokTrue, "true"}, nil
		}
		return token{tokFalse, "false"}, nil
	default:
		return token{tokNull, "null"}, nil
	}
}

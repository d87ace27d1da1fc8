package draft4

import (
	"errors"
	"strings"
	"testing"
)

const testSchema = `{
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "t",
  "type": "object",
  "required": ["name", "n"],
  "additionalProperties": false,
  "properties": {
    "name": {"type": "string", "pattern": "^USER#", "minLength": 6},
    "n": {"type": "integer", "minimum": 1},
    "kind": {"enum": ["a", "b", 3]},
    "tags": {"type": "array", "items": {"type": "string"}},
    "attrs": {"type": "object", "additionalProperties": {"type": ["string", "null"]}}
  }
}`

func TestValidate(t *testing.T) {
	s, err := Compile([]byte(testSchema))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		doc  string
		want string // substring of the violation, "" for valid
	}{
		{`{"name":"USER#ab","n":1}`, ""},
		{`{"name":"USER#ab","n":1.0,"kind":3.0,"tags":["x"],"attrs":{"a":null,"b":"c"}}`, ""},
		{`{"name":"USER#ab"}`, `missing required property "n"`},
		{`{"name":"USER#ab","n":0}`, "less than minimum 1"},
		{`{"name":"USER#ab","n":1.5}`, "want integer"},
		{`{"name":"ORDER#1","n":1}`, "does not match pattern"},
		{`{"name":"USER#","n":1}`, "shorter than 6"},
		{`{"name":"USER#ab","n":1,"x":1}`, `additional property "x"`},
		{`{"name":"USER#ab","n":1,"kind":"c"}`, "not one of the enum"},
		{`{"name":"USER#ab","n":1,"tags":["x",2]}`, "#/tags/1: is number, want string"},
		{`{"name":"USER#ab","n":1,"attrs":{"a/b":1}}`, "#/attrs/a~1b"},
		{`[]`, "is array, want object"},
	}
	for _, c := range cases {
		err := s.ValidateJSON([]byte(c.doc))
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: unexpected error %v", c.doc, err)
			}
			continue
		}
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.doc, err, c.want)
		}
	}
}

func TestCompileRejectsUnsupportedKeywords(t *testing.T) {
	for _, doc := range []string{
		`{"type":"object","oneOf":[]}`,
		`{"$ref":"#/definitions/x"}`,
		`{"type":"strin"}`,
		`{"pattern":"("}`,
		`{"enum":[]}`,
		`{"properties":{"a":{"maxLength":3}}}`,
		`[]`,
	} {
		if _, err := Compile([]byte(doc)); err == nil {
			t.Errorf("Compile(%s) succeeded, want an error", doc)
		}
	}
}

func TestDecodeRejectsTrailingData(t *testing.T) {
	if _, err := Decode([]byte(`{} {}`)); err == nil {
		t.Fatal("want an error for trailing data")
	}
}

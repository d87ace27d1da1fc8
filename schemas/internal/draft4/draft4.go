// Package draft4 validates JSON documents against the subset of JSON Schema
// draft 4 that the app's schemas use: type, required, properties,
// additionalProperties (boolean or schema), enum, pattern, items (one
// schema), minimum and minLength, plus the annotations $schema, title and
// description. A schema using any other keyword is rejected rather than
// half-checked, so a schema can never claim more than is verified.
//
// Documents must be decoded with json.Decoder.UseNumber so that integers
// and large numbers keep their exact value.
package draft4

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Schema is a compiled schema.
type Schema struct {
	types        []string
	required     []string
	properties   map[string]*Schema
	additional   *Schema // nil: any additional property allowed
	noAdditional bool
	enum         []any
	pattern      *regexp.Regexp
	items        *Schema
	minimum      *big.Rat
	minLength    *int
}

var knownTypes = []string{"array", "boolean", "integer", "null", "number", "object", "string"}

// Compile parses a schema document.
func Compile(doc []byte) (*Schema, error) {
	v, err := Decode(doc)
	if err != nil {
		return nil, fmt.Errorf("draft4: parse schema: %w", err)
	}
	return compile(v, "#")
}

// Decode parses a JSON document the way Validate expects it (numbers as
// json.Number), rejecting trailing data.
func Decode(doc []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func compile(v any, at string) (*Schema, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("draft4: %s: schema must be an object", at)
	}
	s := &Schema{}
	for k, val := range m {
		var err error
		switch k {
		case "$schema", "title", "description":
		case "type":
			s.types, err = compileType(val)
		case "required":
			s.required, err = stringList(val)
		case "properties":
			pm, ok := val.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("draft4: %s/properties must be an object", at)
			}
			s.properties = make(map[string]*Schema, len(pm))
			for name, sub := range pm {
				if s.properties[name], err = compile(sub, at+"/properties/"+name); err != nil {
					return nil, err
				}
			}
		case "additionalProperties":
			if b, ok := val.(bool); ok {
				s.noAdditional = !b
			} else {
				s.additional, err = compile(val, at+"/additionalProperties")
			}
		case "enum":
			list, ok := val.([]any)
			if !ok || len(list) == 0 {
				return nil, fmt.Errorf("draft4: %s/enum must be a non-empty array", at)
			}
			s.enum = list
		case "pattern":
			p, ok := val.(string)
			if !ok {
				return nil, fmt.Errorf("draft4: %s/pattern must be a string", at)
			}
			s.pattern, err = regexp.Compile(p)
		case "items":
			s.items, err = compile(val, at+"/items")
		case "minimum":
			s.minimum, err = rat(val)
		case "minLength":
			var n *big.Rat
			if n, err = rat(val); err == nil {
				if !n.IsInt() || n.Sign() < 0 {
					return nil, fmt.Errorf("draft4: %s/minLength must be a non-negative integer", at)
				}
				l := int(n.Num().Int64())
				s.minLength = &l
			}
		default:
			return nil, fmt.Errorf("draft4: %s: keyword %q is not supported by this validator", at, k)
		}
		if err != nil {
			return nil, fmt.Errorf("draft4: %s/%s: %w", at, k, err)
		}
	}
	return s, nil
}

func compileType(v any) ([]string, error) {
	var list []string
	if s, ok := v.(string); ok {
		list = []string{s}
	} else {
		var err error
		if list, err = stringList(v); err != nil {
			return nil, err
		}
	}
	for _, t := range list {
		if !slices.Contains(knownTypes, t) {
			return nil, fmt.Errorf("unknown type %q", t)
		}
	}
	return list, nil
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("must be an array of strings")
	}
	out := make([]string, 0, len(list))
	for _, e := range list {
		s, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("must be an array of strings")
		}
		out = append(out, s)
	}
	return out, nil
}

func rat(v any) (*big.Rat, error) {
	n, ok := v.(json.Number)
	if !ok {
		return nil, fmt.Errorf("must be a number")
	}
	r, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return nil, fmt.Errorf("bad number %q", n)
	}
	return r, nil
}

// ValidationError lists every violation found, each with its JSON pointer.
type ValidationError struct {
	Violations []string
}

func (e *ValidationError) Error() string {
	return "draft4: document does not match schema: " + strings.Join(e.Violations, "; ")
}

// Validate checks a decoded document (see Decode) against the schema.
func (s *Schema) Validate(doc any) error {
	var v []string
	s.validate(doc, "", &v)
	if len(v) > 0 {
		return &ValidationError{Violations: v}
	}
	return nil
}

// ValidateJSON decodes and validates a JSON document.
func (s *Schema) ValidateJSON(doc []byte) error {
	v, err := Decode(doc)
	if err != nil {
		return fmt.Errorf("draft4: parse document: %w", err)
	}
	return s.Validate(v)
}

func (s *Schema) validate(v any, at string, out *[]string) {
	fail := func(format string, args ...any) {
		*out = append(*out, fmt.Sprintf("%s: %s", pointer(at), fmt.Sprintf(format, args...)))
	}
	if len(s.types) > 0 && !slices.ContainsFunc(s.types, func(t string) bool { return hasType(v, t) }) {
		fail("is %s, want %s", typeOf(v), strings.Join(s.types, " or "))
		return
	}
	if s.enum != nil && !slices.ContainsFunc(s.enum, func(e any) bool { return equal(e, v) }) {
		fail("value is not one of the enum")
	}
	switch x := v.(type) {
	case string:
		if s.minLength != nil && utf8.RuneCountInString(x) < *s.minLength {
			fail("shorter than %d characters", *s.minLength)
		}
		if s.pattern != nil && !s.pattern.MatchString(x) {
			fail("does not match pattern %q", s.pattern.String())
		}
	case json.Number:
		if s.minimum != nil {
			if r, ok := new(big.Rat).SetString(x.String()); ok && r.Cmp(s.minimum) < 0 {
				fail("%s is less than minimum %s", x, s.minimum.RatString())
			}
		}
	case []any:
		if s.items != nil {
			for i, e := range x {
				s.items.validate(e, fmt.Sprintf("%s/%d", at, i), out)
			}
		}
	case map[string]any:
		for _, r := range s.required {
			if _, ok := x[r]; !ok {
				fail("missing required property %q", r)
			}
		}
		for k, e := range x {
			sub := at + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
			if ps, ok := s.properties[k]; ok {
				ps.validate(e, sub, out)
			} else if s.noAdditional {
				fail("additional property %q is not allowed", k)
			} else if s.additional != nil {
				s.additional.validate(e, sub, out)
			}
		}
	}
}

func pointer(at string) string {
	if at == "" {
		return "#"
	}
	return "#" + at
}

func hasType(v any, t string) bool {
	switch t {
	case "integer":
		n, ok := v.(json.Number)
		if !ok {
			return false
		}
		r, ok := new(big.Rat).SetString(n.String())
		return ok && r.IsInt()
	case "number":
		_, ok := v.(json.Number)
		return ok
	}
	return typeOf(v) == t
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case json.Number:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// equal compares decoded JSON values; numbers at the top level compare by
// value (1 equals 1.0), nested ones by their text.
func equal(a, b any) bool {
	na, aok := a.(json.Number)
	nb, bok := b.(json.Number)
	if aok && bok {
		ra, ok1 := new(big.Rat).SetString(na.String())
		rb, ok2 := new(big.Rat).SetString(nb.String())
		return ok1 && ok2 && ra.Cmp(rb) == 0
	}
	return reflect.DeepEqual(a, b)
}

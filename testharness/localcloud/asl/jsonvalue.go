package asl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"

	"github.com/ohler55/ojg/oj"
)

// JSON values inside the interpreter are the shapes ojg produces and its
// JSONPath engine walks: map[string]any, []any, string, bool, nil, int64 for
// integers and float64 otherwise.

// decodeJSON parses one JSON text into an interpreter value. Definitions,
// execution inputs and task results are untrusted, and ojg's parser panics
// on some malformed texts (a bare word after an object key, as in
// {"": t,"":""0}), so encoding/json vets the text first.
func decodeJSON(b []byte) (any, error) {
	if !json.Valid(b) {
		var v any
		return nil, fmt.Errorf("invalid JSON: %w", json.Unmarshal(b, &v))
	}
	v, err := oj.Parse(b)
	if err != nil {
		// ojg also refuses some valid numbers (a zero with an exponent,
		// 0e0); encoding/json reads those.
		return decodeStdJSON(b)
	}
	return v, nil
}

// decodeStdJSON decodes valid JSON with encoding/json into the shapes ojg
// produces: integers as int64, other numbers as float64.
func decodeStdJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	return ojgShapes(v), nil
}

func ojgShapes(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = ojgShapes(e)
		}
	case []any:
		for i, e := range t {
			t[i] = ojgShapes(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// encodeJSON renders a value compactly without HTML escaping, as Step
// Functions does in outputs and history events.
func encodeJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Values come from decodeJSON or the interpreter itself; NaN/Inf
		// cannot arise from JSON input, so this is unreachable in practice.
		return "null"
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

// toFloat reports v as a float64 when it is a JSON number.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case int:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

// toInt reports v as an int64 when it is an integral JSON number.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case int:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			return int64(n), true
		}
	}
	return 0, false
}

func isNumber(v any) bool {
	_, ok := toFloat(v)
	return ok
}

// jsonEqual compares two values as JSON, treating 1 and 1.0 as equal.
func jsonEqual(a, b any) bool {
	if fa, ok := toFloat(a); ok {
		fb, ok := toFloat(b)
		return ok && fa == fb
	}
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

// jsonTypeName names a value's JSON type for error causes.
func jsonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	if isNumber(v) {
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

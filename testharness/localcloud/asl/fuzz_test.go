package asl

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// diagnosticCodes are the codes Parse may report (Step Functions'
// ValidateStateMachineDefinitionDiagnostic codes this package uses).
var diagnosticCodes = map[string]bool{
	CodeSchemaValidationFailed: true, CodeMissingTransitionTarget: true, CodeMissingEndState: true,
	CodeInvalidJSONDescription: true, CodeMissingDescription: true, CodeInvalidResource: true,
	CodeDuplicateStateName: true, CodeInvalidStateName: true,
}

// FuzzParse: any definition either compiles, and compiles again the same
// way, or fails with a *DefinitionError whose every diagnostic carries a
// Step Functions code and a JSON-pointer location; valid JSON is never
// reported as invalid JSON. It never panics.
func FuzzParse(f *testing.F) {
	for _, c := range readASLCases(f) {
		f.Add([]byte(c.Definition))
	}
	for _, def := range []string{"", "null", "{}", `{"StartAt":"A","States":{"A":{"Type":"Choice","Choices":[{"Variable":"$.x","NumericEquals":1,"Next":"A"}],"Default":"B"},"B":{"Type":"Map","Iterator":{"StartAt":"C","States":{"C":{"Type":"Succeed"}}},"End":true}}}`,
		`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"W","States":{"W":{"Type":"Wait","SecondsPath":"$.s","End":true}}}],"Retry":[{"ErrorEquals":["States.ALL"],"MaxAttempts":2}],"Catch":[{"ErrorEquals":["States.ALL"],"Next":"F"}],"Next":"F"},"F":{"Type":"Fail","Error":"E"}}}`} {
		f.Add([]byte(def))
	}
	f.Fuzz(func(t *testing.T, def []byte) {
		sm, err := Parse(def)
		if err != nil {
			var de *DefinitionError
			if !errors.As(err, &de) || len(de.Diagnostics) == 0 {
				t.Fatalf("Parse(%q) error %T %v is not a *DefinitionError with diagnostics", def, err, err)
			}
			if json.Valid(def) && de.Diagnostics[0].Code == CodeInvalidJSONDescription {
				t.Fatalf("Parse(%q) calls valid JSON invalid: %v", def, err)
			}
			for _, d := range de.Diagnostics {
				if !diagnosticCodes[d.Code] || (d.Location != "" && !strings.HasPrefix(d.Location, "/")) {
					t.Fatalf("Parse(%q): diagnostic %+v has an unknown code or a location that is no JSON pointer", def, d)
				}
			}
			return
		}
		if sm == nil {
			t.Fatalf("Parse(%q) returned neither a machine nor an error", def)
		}
		if _, err := Parse(def); err != nil {
			t.Fatalf("Parse(%q) succeeded, then failed: %v", def, err)
		}
	})
}

// FuzzIntrinsic: any ".$" expression starting with "States." either fails
// to parse, or evaluates against any JSON input to a JSON value or fails
// with a States.IntrinsicFailure or States.Runtime error, as Step
// Functions reports it. It never panics, and evaluation is deterministic
// for the functions that are not random (UUID, Hash are excluded by name).
func FuzzIntrinsic(f *testing.F) {
	for _, c := range readASLCases(f) {
		var def struct {
			States map[string]struct {
				Parameters     map[string]any
				ResultSelector map[string]any
			}
		}
		_ = json.Unmarshal(c.Definition, &def)
		for _, st := range def.States {
			for _, m := range []map[string]any{st.Parameters, st.ResultSelector} {
				for k, v := range m {
					if s, ok := v.(string); ok && strings.HasSuffix(k, ".$") && isIntrinsic(s) {
						f.Add(s, []byte(c.Input))
					}
				}
			}
		}
	}
	f.Add(`States.ArrayRange(1, 1000000000, 1)`, []byte(`{}`))
	f.Add(`States.Format('{} \{ {}', $.a, States.ArrayGetItem($.b, 0))`, []byte(`{"a":1,"b":[true]}`))
	f.Add(`States.MathAdd(States.StringToJson('9007199254740993'), -1)`, []byte(`{}`))
	f.Fuzz(func(t *testing.T, expr string, input []byte) {
		call, err := parseIntrinsic(expr)
		if err != nil {
			return
		}
		in, err := decodeJSON(input)
		if err != nil {
			in = map[string]any{}
		}
		ctxObj := map[string]any{"Execution": map[string]any{"Id": "arn:aws:states:us-east-1:000000000000:execution:m:e"}}
		v, err := call.eval(in, ctxObj)
		if err != nil {
			var se *StatesError
			if !errors.As(err, &se) || (se.Name != StatesIntrinsicFailure && se.Name != StatesRuntime) {
				t.Fatalf("%s on %s: error %T %v is not a States.IntrinsicFailure or States.Runtime", expr, input, err, err)
			}
			return
		}
		if _, err := json.Marshal(v); err != nil {
			t.Fatalf("%s on %s = %#v, which is not JSON: %v", expr, input, v, err)
		}
		if strings.Contains(expr, "UUID") {
			return
		}
		again, err := call.eval(in, ctxObj)
		if err != nil || encodeJSON(again) != encodeJSON(v) {
			t.Fatalf("%s on %s = %s, then %s, %v", expr, input, encodeJSON(v), encodeJSON(again), err)
		}
	})
}

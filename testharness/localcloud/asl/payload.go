package asl

import (
	"fmt"
	"strings"
)

// payloadTemplate is a compiled Parameters, ResultSelector or ItemSelector
// value: a JSON value whose object keys ending in ".$" take their value from
// a path or an intrinsic function (spec, "Payload Template").
type payloadTemplate struct {
	static any // used when the node has no dynamic parts below it
	fields []payloadField
	array  []*payloadTemplate
	kind   byte // 's' static, 'o' object, 'a' array
}

type payloadField struct {
	key   string // without ".$"
	path  *Path
	call  *intrinsicCall
	value *payloadTemplate
}

// compilePayload compiles a template found at location loc of the definition.
func compilePayload(v any, loc string) (*payloadTemplate, error) {
	switch x := v.(type) {
	case map[string]any:
		t := &payloadTemplate{kind: 'o'}
		for k, fv := range x {
			if !strings.HasSuffix(k, ".$") {
				sub, err := compilePayload(fv, loc+"/"+k)
				if err != nil {
					return nil, err
				}
				t.fields = append(t.fields, payloadField{key: k, value: sub})
				continue
			}
			s, ok := fv.(string)
			if !ok {
				return nil, fmt.Errorf("the value of field '%s' must be a JSONPath or an intrinsic function at %s/%s", k, loc, k)
			}
			f := payloadField{key: strings.TrimSuffix(k, ".$")}
			var err error
			if isIntrinsic(s) {
				f.call, err = parseIntrinsic(s)
			} else {
				f.path, err = compilePath(s)
			}
			if err != nil {
				return nil, fmt.Errorf("%w at %s/%s", err, loc, k)
			}
			t.fields = append(t.fields, f)
		}
		return t, nil
	case []any:
		t := &payloadTemplate{kind: 'a'}
		for i, e := range x {
			sub, err := compilePayload(e, fmt.Sprintf("%s[%d]", loc, i))
			if err != nil {
				return nil, err
			}
			t.array = append(t.array, sub)
		}
		return t, nil
	}
	return &payloadTemplate{kind: 's', static: v}, nil
}

// eval builds the payload from input and the context object. A path that
// selects nothing fails with States.Runtime, an intrinsic error with
// States.IntrinsicFailure, as AWS does.
func (t *payloadTemplate) eval(input, ctxObj any) (any, error) {
	switch t.kind {
	case 'o':
		out := make(map[string]any, len(t.fields))
		for _, f := range t.fields {
			switch {
			case f.path != nil:
				v, ok := f.path.get(input, ctxObj)
				if !ok {
					return nil, newStatesError(StatesRuntime, "The JSONPath '%s' specified for the field '%s.$' could not be found in the input '%s'", f.path.raw, f.key, encodeJSON(input))
				}
				out[f.key] = v
			case f.call != nil:
				v, err := f.call.eval(input, ctxObj)
				if err != nil {
					return nil, err
				}
				out[f.key] = v
			default:
				v, err := f.value.eval(input, ctxObj)
				if err != nil {
					return nil, err
				}
				out[f.key] = v
			}
		}
		return out, nil
	case 'a':
		out := make([]any, len(t.array))
		for i, e := range t.array {
			v, err := e.eval(input, ctxObj)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return t.static, nil
}

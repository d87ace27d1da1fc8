// Package transform computes what an EventBridge rule target receives:
// the event itself, a constant Input, the part of the event an InputPath
// selects, or an InputTransformer's template filled from the event.
//
// Template substitution follows the EventBridge User Guide ("Amazon
// EventBridge input transformation", examples and "Common issues"):
//   - a placeholder outside a JSON string is replaced by the variable's JSON
//     value, so strings gain quotes and objects stay objects;
//   - a placeholder inside a JSON string is replaced by the value's text
//     without escaping (EventBridge "doesn't escape values extracted by
//     Input Path"); an object or array there loses its internal quotes;
//   - a variable whose path selects nothing "isn't created": its
//     placeholder becomes null in a value position and nothing in a string;
//   - placeholders naming no variable are left as written.
package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Reserved variables, which InputPathsMap may not define.
const (
	VarRuleARN       = "aws.events.rule-arn"
	VarRuleName      = "aws.events.rule-name"
	VarEvent         = "aws.events.event"
	VarEventJSON     = "aws.events.event.json"
	VarIngestionTime = "aws.events.event.ingestion-time"
)

// Limits from the API reference (InputTransformer).
const (
	MaxPathsMapEntries = 100
	MaxTemplateLength  = 8192
)

// InputTransformer is a target's InputPathsMap and InputTemplate.
type InputTransformer struct {
	InputPathsMap map[string]string
	InputTemplate string
}

// Spec is how a target's input is chosen; at most one field is set.
type Spec struct {
	Input       *string
	InputPath   string
	Transformer *InputTransformer
}

// Context holds the values of the reserved variables besides the event.
type Context struct {
	RuleARN, RuleName string
	IngestionTime     time.Time
}

var variableName = regexp.MustCompile(`^[A-Za-z0-9_\-]+$`)

// Validate checks a spec as PutTargets does and returns the reason it is
// not valid.
func Validate(s Spec) error {
	set := 0
	for _, b := range []bool{s.Input != nil, s.InputPath != "", s.Transformer != nil} {
		if b {
			set++
		}
	}
	if set > 1 {
		return fmt.Errorf("only one of Input, InputPath, or InputTransformer must be provided")
	}
	if s.Input != nil && !json.Valid([]byte(*s.Input)) {
		return fmt.Errorf("Input is not valid JSON")
	}
	if s.InputPath != "" {
		if _, err := ParsePath(s.InputPath); err != nil {
			return fmt.Errorf("InputPath is not valid: %w", err)
		}
	}
	if t := s.Transformer; t != nil {
		if t.InputTemplate == "" || len(t.InputTemplate) > MaxTemplateLength {
			return fmt.Errorf("InputTemplate must be 1 to %d characters", MaxTemplateLength)
		}
		if len(t.InputPathsMap) > MaxPathsMapEntries {
			return fmt.Errorf("InputPathsMap can have at most %d entries", MaxPathsMapEntries)
		}
		for k, v := range t.InputPathsMap {
			if strings.HasPrefix(k, "aws.events.") {
				return fmt.Errorf("InputPathsMap key %s is reserved", k)
			}
			if !variableName.MatchString(k) {
				return fmt.Errorf("InputPathsMap key %q is not valid", k)
			}
			if _, err := ParsePath(v); err != nil {
				return fmt.Errorf("InputPathsMap value for %s is not valid: %w", k, err)
			}
		}
	}
	return nil
}

// Apply returns the payload a target receives for event (the envelope as
// EventBridge delivers it, compact JSON). The spec must be valid.
func Apply(s Spec, event []byte, c Context) ([]byte, error) {
	switch {
	case s.Input != nil:
		return []byte(*s.Input), nil
	case s.InputPath != "":
		p, err := ParsePath(s.InputPath)
		if err != nil {
			return nil, err
		}
		if v, ok := p.Eval(event); ok {
			return v, nil
		}
		return []byte("null"), nil
	case s.Transformer != nil:
		return render(s.Transformer, event, c)
	}
	return event, nil
}

func render(t *InputTransformer, event []byte, c Context) ([]byte, error) {
	vars := make(map[string]json.RawMessage, len(t.InputPathsMap)+5)
	missing := map[string]bool{}
	for k, v := range t.InputPathsMap {
		p, err := ParsePath(v)
		if err != nil {
			return nil, err
		}
		if val, ok := p.Eval(event); ok {
			vars[k] = val
		} else {
			missing[k] = true
		}
	}
	vars[VarRuleARN] = quote(c.RuleARN)
	vars[VarRuleName] = quote(c.RuleName)
	vars[VarIngestionTime] = quote(c.IngestionTime.UTC().Format(time.RFC3339))
	vars[VarEventJSON] = event
	withoutDetail, err := dropDetail(event)
	if err != nil {
		return nil, err
	}
	vars[VarEvent] = withoutDetail
	return substitute(t.InputTemplate, vars, missing), nil
}

// substitute fills the template's placeholders, tracking whether each one
// sits inside a JSON string literal of the template.
func substitute(tmpl string, vars map[string]json.RawMessage, missing map[string]bool) []byte {
	var b bytes.Buffer
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if c == '<' {
			if end := strings.IndexByte(tmpl[i+1:], '>'); end >= 0 {
				name := tmpl[i+1 : i+1+end]
				if v, ok := vars[name]; ok {
					if inString {
						b.Write(stringForm(v))
					} else {
						b.Write(v)
					}
					i += end + 1
					continue
				}
				if missing[name] {
					if !inString {
						b.WriteString("null")
					}
					i += end + 1
					continue
				}
			}
		}
		if inString && c == '\\' && i+1 < len(tmpl) {
			b.WriteByte(c)
			b.WriteByte(tmpl[i+1])
			i++
			continue
		}
		if c == '"' {
			inString = !inString
		}
		b.WriteByte(c)
	}
	return b.Bytes()
}

// stringForm is a value as it appears inside a template string: a string's
// text unescaped, an object or array without its quotes, anything else as
// written.
func stringForm(v json.RawMessage) []byte {
	if len(v) == 0 {
		return nil
	}
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return []byte(s)
		}
	case '{', '[':
		return bytes.ReplaceAll(v, []byte(`"`), nil)
	}
	return v
}

func quote(s string) json.RawMessage {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// dropDetail returns the event object without its detail member, keeping
// the order of the others (aws.events.event).
func dropDetail(event []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(event))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("transform: event is not a JSON object")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("transform: read event: %w", err)
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("transform: read event: %w", err)
		}
		if key == "detail" {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		b.Write(quote(key))
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

package diagnose

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// rejection is one condition of a pattern that an event fails: the field,
// the value the event has there, and what the pattern wants.
type rejection struct {
	Field string
	Has   string
	Wants string
}

func (r rejection) String() string {
	if strings.HasSuffix(r.Field, "$or") {
		return fmt.Sprintf("the event matches none of the alternatives %s the pattern wants under %s", r.Wants, r.Field)
	}
	return fmt.Sprintf("%s is %s, the pattern wants %s", r.Field, r.Has, r.Wants)
}

// matches asks EventBridge whether pattern matches event.
func (d *Diagnoser) matches(ctx context.Context, pattern string, event []byte) (bool, error) {
	out, err := d.events.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{
		EventPattern: aws.String(pattern), Event: aws.String(string(event)),
	})
	if err != nil {
		return false, fmt.Errorf("TestEventPattern: %w", err)
	}
	return out.Result, nil
}

// rejections finds which conditions of pattern reject event, authoritatively:
// for each leaf path of the pattern (an $or counts as one condition), it
// asks TestEventPattern about a pattern holding only that path's condition;
// the ones that answer false are the fields the pattern rejects.
func (d *Diagnoser) rejections(ctx context.Context, pattern string, event []byte) ([]rejection, error) {
	var p map[string]any
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("pattern %s: %w", pattern, err)
	}
	var fields map[string]any
	dec = json.NewDecoder(bytes.NewReader(event))
	dec.UseNumber()
	if err := dec.Decode(&fields); err != nil {
		return nil, fmt.Errorf("event: %w", err)
	}
	var out []rejection
	for _, c := range leafConditions(p, nil) {
		single, err := json.Marshal(nest(c.path, c.condition))
		if err != nil {
			return nil, err
		}
		ok, err := d.matches(ctx, string(single), event)
		if err != nil {
			return nil, err
		}
		if !ok {
			wants, _ := json.Marshal(c.condition)
			out = append(out, rejection{Field: strings.Join(c.path, "."), Has: valueAt(fields, c.path), Wants: string(wants)})
		}
	}
	return out, nil
}

// leafCondition is one path of a pattern and the condition at its end.
type leafCondition struct {
	path      []string
	condition any
}

// leafConditions lists a pattern's paths in a stable order. A key whose
// value is an array is a leaf; "$or" and its alternatives stay one leaf.
func leafConditions(p map[string]any, prefix []string) []leafCondition {
	var out []leafCondition
	for _, k := range slices.Sorted(maps.Keys(p)) {
		path := append(append([]string(nil), prefix...), k)
		if sub, ok := p[k].(map[string]any); ok && k != "$or" {
			out = append(out, leafConditions(sub, path)...)
			continue
		}
		out = append(out, leafCondition{path: path, condition: p[k]})
	}
	return out
}

// nest builds the pattern {"a": {"b": condition}} for path a.b.
func nest(path []string, condition any) map[string]any {
	v := condition
	for i := len(path) - 1; i >= 1; i-- {
		v = map[string]any{path[i]: v}
	}
	return map[string]any{path[0]: v}
}

// valueAt renders the event's value at path as JSON, or "absent". The
// path of an $or names the object it applies to.
func valueAt(event map[string]any, path []string) string {
	var v any = event
	for _, k := range path {
		if k == "$or" {
			break
		}
		m, ok := v.(map[string]any)
		if !ok {
			return "absent"
		}
		if v, ok = m[k]; !ok {
			return "absent"
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

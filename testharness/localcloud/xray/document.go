package xray

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// document renders a segment as BatchGetTraces returns it: the document as
// sent, with each subsegment that was sent on its own appended to its
// parent's "subsegments", without the fields that only served to place it
// (type, parent_id, trace_id).
func (v *traceView) document(u *segment) (string, error) {
	m, err := decodeObject(u.raw)
	if err != nil {
		return "", err
	}
	if err := v.attach(m); err != nil {
		return "", err
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode document: %w", err)
	}
	return string(b), nil
}

// attach nests, below every (sub)segment in m, the subsegments whose
// parent it is.
func (v *traceView) attach(m map[string]any) error {
	subs, _ := m["subsegments"].([]any)
	for _, sub := range subs {
		if sm, ok := sub.(map[string]any); ok {
			if err := v.attach(sm); err != nil {
				return err
			}
		}
	}
	id, _ := m["id"].(string)
	for _, c := range v.children[id] {
		cm, err := decodeObject(c.raw)
		if err != nil {
			return err
		}
		delete(cm, "type")
		delete(cm, "parent_id")
		delete(cm, "trace_id")
		if err := v.attach(cm); err != nil {
			return err
		}
		subs = append(subs, cm)
	}
	if len(subs) > 0 {
		m["subsegments"] = subs
	}
	return nil
}

// decodeObject decodes a document keeping numbers as written.
func decodeObject(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode stored document: %w", err)
	}
	return m, nil
}

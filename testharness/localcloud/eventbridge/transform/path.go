package transform

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Path is a compiled JSONPath of the subset EventBridge evaluates in
// InputPath and InputPathsMap: "$", dot names (letters, digits, dashes,
// underscores, slashes), bracketed quoted names, array indices and the
// wildcard "*" (EventBridge User Guide, "Amazon EventBridge input
// transformation": supported syntax).
type Path struct {
	source   string
	steps    []step
	wildcard bool // a wildcard makes the result an array of every match
}

type step struct {
	name  string
	index int // >= 0 for [n]
	any   bool
}

// ParsePath compiles a JSONPath such as "$.detail.items[0].id".
func ParsePath(s string) (Path, error) {
	p := Path{source: s}
	if !strings.HasPrefix(s, "$") {
		return p, fmt.Errorf("JSON path %q must start with $", s)
	}
	rest := s[1:]
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			name := rest[:end]
			if name == "" {
				return p, fmt.Errorf("JSON path %q has an empty name", s)
			}
			if name == "*" {
				p.steps = append(p.steps, step{any: true, index: -1})
				p.wildcard = true
			} else {
				p.steps = append(p.steps, step{name: name, index: -1})
			}
			rest = rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return p, fmt.Errorf("JSON path %q has an unclosed [", s)
			}
			inner := rest[1:end]
			rest = rest[end+1:]
			switch {
			case inner == "*":
				p.steps = append(p.steps, step{any: true, index: -1})
				p.wildcard = true
			case len(inner) >= 2 && (inner[0] == '\'' || inner[0] == '"') && inner[len(inner)-1] == inner[0]:
				p.steps = append(p.steps, step{name: inner[1 : len(inner)-1], index: -1})
			default:
				n, err := strconv.Atoi(inner)
				if err != nil || n < 0 {
					return p, fmt.Errorf("JSON path %q has an invalid index [%s]", s, inner)
				}
				p.steps = append(p.steps, step{index: n})
			}
		default:
			return p, fmt.Errorf("JSON path %q: unexpected %q", s, rest[0])
		}
	}
	return p, nil
}

func (p Path) String() string { return p.source }

// Eval returns the raw JSON the path selects in doc, keeping the document's
// own text (and so its key order). A path with a wildcard selects an array
// of every match. ok is false when nothing is selected.
func (p Path) Eval(doc []byte) (value json.RawMessage, ok bool) {
	nodes := []json.RawMessage{bytes.TrimSpace(doc)}
	for _, st := range p.steps {
		var next []json.RawMessage
		for _, n := range nodes {
			next = append(next, st.apply(n)...)
		}
		nodes = next
		if len(nodes) == 0 {
			return nil, false
		}
	}
	if !p.wildcard {
		return nodes[0], true
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, n := range nodes {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(n)
	}
	b.WriteByte(']')
	return b.Bytes(), true
}

func (st step) apply(n json.RawMessage) []json.RawMessage {
	if len(n) == 0 {
		return nil
	}
	switch n[0] {
	case '{':
		if st.index >= 0 {
			return nil
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(n, &obj) != nil {
			return nil
		}
		if st.any {
			return objectValues(n, obj)
		}
		if v, ok := obj[st.name]; ok {
			return []json.RawMessage{v}
		}
	case '[':
		var arr []json.RawMessage
		if json.Unmarshal(n, &arr) != nil {
			return nil
		}
		switch {
		case st.any:
			return arr
		case st.index >= 0 && st.index < len(arr):
			return []json.RawMessage{arr[st.index]}
		}
	}
	return nil
}

// objectValues returns an object's values in document order, which a Go
// map does not keep.
func objectValues(n json.RawMessage, obj map[string]json.RawMessage) []json.RawMessage {
	dec := json.NewDecoder(bytes.NewReader(n))
	_, _ = dec.Token() // '{'
	out := make([]json.RawMessage, 0, len(obj))
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return out
		}
		if _, isKey := tok.(string); isKey {
			out = append(out, v)
		}
	}
	return out
}

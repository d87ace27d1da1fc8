package eventpattern

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Pattern is a compiled EventBridge event pattern. It is immutable and safe
// for concurrent use.
type Pattern struct {
	root   *objectNode
	source string // the pattern as given, compacted
}

// objectNode is one JSON object of a pattern: every field must match, and
// for every $or group at least one alternative must match the same object.
type objectNode struct {
	fields []*fieldNode
	ors    [][]*objectNode
}

// fieldNode is one key of a pattern object; exactly one of object and leaf
// is set.
type fieldNode struct {
	key    string
	object *objectNode
	leaf   *leafNode
}

// orReservedNames are the operator names event-ruler refuses as field
// names inside $or, where they would be ambiguous.
var orReservedNames = map[string]bool{
	"anything-but": true, "exists": true, "prefix": true, "suffix": true,
	"numeric": true, "cidr": true, "equals-ignore-case": true, "wildcard": true,
}

// Compile parses and validates an event pattern. An invalid pattern yields
// an *InvalidPatternError whose message is the one EventBridge returns.
func Compile(pattern []byte) (*Pattern, error) {
	r := newTokenReader(pattern)
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokBeginObject {
		return nil, invalid("Filter is not an object")
	}
	root, err := parseObject(r, false)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, pattern); err != nil {
		// The tokens parsed, so only trailing text can be malformed.
		return nil, invalid(err.Error())
	}
	return &Pattern{root: root, source: compact.String()}, nil
}

// MustCompile is Compile for patterns written in Go source; it panics on an
// invalid pattern, so use it only with constants.
func MustCompile(pattern string) *Pattern {
	p, err := Compile([]byte(pattern))
	if err != nil {
		panic(fmt.Sprintf("eventpattern: MustCompile(%q): %v", pattern, err))
	}
	return p
}

// String returns the pattern's JSON text.
func (p *Pattern) String() string { return p.source }

// MarshalJSON returns the pattern's JSON text.
func (p *Pattern) MarshalJSON() ([]byte, error) { return []byte(p.source), nil }

// parseObject reads the members of an object whose '{' has been consumed.
func parseObject(r *tokenReader, insideOr bool) (*objectNode, error) {
	node := &objectNode{}
	present := false
	for {
		t, err := r.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tokEndObject {
			break
		}
		present = true
		key := t.text
		if key == "$or" {
			alts, err := parseOr(r)
			if err != nil {
				return nil, err
			}
			node.ors = append(node.ors, alts)
			continue
		}
		if insideOr && orReservedNames[key] {
			return nil, invalid(key + " is Ruler reserved fieldName which cannot be used inside $or.")
		}
		v, err := r.next()
		if err != nil {
			return nil, err
		}
		switch v.kind {
		case tokBeginObject:
			child, err := parseObject(r, insideOr)
			if err != nil {
				return nil, err
			}
			node.setPath(key, &fieldNode{object: child})
		case tokBeginArray:
			leaf, err := parseLeaf(r)
			if err != nil {
				return nil, err
			}
			node.setPath(key, &fieldNode{leaf: leaf})
		default:
			return nil, invalid(fmt.Sprintf("%q must be an object or an array", key))
		}
	}
	if !present {
		return nil, invalid("Empty objects are not allowed")
	}
	return node, nil
}

// setPath adds f under key. EventBridge names a field by the dot-joined
// path of its keys, so {"a.b": …} and {"a": {"b": …}} are the same field
// (AWS-validated); a dotted key is stored as nested objects.
func (o *objectNode) setPath(key string, f *fieldNode) {
	head, rest, dotted := strings.Cut(key, ".")
	if !dotted {
		f.key = key
		o.set(f)
		return
	}
	child := &objectNode{}
	child.setPath(rest, f)
	o.set(&fieldNode{key: head, object: child})
}

// set adds a field. A key repeated in the pattern text keeps its last
// value, as EventBridge documents; repeated objects merge, because
// EventBridge keys the pattern by full path.
func (o *objectNode) set(f *fieldNode) {
	for i, old := range o.fields {
		if old.key != f.key {
			continue
		}
		if old.object != nil && f.object != nil {
			for _, sub := range f.object.fields {
				old.object.set(sub)
			}
			old.object.ors = append(old.object.ors, f.object.ors...)
			return
		}
		o.fields[i] = f
		return
	}
	o.fields = append(o.fields, f)
}

// parseOr reads the array after a "$or" key.
func parseOr(r *tokenReader) ([]*objectNode, error) {
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokBeginArray {
		return nil, invalid("It must be an Array followed with $or.")
	}
	var alts []*objectNode
	for {
		t, err := r.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tokEndArray {
			break
		}
		if t.kind != tokBeginObject {
			return nil, invalid("Only JSON object is allowed in array of $or relationship.")
		}
		alt, err := parseObject(r, true)
		if err != nil {
			return nil, err
		}
		alts = append(alts, alt)
	}
	if len(alts) < 2 {
		return nil, invalid("There must have at least 2 Objects in $or relationship.")
	}
	return alts, nil
}

// parseLeaf reads the array of values and match expressions for one field,
// whose '[' has been consumed.
func parseLeaf(r *tokenReader) (*leafNode, error) {
	leaf := &leafNode{}
	empty := true
	for {
		t, err := r.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokEndArray:
			if empty {
				return nil, invalid("Empty arrays are not allowed")
			}
			return leaf, nil
		case tokBeginObject:
			if err := parseMatchExpression(r, leaf); err != nil {
				return nil, err
			}
		case tokString:
			leaf.addString(t.text)
		case tokNumber:
			leaf.nums = append(leaf.nums, newNumber(t.text))
		case tokTrue:
			leaf.literals |= litTrue
		case tokFalse:
			leaf.literals |= litFalse
		case tokNull:
			leaf.literals |= litNull
		default:
			return nil, invalid("Match value must be String, number, true, false, or null")
		}
		empty = false
	}
}

package expr

import (
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// PathElem is one step of a document path: a map key or a list index.
type PathElem struct {
	Name    string
	Index   int
	IsIndex bool
}

// Path is a document path such as a.b[1].c, placeholders resolved.
type Path []PathElem

// String renders the path as DynamoDB's messages do: [a, b, [1]].
func (p Path) String() string {
	parts := make([]string, len(p))
	for i, e := range p {
		if e.IsIndex {
			parts[i] = "[" + strconv.Itoa(e.Index) + "]"
		} else {
			parts[i] = e.Name
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// overlaps tells whether one path is a prefix of the other.
func (p Path) overlaps(o Path) bool {
	n := min(len(p), len(o))
	for i := range n {
		if p[i] != o[i] {
			return false
		}
	}
	return true
}

// Get returns the value at the path in item.
func (p Path) Get(item attr.Item) (attr.Value, bool) {
	v, ok := item[p[0].Name]
	for _, e := range p[1:] {
		if !ok {
			return attr.Value{}, false
		}
		switch {
		case e.IsIndex && v.Type == attr.L && e.Index < len(v.L):
			v = v.L[e.Index]
		case !e.IsIndex && v.Type == attr.M:
			v, ok = v.M[e.Name]
		default:
			return attr.Value{}, false
		}
	}
	return v, ok
}

var errInvalidPath = &Error{Msg: "The document path provided in the update expression is invalid for update"}

// set stores v at the path, copying every map and list along it so that
// values shared with other items are never changed.
func (p Path) set(item attr.Item, v attr.Value) error {
	if len(p) == 1 {
		item[p[0].Name] = v
		return nil
	}
	parent, ok := item[p[0].Name]
	if !ok {
		return errInvalidPath
	}
	nv, err := setIn(parent, p[1:], v)
	if err != nil {
		return err
	}
	item[p[0].Name] = nv
	return nil
}

func setIn(cur attr.Value, rest Path, v attr.Value) (attr.Value, error) {
	e := rest[0]
	if e.IsIndex {
		if cur.Type != attr.L {
			return attr.Value{}, errInvalidPath
		}
		l := append([]attr.Value(nil), cur.L...)
		if len(rest) == 1 {
			if e.Index >= len(l) {
				l = append(l, v)
			} else {
				l[e.Index] = v
			}
			return attr.List(l), nil
		}
		if e.Index >= len(l) {
			return attr.Value{}, errInvalidPath
		}
		nv, err := setIn(l[e.Index], rest[1:], v)
		if err != nil {
			return attr.Value{}, err
		}
		l[e.Index] = nv
		return attr.List(l), nil
	}
	if cur.Type != attr.M {
		return attr.Value{}, errInvalidPath
	}
	m := make(map[string]attr.Value, len(cur.M)+1)
	for k, x := range cur.M {
		m[k] = x
	}
	if len(rest) == 1 {
		m[e.Name] = v
		return attr.Map(m), nil
	}
	child, ok := m[e.Name]
	if !ok {
		return attr.Value{}, errInvalidPath
	}
	nv, err := setIn(child, rest[1:], v)
	if err != nil {
		return attr.Value{}, err
	}
	m[e.Name] = nv
	return attr.Map(m), nil
}

// remove deletes the value at the path; a missing one is no error, as
// REMOVE of an absent attribute is a no-op on DynamoDB.
func (p Path) remove(item attr.Item) error {
	if len(p) == 1 {
		delete(item, p[0].Name)
		return nil
	}
	parent, ok := item[p[0].Name]
	if !ok {
		return nil
	}
	nv, err := removeIn(parent, p[1:])
	if err != nil {
		return err
	}
	item[p[0].Name] = nv
	return nil
}

func removeIn(cur attr.Value, rest Path) (attr.Value, error) {
	e := rest[0]
	if e.IsIndex {
		if cur.Type != attr.L {
			return attr.Value{}, errInvalidPath
		}
		if e.Index >= len(cur.L) {
			return cur, nil
		}
		l := append([]attr.Value(nil), cur.L...)
		if len(rest) == 1 {
			return attr.List(append(l[:e.Index], l[e.Index+1:]...)), nil
		}
		nv, err := removeIn(l[e.Index], rest[1:])
		if err != nil {
			return attr.Value{}, err
		}
		l[e.Index] = nv
		return attr.List(l), nil
	}
	if cur.Type != attr.M {
		return attr.Value{}, errInvalidPath
	}
	child, ok := cur.M[e.Name]
	if !ok {
		return cur, nil
	}
	m := make(map[string]attr.Value, len(cur.M))
	for k, x := range cur.M {
		m[k] = x
	}
	if len(rest) == 1 {
		delete(m, e.Name)
		return attr.Map(m), nil
	}
	nv, err := removeIn(child, rest[1:])
	if err != nil {
		return attr.Value{}, err
	}
	m[e.Name] = nv
	return attr.Map(m), nil
}

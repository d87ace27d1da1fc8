package expr

import (
	"sort"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// Projection is a parsed projection expression: the paths to keep.
type Projection []Path

// Apply returns the parts of item the projection names. Nested paths keep
// their structure; projected list elements keep their order and close up,
// as DynamoDB returns them.
func (pr Projection) Apply(item attr.Item) attr.Item {
	root := &projNode{}
	for _, p := range pr {
		root.add(p)
	}
	out := attr.Item{}
	for name, child := range root.names {
		if v, ok := item[name]; ok {
			if pv, ok := child.apply(v); ok {
				out[name] = pv
			}
		}
	}
	return out
}

type projNode struct {
	leaf  bool
	names map[string]*projNode
	idx   map[int]*projNode
}

func (n *projNode) add(p Path) {
	for _, e := range p {
		if e.IsIndex {
			if n.idx == nil {
				n.idx = map[int]*projNode{}
			}
			if n.idx[e.Index] == nil {
				n.idx[e.Index] = &projNode{}
			}
			n = n.idx[e.Index]
			continue
		}
		if n.names == nil {
			n.names = map[string]*projNode{}
		}
		if n.names[e.Name] == nil {
			n.names[e.Name] = &projNode{}
		}
		n = n.names[e.Name]
	}
	n.leaf = true
}

func (n *projNode) apply(v attr.Value) (attr.Value, bool) {
	if n.leaf {
		return v, true
	}
	switch {
	case v.Type == attr.M && n.names != nil:
		m := map[string]attr.Value{}
		for name, child := range n.names {
			if cv, ok := v.M[name]; ok {
				if pv, ok := child.apply(cv); ok {
					m[name] = pv
				}
			}
		}
		return attr.Map(m), len(m) > 0
	case v.Type == attr.L && n.idx != nil:
		keys := make([]int, 0, len(n.idx))
		for i := range n.idx {
			keys = append(keys, i)
		}
		sort.Ints(keys)
		var l []attr.Value
		for _, i := range keys {
			if i < len(v.L) {
				if pv, ok := n.idx[i].apply(v.L[i]); ok {
					l = append(l, pv)
				}
			}
		}
		return attr.List(l), len(l) > 0
	}
	return attr.Value{}, false
}

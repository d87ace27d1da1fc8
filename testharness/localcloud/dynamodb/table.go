package dynamodb

import (
	"sort"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// keySchema names a table's or index's key attributes; sort is "" when
// there is no sort key.
type keySchema struct{ pk, sk string }

func (k keySchema) elements() []KeySchemaElement {
	out := []KeySchemaElement{{AttributeName: k.pk, KeyType: "HASH"}}
	if k.sk != "" {
		out = append(out, KeySchemaElement{AttributeName: k.sk, KeyType: "RANGE"})
	}
	return out
}

// index is a global or local secondary index. Its items are not stored:
// reads compute them from the table, so an index is always consistent.
type index struct {
	name       string
	keys       keySchema
	projection Projection
	throughput *ProvisionedThroughput
	local      bool
}

// table is one table's definition and items.
type table struct {
	name        string
	arn         string
	id          string
	created     time.Time
	attrTypes   map[string]string // AttributeDefinitions
	keys        keySchema
	gsis        []*index
	lsis        []*index
	billing     string
	throughput  ProvisionedThroughput
	stream      *StreamSpecification // nil: no stream
	streamLabel string               // of the latest stream, kept when disabled
	ttlAttr     string
	ttlEnabled  bool
	sse         map[string]any
	pitr        map[string]any
	protection  bool

	parts     map[string]*partition // by encoded partition key
	order     []string              // encoded partition keys, sorted when !dirty
	dirty     bool
	itemCount int64
	sizeBytes int64
}

// partition holds the items of one partition key, ordered by sort key.
type partition struct {
	items []attr.Item
}

// encodeKey turns a key value into a map key that also orders partitions
// deterministically for Scan.
func encodeKey(v attr.Value) string {
	switch v.Type {
	case attr.S:
		return "S" + v.S
	case attr.N:
		return "N" + v.N.String()
	}
	return "B" + string(v.B)
}

func (t *table) streamARN() string {
	if t.streamLabel == "" {
		return ""
	}
	return t.arn + "/stream/" + t.streamLabel
}

// activeStreamARN is the ARN of the table's enabled stream, "" when none.
func (t *table) activeStreamARN() string {
	if t.stream == nil {
		return ""
	}
	return t.streamARN()
}

func (t *table) index(name string) *index {
	for _, ix := range append(append([]*index(nil), t.gsis...), t.lsis...) {
		if ix.name == name {
			return ix
		}
	}
	return nil
}

// keyOf returns the table key attributes of an item.
func (t *table) keyOf(item attr.Item) attr.Item {
	k := attr.Item{t.keys.pk: item[t.keys.pk]}
	if t.keys.sk != "" {
		k[t.keys.sk] = item[t.keys.sk]
	}
	return k
}

// find returns the position of the item with key in its partition.
func (t *table) find(key attr.Item) (p *partition, i int, found bool) {
	p = t.parts[encodeKey(key[t.keys.pk])]
	if p == nil {
		return nil, 0, false
	}
	if t.keys.sk == "" {
		return p, 0, len(p.items) > 0
	}
	sk := key[t.keys.sk]
	i = sort.Search(len(p.items), func(j int) bool {
		c, _ := attr.Compare(p.items[j][t.keys.sk], sk)
		return c >= 0
	})
	if i < len(p.items) {
		c, _ := attr.Compare(p.items[i][t.keys.sk], sk)
		found = c == 0
	}
	return p, i, found
}

// get returns the item with key, or nil. Must hold s.mu.
func (t *table) get(key attr.Item) attr.Item {
	p, i, ok := t.find(key)
	if !ok {
		return nil
	}
	return p.items[i]
}

// put stores item (replacing the one with its key) and returns the old
// one. Stored items are never changed afterwards. Must hold s.mu.
func (t *table) put(item attr.Item) attr.Item {
	enc := encodeKey(item[t.keys.pk])
	p, i, found := t.find(item)
	if p == nil {
		p = &partition{}
		t.parts[enc] = p
		t.order = append(t.order, enc)
		t.dirty = true
	}
	size := int64(item.Size())
	if found {
		old := p.items[i]
		p.items[i] = item
		t.sizeBytes += size - int64(old.Size())
		return old
	}
	p.items = append(p.items, nil)
	copy(p.items[i+1:], p.items[i:])
	p.items[i] = item
	t.itemCount++
	t.sizeBytes += size
	return nil
}

// remove deletes the item with key and returns it, or nil. Must hold s.mu.
func (t *table) remove(key attr.Item) attr.Item {
	p, i, found := t.find(key)
	if !found {
		return nil
	}
	old := p.items[i]
	p.items = append(p.items[:i], p.items[i+1:]...)
	if len(p.items) == 0 {
		delete(t.parts, encodeKey(key[t.keys.pk]))
		t.dirty = true // partitionOrder drops the key
	}
	t.itemCount--
	t.sizeBytes -= int64(old.Size())
	return old
}

// partitionOrder returns the encoded partition keys in scan order. Must
// hold s.mu.
func (t *table) partitionOrder() []string {
	if t.dirty {
		sort.Strings(t.order)
		kept := t.order[:0]
		for _, k := range t.order {
			if t.parts[k] != nil && (len(kept) == 0 || kept[len(kept)-1] != k) {
				kept = append(kept, k)
			}
		}
		t.order = kept
		t.dirty = false
	}
	return t.order
}

// each calls fn for every item in scan order until fn returns false. Must
// hold s.mu.
func (t *table) each(fn func(attr.Item) bool) {
	for _, k := range t.partitionOrder() {
		for _, it := range t.parts[k].items {
			if !fn(it) {
				return
			}
		}
	}
}

package dynamodb

import (
	"context"
	"hash/fnv"
	"slices"
	"sort"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/expr"
)

// maxPage is the data a Query or Scan reads before it stops with a
// LastEvaluatedKey, whatever its Limit ("1 MB", API Reference Query).
const maxPage = 1 << 20

// row is an item in the order a read visits it, with the tuple that
// orders it (and positions an ExclusiveStartKey).
type row struct {
	item attr.Item
	key  []attr.Value
}

func compareTuples(a, b []attr.Value) int {
	for i := range min(len(a), len(b)) {
		if c, _ := attr.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}

// readPlan is what Query and Scan share once their input is checked.
type readPlan struct {
	t          *table
	ix         *index
	filter     expr.Condition
	proj       expr.Projection
	count      bool
	limit      int
	forward    bool
	esk        attr.Item
	consistent bool
}

func (s *Service) plan(tableName, indexName, filter, projText string, attrsToGet []string, sel string, limit *int,
	esk attr.Item, ectx *expr.Context) (*readPlan, error) {
	p := &readPlan{forward: true, esk: esk}
	if limit != nil {
		if *limit < 1 {
			return nil, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
		}
		p.limit = *limit
	}
	var err error
	if filter != "" {
		if p.filter, err = expr.ParseCondition("FilterExpression", filter, ectx); err != nil {
			return nil, err
		}
	}
	if p.proj, err = projection(projText, attrsToGet, ectx); err != nil {
		return nil, err
	}
	switch sel {
	case "", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES":
		if p.proj != nil && sel != "" {
			return nil, validation("Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES")
		}
	case "COUNT":
		if p.proj != nil {
			return nil, validation("Cannot specify the AttributesToGet when choosing to get only the COUNT")
		}
		p.count = true
	case "SPECIFIC_ATTRIBUTES":
		if p.proj == nil {
			return nil, validation("Select type SPECIFIC_ATTRIBUTES requires AttributesToGet or ProjectionExpression")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]", sel)
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, err
	}
	t := s.tables[tableName]
	if t == nil {
		return nil, errItemTableNotFound
	}
	p.t = t
	if indexName != "" {
		if p.ix = t.index(indexName); p.ix == nil {
			return nil, validation("The table does not have the specified index: %s", indexName)
		}
	}
	return p, nil
}

// checkStartKey validates an ExclusiveStartKey: the table's key plus, on
// an index, the index's key.
func (p *readPlan) checkStartKey() error {
	if p.esk == nil {
		return nil
	}
	want := p.t.keyOf(p.esk)
	if p.ix != nil {
		for _, n := range []string{p.ix.keys.pk, p.ix.keys.sk} {
			if n != "" {
				want[n] = p.esk[n]
			}
		}
	}
	for n, v := range want {
		if v.Type == attr.Invalid || v.Type.String() != p.t.attrTypes[n] {
			return validation("The provided starting key is invalid: The provided key element does not match the schema")
		}
	}
	if len(want) != len(p.esk) {
		return validation("The provided starting key is invalid: The provided key element does not match the schema")
	}
	return nil
}

// tuple orders rows: on the table, the sort key (within one partition) or
// partition then sort key (scan); on an index, the index keys, then the
// table's keys, so that every row has one place.
func (p *readPlan) tuple(item attr.Item, scan bool) []attr.Value {
	var out []attr.Value
	if p.ix != nil {
		if scan || p.ix.local {
			out = append(out, attr.Str(encodeKey(item[p.ix.keys.pk])))
		}
		if p.ix.keys.sk != "" {
			out = append(out, item[p.ix.keys.sk])
		}
	}
	if scan || p.ix != nil {
		out = append(out, attr.Str(encodeKey(item[p.t.keys.pk])))
	}
	if p.t.keys.sk != "" {
		out = append(out, item[p.t.keys.sk])
	}
	return out
}

// run reads rows in order, from after the ExclusiveStartKey, up to the
// Limit or a page of data, and filters and projects them.
func (p *readPlan) run(rows []row, scan bool, capacityMode string) *ReadOutput {
	if p.esk != nil {
		start := p.tuple(p.esk, scan)
		if p.forward {
			i := sort.Search(len(rows), func(i int) bool { return compareTuples(rows[i].key, start) > 0 })
			rows = rows[i:]
		} else {
			i := sort.Search(len(rows), func(i int) bool { return compareTuples(rows[i].key, start) >= 0 })
			rows = rows[:i]
		}
	}
	if !p.forward {
		rows = slices.Clone(rows)
		slices.Reverse(rows)
	}
	out := &ReadOutput{}
	size := 0
	for _, r := range rows {
		item := r.item
		if p.ix != nil {
			item = p.t.projectIndex(p.ix, item)
		}
		out.ScannedCount++
		size += item.Size()
		if p.filter == nil || p.filter.Eval(item) {
			out.Count++
			if !p.count {
				if p.proj != nil {
					item = p.proj.Apply(item)
				}
				out.Items = append(out.Items, item)
			}
		}
		if p.limit > 0 && out.ScannedCount == p.limit || size >= maxPage {
			// Like DynamoDB, a page that stops at its Limit has a
			// LastEvaluatedKey even when nothing follows.
			out.LastEvaluatedKey = p.lastKey(r.item)
			break
		}
	}
	if out.Items == nil && !p.count {
		out.Items = []attr.Item{}
	}
	out.ConsumedCapacity = capacity(capacityMode, p.t.name, true, readUnits(size, p.consistent))
	return out
}

// lastKey is the LastEvaluatedKey of an item: its table key, plus the
// index key on an index.
func (p *readPlan) lastKey(item attr.Item) attr.Item {
	k := p.t.keyOf(item)
	if p.ix != nil {
		k[p.ix.keys.pk] = item[p.ix.keys.pk]
		if p.ix.keys.sk != "" {
			k[p.ix.keys.sk] = item[p.ix.keys.sk]
		}
	}
	return k
}

// Query reads the items of one partition key, in sort key order.
func (s *Service) Query(ctx context.Context, in *QueryInput) (*ReadOutput, error) {
	if err := in.Legacy.check(in.ProjectionExpression); err != nil {
		return nil, err
	}
	if in.KeyConditionExpression == "" {
		return nil, validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.")
	}
	ectx := expr.NewContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	parts, err := expr.ParseKeyCondition(in.KeyConditionExpression, ectx)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(in.TableName, in.IndexName, in.FilterExpression, in.ProjectionExpression, in.AttributesToGet,
		in.Select, in.Limit, in.ExclusiveStartKey, ectx)
	if err != nil {
		return nil, err
	}
	if in.ScanIndexForward != nil {
		p.forward = *in.ScanIndexForward
	}
	p.consistent = in.ConsistentRead
	if in.ConsistentRead && p.ix != nil && !p.ix.local {
		return nil, validation("Consistent reads are not supported on global secondary indexes")
	}
	keys := p.t.keys
	if p.ix != nil {
		keys = p.ix.keys
	}
	pk, sk, err := p.t.matchKeyCondition(parts, keys)
	if err != nil {
		return nil, err
	}
	if err := p.checkStartKey(); err != nil {
		return nil, err
	}
	var rows []row
	add := func(it attr.Item) {
		if sk == nil || sk.Match(it[sk.Name]) {
			rows = append(rows, row{item: it, key: p.tuple(it, false)})
		}
	}
	if p.ix == nil || p.ix.local {
		if part := p.t.parts[encodeKey(pk)]; part != nil {
			for _, it := range part.items {
				if p.ix == nil || p.ix.has(it) {
					add(it)
				}
			}
		}
	} else {
		p.t.each(func(it attr.Item) bool {
			if p.ix.has(it) && it[keys.pk].Equal(pk) {
				add(it)
			}
			return true
		})
	}
	if p.ix != nil {
		sort.SliceStable(rows, func(i, j int) bool { return compareTuples(rows[i].key, rows[j].key) < 0 })
	}
	return p.run(rows, false, in.ReturnConsumedCapacity), nil
}

// matchKeyCondition checks the key condition's parts against the schema:
// the partition key with =, optionally one condition on the sort key.
func (t *table) matchKeyCondition(parts []expr.KeyPart, keys keySchema) (attr.Value, *expr.KeyPart, error) {
	var pk attr.Value
	var sk *expr.KeyPart
	for i := range parts {
		part := parts[i]
		switch part.Name {
		case keys.pk:
			if part.Op != "=" {
				return pk, nil, validation("Query key condition not supported")
			}
			pk = part.Values[0]
		case keys.sk:
			if keys.sk == "" {
				return pk, nil, validation("Query condition missed key schema element: %s", keys.pk)
			}
			sk = &part
		default:
			return pk, nil, validation("Query condition missed key schema element: %s", missingKey(parts, keys))
		}
		for _, v := range part.Values {
			if v.Type.String() != t.attrTypes[part.Name] {
				return pk, nil, invalidParam("Condition parameter type does not match schema type")
			}
		}
	}
	if pk.Type == attr.Invalid {
		return pk, nil, validation("Query condition missed key schema element: %s", keys.pk)
	}
	return pk, sk, nil
}

func missingKey(parts []expr.KeyPart, keys keySchema) string {
	for _, p := range parts {
		if p.Name == keys.pk {
			if keys.sk != "" {
				return keys.sk
			}
		}
	}
	return keys.pk
}

// Scan reads every item of a table or index, or of one segment.
func (s *Service) Scan(ctx context.Context, in *ScanInput) (*ReadOutput, error) {
	if err := in.Legacy.check(in.ProjectionExpression); err != nil {
		return nil, err
	}
	segment, total := 0, 1
	switch {
	case (in.Segment == nil) != (in.TotalSegments == nil):
		return nil, validation("The TotalSegments parameter is required but was not present in the request when Segment parameter is present")
	case in.TotalSegments != nil:
		segment, total = *in.Segment, *in.TotalSegments
		if total < 1 || total > 1000000 {
			return nil, validation("1 validation error detected: Value '%d' at 'totalSegments' failed to satisfy constraint: Member must have value less than or equal to 1000000", total)
		}
		if segment < 0 || segment >= total {
			return nil, validation("The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: %d is not less than TotalSegments: %d", segment, total)
		}
	}
	ectx := expr.NewContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.plan(in.TableName, in.IndexName, in.FilterExpression, in.ProjectionExpression, in.AttributesToGet,
		in.Select, in.Limit, in.ExclusiveStartKey, ectx)
	if err != nil {
		return nil, err
	}
	p.consistent = in.ConsistentRead
	if err := p.checkStartKey(); err != nil {
		return nil, err
	}
	var rows []row
	p.t.each(func(it attr.Item) bool {
		if p.ix != nil && !p.ix.has(it) {
			return true
		}
		if total > 1 && segmentOf(it[p.t.keys.pk], total) != segment {
			return true
		}
		rows = append(rows, row{item: it, key: p.tuple(it, true)})
		return true
	})
	if p.ix != nil {
		sort.SliceStable(rows, func(i, j int) bool { return compareTuples(rows[i].key, rows[j].key) < 0 })
	}
	return p.run(rows, true, in.ReturnConsumedCapacity), nil
}

// segmentOf assigns a partition to a parallel-scan segment by its hash.
func segmentOf(pk attr.Value, total int) int {
	h := fnv.New32a()
	h.Write([]byte(encodeKey(pk)))
	return int(h.Sum32() % uint32(total))
}

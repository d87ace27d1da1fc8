package dynamodb

import (
	"context"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/expr"
)

// itemID identifies an item across tables, to find duplicates in batches
// and transactions.
func itemID(table string, t *table, key attr.Item) string {
	id := table + "\x00" + encodeKey(key[t.keys.pk])
	if t.keys.sk != "" {
		id += "\x00" + encodeKey(key[t.keys.sk])
	}
	return id
}

// BatchGetItem reads up to 100 items from one or more tables. Nothing is
// ever left unprocessed.
func (s *Service) BatchGetItem(ctx context.Context, in *BatchGetItemInput) (*BatchGetItemOutput, error) {
	n := 0
	for _, ka := range in.RequestItems {
		n += len(ka.Keys)
	}
	if n > maxBatchGet {
		return nil, validation("Too many items requested for the BatchGetItem call")
	}
	if len(in.RequestItems) == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	projs := map[string]expr.Projection{}
	for name, ka := range in.RequestItems {
		if len(ka.Keys) == 0 {
			return nil, validation("1 validation error detected: Value '[]' at 'requestItems.%s.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1", name)
		}
		if ka.AttributesToGet != nil && ka.ProjectionExpression != "" {
			return nil, validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
		}
		ectx := expr.NewContext(ka.ExpressionAttributeNames, ka.ExpressionAttributeValues)
		p, err := projection(ka.ProjectionExpression, ka.AttributesToGet, ectx)
		if err != nil {
			return nil, err
		}
		if err := ectx.CheckUnused(); err != nil {
			return nil, err
		}
		projs[name] = p
	}
	out := &BatchGetItemOutput{Responses: map[string][]attr.Item{}, UnprocessedKeys: map[string]KeysAndAttributes{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, ka := range in.RequestItems {
		t, err := s.itemTable(name)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		items := []attr.Item{}
		size := 0
		for _, k := range ka.Keys {
			if err := t.checkKey(k); err != nil {
				return nil, err
			}
			id := itemID(name, t, k)
			if seen[id] {
				return nil, validation("Provided list of item keys contains duplicates")
			}
			seen[id] = true
			if it := t.get(k); it != nil {
				size += it.Size()
				if projs[name] != nil {
					it = projs[name].Apply(it)
				}
				items = append(items, it)
			}
		}
		out.Responses[name] = items
		if c := capacity(in.ReturnConsumedCapacity, name, true, readUnits(size, ka.ConsistentRead)); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

// BatchWriteItem puts and deletes up to 25 items. The whole batch is
// checked before anything is written; nothing is left unprocessed.
func (s *Service) BatchWriteItem(ctx context.Context, in *BatchWriteItemInput) (*BatchWriteItemOutput, error) {
	n := 0
	for _, reqs := range in.RequestItems {
		n += len(reqs)
	}
	if n > maxBatchWrite {
		return nil, validation("Too many items requested for the BatchWriteItem call")
	}
	if n == 0 {
		return nil, validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	s.mu.Lock()
	sizes := map[string]int{}
	seen := map[string]bool{}
	for name, reqs := range in.RequestItems {
		t, err := s.itemTable(name)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		for _, r := range reqs {
			var key attr.Item
			switch {
			case r.PutRequest != nil && r.DeleteRequest != nil, r.PutRequest == nil && r.DeleteRequest == nil:
				err = validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes")
			case r.PutRequest != nil:
				if err = t.checkItem(r.PutRequest.Item); err == nil {
					key = t.keyOf(r.PutRequest.Item)
				}
			default:
				if err = t.checkKey(r.DeleteRequest.Key); err == nil {
					key = r.DeleteRequest.Key
				}
			}
			if err == nil && seen[itemID(name, t, key)] {
				err = validation("Provided list of item keys contains duplicates")
			}
			if err != nil {
				s.mu.Unlock()
				return nil, err
			}
			seen[itemID(name, t, key)] = true
		}
	}
	for name, reqs := range in.RequestItems {
		t := s.tables[name]
		for _, r := range reqs {
			if r.PutRequest != nil {
				item := r.PutRequest.Item.Clone()
				old := t.put(item)
				s.record(t, old, item, false)
				sizes[name] += max(item.Size(), old.Size())
				continue
			}
			if old := t.remove(r.DeleteRequest.Key); old != nil {
				s.record(t, old, nil, false)
				sizes[name] += old.Size()
			}
		}
	}
	s.mu.Unlock()
	s.flush(ctx)
	out := &BatchWriteItemOutput{UnprocessedItems: map[string][]WriteRequest{}}
	for name := range in.RequestItems {
		if c := capacity(in.ReturnConsumedCapacity, name, false, units(sizes[name], 1024)); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

// transactOp is one checked action of a TransactWriteItems call.
type transactOp struct {
	t         *table
	key       attr.Item
	w         writeExprs
	put       attr.Item // Put
	delete    bool
	update    bool
	onFailure string
}

// TransactWriteItems applies up to 100 actions all or nothing. When any
// condition fails, nothing is written and the TransactionCanceledException
// lists a reason per action, in order.
func (s *Service) TransactWriteItems(ctx context.Context, in *TransactWriteItemsInput) (*TransactWriteItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100.")
	}
	type parsed struct {
		table string
		op    transactOp
	}
	ops := make([]parsed, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		count := 0
		var err error
		var p parsed
		if c := ti.ConditionCheck; c != nil {
			count++
			if c.ConditionExpression == "" {
				return nil, validation("The ConditionExpression parameter is required for ConditionCheck")
			}
			p.table, p.op.key, p.op.onFailure = c.TableName, c.Key, c.ReturnValuesOnConditionCheckFailure
			p.op.w, err = parseWrite(c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, "")
		}
		if c := ti.Put; c != nil {
			count++
			p.table, p.op.put, p.op.onFailure = c.TableName, c.Item.Clone(), c.ReturnValuesOnConditionCheckFailure
			p.op.w, err = parseWrite(c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, "")
		}
		if c := ti.Delete; c != nil {
			count++
			p.table, p.op.key, p.op.delete, p.op.onFailure = c.TableName, c.Key, true, c.ReturnValuesOnConditionCheckFailure
			p.op.w, err = parseWrite(c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, "")
		}
		if c := ti.Update; c != nil {
			count++
			if c.UpdateExpression == "" {
				return nil, validation("The UpdateExpression parameter is required for Update")
			}
			p.table, p.op.key, p.op.update, p.op.onFailure = c.TableName, c.Key, true, c.ReturnValuesOnConditionCheckFailure
			p.op.w, err = parseWrite(c.ExpressionAttributeNames, c.ExpressionAttributeValues, c.ConditionExpression, c.UpdateExpression)
		}
		if count != 1 {
			return nil, validation("TransactItems can only contain one of Check, Put, Update or Delete")
		}
		if err != nil {
			return nil, err
		}
		if err := checkOnConditionFailure(p.op.onFailure); err != nil {
			return nil, err
		}
		ops[i] = p
	}

	s.mu.Lock()
	seen := map[string]bool{}
	for i := range ops {
		p := &ops[i]
		t, err := s.itemTable(p.table)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		p.op.t = t
		if p.op.put != nil {
			err = t.checkItem(p.op.put)
			p.op.key = t.keyOf(p.op.put)
		} else {
			err = t.checkKey(p.op.key)
		}
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		id := itemID(p.table, t, p.op.key)
		if seen[id] {
			s.mu.Unlock()
			return nil, validation("Transaction request cannot include multiple operations on one item")
		}
		seen[id] = true
	}
	// Evaluate every action against the items as they are before any
	// write, then write only if all succeeded.
	reasons := make([]CancellationReason, len(ops))
	results := make([]attr.Item, len(ops))
	olds := make([]attr.Item, len(ops))
	cancelled := false
	for i, p := range ops {
		reasons[i] = CancellationReason{Code: "None"}
		op := p.op
		old := op.t.get(op.key)
		olds[i] = old
		var err error
		switch {
		case op.update:
			_, results[i], err = op.t.update(op.key, op.w, op.onFailure)
		case op.w.cond != nil && !op.w.cond.Eval(old):
			err = failed(old, op.onFailure)
		}
		if err != nil {
			cancelled = true
			e := awsproto.AsError(err)
			reasons[i] = CancellationReason{Code: strings.TrimSuffix(e.Code, "Exception"), Message: e.Message}
			if e.Code == "ConditionalCheckFailedException" {
				reasons[i].Code = "ConditionalCheckFailed"
				if it, ok := e.Fields["Item"].(attr.Item); ok {
					reasons[i].Item = it
				}
			}
		}
	}
	if cancelled {
		s.mu.Unlock()
		codes := make([]string, len(reasons))
		for i, r := range reasons {
			codes[i] = r.Code
		}
		e := awsproto.Errorf("TransactionCanceledException", http.StatusBadRequest,
			"Transaction cancelled, please refer cancellation reasons for specific reasons [%s]", strings.Join(codes, ", "))
		e.Fields = map[string]any{"CancellationReasons": reasons}
		return nil, e
	}
	sizes := map[string]int{}
	for i, p := range ops {
		op := p.op
		switch {
		case op.put != nil:
			op.t.put(op.put)
			s.record(op.t, olds[i], op.put, false)
			sizes[p.table] += op.put.Size()
		case op.update:
			op.t.put(results[i])
			s.record(op.t, olds[i], results[i], false)
			sizes[p.table] += results[i].Size()
		case op.delete:
			if olds[i] != nil {
				op.t.remove(op.key)
				s.record(op.t, olds[i], nil, false)
				sizes[p.table] += olds[i].Size()
			}
		}
	}
	s.mu.Unlock()
	s.flush(ctx)
	out := &TransactWriteItemsOutput{}
	for name, size := range sizes {
		// Transactional writes cost two units per KB.
		if c := capacity(in.ReturnConsumedCapacity, name, false, 2*units(size, 1024)); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

// TransactGetItems reads up to 100 items as one snapshot.
func (s *Service) TransactGetItems(ctx context.Context, in *TransactGetItemsInput) (*TransactGetItemsOutput, error) {
	if len(in.TransactItems) == 0 || len(in.TransactItems) > maxTransactItems {
		return nil, validation("1 validation error detected at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100.")
	}
	projs := make([]expr.Projection, len(in.TransactItems))
	for i, ti := range in.TransactItems {
		ectx := expr.NewContext(ti.Get.ExpressionAttributeNames, nil)
		var err error
		if ti.Get.ProjectionExpression != "" {
			if projs[i], err = expr.ParseProjection(ti.Get.ProjectionExpression, ectx); err != nil {
				return nil, err
			}
		}
		if err := ectx.CheckUnused(); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &TransactGetItemsOutput{Responses: make([]ItemResponse, len(in.TransactItems))}
	sizes := map[string]int{}
	for i, ti := range in.TransactItems {
		t, err := s.itemTable(ti.Get.TableName)
		if err == nil {
			err = t.checkKey(ti.Get.Key)
		}
		if err != nil {
			return nil, err
		}
		it := t.get(ti.Get.Key)
		sizes[ti.Get.TableName] += it.Size()
		if it != nil && projs[i] != nil {
			it = projs[i].Apply(it)
		}
		out.Responses[i].Item = it
	}
	for name, size := range sizes {
		if c := capacity(in.ReturnConsumedCapacity, name, true, 2*readUnits(size, true)); c != nil {
			out.ConsumedCapacity = append(out.ConsumedCapacity, *c)
		}
	}
	return out, nil
}

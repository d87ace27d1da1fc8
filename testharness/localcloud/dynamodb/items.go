package dynamodb

import (
	"context"
	"math"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/expr"
)

// writeExprs are the parsed expressions of one write.
type writeExprs struct {
	cond   expr.Condition
	update *expr.Update
}

// parseWrite parses a write's condition and update expressions and checks
// that every placeholder is used.
// writeParams are the parameters PutItem, UpdateItem and DeleteItem check
// the same way.
type writeParams struct {
	returnValues, onConditionFailure string
	legacy                           Legacy
	names                            map[string]string
	values                           map[string]attr.Value
	condition, update                string
}

// parse checks a single-item write's parameters (returnValues are those
// the operation allows) and parses its expressions.
func (p writeParams) parse(returnValues ...string) (writeExprs, error) {
	if err := checkReturnValues(p.returnValues, returnValues...); err != nil {
		return writeExprs{}, err
	}
	if err := checkOnConditionFailure(p.onConditionFailure); err != nil {
		return writeExprs{}, err
	}
	if err := p.legacy.check(""); err != nil {
		return writeExprs{}, err
	}
	return parseWrite(p.names, p.values, p.condition, p.update)
}

func parseWrite(names map[string]string, values map[string]attr.Value, cond, update string) (writeExprs, error) {
	var w writeExprs
	if cond == "" && update == "" {
		if names != nil {
			return w, validation("ExpressionAttributeNames can only be specified when using expressions")
		}
		if values != nil {
			return w, validation("ExpressionAttributeValues can only be specified when using expressions")
		}
		return w, nil
	}
	ctx := expr.NewContext(names, values)
	var err error
	if update != "" {
		if w.update, err = expr.ParseUpdate(update, ctx); err != nil {
			return w, err
		}
	}
	if cond != "" {
		if w.cond, err = expr.ParseCondition("ConditionExpression", cond, ctx); err != nil {
			return w, err
		}
	}
	return w, ctx.CheckUnused()
}

// failed returns the ConditionalCheckFailedException of a write whose
// condition did not hold.
func failed(old attr.Item, onFailure string) error {
	if onFailure == "ALL_OLD" && old != nil {
		return errConditionFailed(old)
	}
	return errConditionFailed(nil)
}

// units rounds a size up to capacity units of unit bytes, at least one.
func units(size, unit int) float64 {
	return math.Max(1, math.Ceil(float64(size)/float64(unit)))
}

// capacity answers ReturnConsumedCapacity; nil when it was not asked for.
func capacity(mode, tableName string, read bool, cu float64) *ConsumedCapacity {
	if mode != "TOTAL" && mode != "INDEXES" {
		return nil
	}
	c := &ConsumedCapacity{TableName: tableName, CapacityUnits: cu}
	if read {
		c.ReadCapacityUnits = cu
	} else {
		c.WriteCapacityUnits = cu
	}
	return c
}

func readUnits(size int, consistent bool) float64 {
	u := units(size, 4096)
	if !consistent {
		u /= 2
	}
	return u
}

// PutItem creates or replaces an item. The service keeps in.Item's values:
// callers must not change them afterwards.
func (s *Service) PutItem(ctx context.Context, in *PutItemInput) (*ItemOutput, error) {
	w, err := writeParams{returnValues: in.ReturnValues, onConditionFailure: in.ReturnValuesOnConditionCheckFailure,
		legacy: in.Legacy, names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues,
		condition: in.ConditionExpression, update: ""}.parse("ALL_OLD")
	if err != nil {
		return nil, err
	}
	item := attr.Item(in.Item).Clone()
	s.mu.Lock()
	t, err := s.itemTable(in.TableName)
	if err == nil {
		err = t.checkItem(item)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	old := t.get(t.keyOf(item))
	if w.cond != nil && !w.cond.Eval(old) {
		s.mu.Unlock()
		return nil, failed(old, in.ReturnValuesOnConditionCheckFailure)
	}
	t.put(item)
	s.record(t, old, item, false)
	s.mu.Unlock()
	s.flush(ctx)
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, in.TableName, false, units(max(item.Size(), old.Size()), 1024))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}

// GetItem reads one item. Reads are always strongly consistent.
func (s *Service) GetItem(ctx context.Context, in *GetItemInput) (*GetItemOutput, error) {
	if err := in.Legacy.check(in.ProjectionExpression); err != nil {
		return nil, err
	}
	ectx := expr.NewContext(in.ExpressionAttributeNames, in.ExpressionAttributeValues)
	proj, err := projection(in.ProjectionExpression, in.AttributesToGet, ectx)
	if err != nil {
		return nil, err
	}
	if err := ectx.CheckUnused(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	t, err := s.itemTable(in.TableName)
	if err == nil {
		err = t.checkKey(in.Key)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	item := t.get(in.Key)
	s.mu.Unlock()
	out := &GetItemOutput{Item: item, ConsumedCapacity: capacity(in.ReturnConsumedCapacity, in.TableName, true, readUnits(item.Size(), in.ConsistentRead))}
	if item != nil && proj != nil {
		out.Item = proj.Apply(item)
	}
	return out, nil
}

// DeleteItem deletes an item; deleting a missing item succeeds.
func (s *Service) DeleteItem(ctx context.Context, in *DeleteItemInput) (*ItemOutput, error) {
	w, err := writeParams{returnValues: in.ReturnValues, onConditionFailure: in.ReturnValuesOnConditionCheckFailure,
		legacy: in.Legacy, names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues,
		condition: in.ConditionExpression, update: ""}.parse("ALL_OLD")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	t, err := s.itemTable(in.TableName)
	if err == nil {
		err = t.checkKey(in.Key)
	}
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	old := t.get(in.Key)
	if w.cond != nil && !w.cond.Eval(old) {
		s.mu.Unlock()
		return nil, failed(old, in.ReturnValuesOnConditionCheckFailure)
	}
	if old != nil {
		t.remove(in.Key)
		s.record(t, old, nil, false)
	}
	s.mu.Unlock()
	s.flush(ctx)
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, in.TableName, false, units(old.Size(), 1024))}
	if in.ReturnValues == "ALL_OLD" {
		out.Attributes = old
	}
	return out, nil
}

// UpdateItem edits an item, creating it when it does not exist.
func (s *Service) UpdateItem(ctx context.Context, in *UpdateItemInput) (*ItemOutput, error) {
	w, err := writeParams{returnValues: in.ReturnValues, onConditionFailure: in.ReturnValuesOnConditionCheckFailure,
		legacy: in.Legacy, names: in.ExpressionAttributeNames, values: in.ExpressionAttributeValues,
		condition: in.ConditionExpression, update: in.UpdateExpression}.parse("ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	t, err := s.itemTable(in.TableName)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	old, item, err := t.update(in.Key, w, in.ReturnValuesOnConditionCheckFailure)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	t.put(item)
	s.record(t, old, item, false)
	s.mu.Unlock()
	s.flush(ctx)
	out := &ItemOutput{ConsumedCapacity: capacity(in.ReturnConsumedCapacity, in.TableName, false, units(max(item.Size(), old.Size()), 1024))}
	switch in.ReturnValues {
	case "ALL_OLD":
		out.Attributes = old
	case "ALL_NEW":
		out.Attributes = item
	case "UPDATED_OLD", "UPDATED_NEW":
		src := item
		if in.ReturnValues == "UPDATED_OLD" {
			src = old
		}
		if w.update != nil && src != nil {
			if a := expr.Projection(w.update.Paths()).Apply(src); len(a) > 0 {
				out.Attributes = a
			}
		}
	}
	return out, nil
}

// update computes what an update makes of the item with key, checking its
// condition, without storing it. Must hold s.mu.
func (t *table) update(key attr.Item, w writeExprs, onFailure string) (old, item attr.Item, err error) {
	if err := t.checkKey(key); err != nil {
		return nil, nil, err
	}
	if w.update != nil {
		for _, p := range w.update.Paths() {
			if p[0].Name == t.keys.pk || p[0].Name == t.keys.sk {
				return nil, nil, invalidParam("Cannot update attribute %s. This attribute is part of the key", p[0].Name)
			}
		}
	}
	old = t.get(key)
	if w.cond != nil && !w.cond.Eval(old) {
		return nil, nil, failed(old, onFailure)
	}
	base := old
	if base == nil {
		base = key
	}
	item = base.Clone()
	if w.update != nil {
		if item, err = w.update.Apply(base); err != nil {
			return nil, nil, toAPIError(err)
		}
	}
	if err := t.checkItem(item); err != nil {
		if item.Size() > maxItemSize {
			return nil, nil, validation("Item size to update has exceeded the maximum allowed size")
		}
		return nil, nil, err
	}
	return old, item, nil
}

package dynamodb

import (
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/expr"
)

// Limits from the Developer Guide, "Quotas in Amazon DynamoDB".
const (
	maxItemSize      = 400 * 1024
	maxPartitionKey  = 2048
	maxSortKey       = 1024
	maxBatchWrite    = 25
	maxBatchGet      = 100
	maxTransactItems = 100
	// maxNesting: "DynamoDB supports nested attributes up to 32 levels
	// deep" (Quotas, "Nested attribute depth").
	maxNesting = 32
)

func emptyKeyError(name string, v attr.Value) error {
	kind := "string"
	if v.Type == attr.B {
		kind = "binary"
	}
	return validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", kind, name)
}

// checkKey validates a Key parameter: exactly the table's key attributes,
// of their defined types.
func (t *table) checkKey(key attr.Item) error {
	want := 1
	if t.keys.sk != "" {
		want = 2
	}
	if len(key) != want {
		return errKeySchema
	}
	for _, n := range []string{t.keys.pk, t.keys.sk} {
		if n == "" {
			continue
		}
		v, ok := key[n]
		if !ok || v.Type.String() != t.attrTypes[n] {
			return errKeySchema
		}
		if (v.Type == attr.S || v.Type == attr.B) && v.Len() == 0 {
			return emptyKeyError(n, v)
		}
	}
	return nil
}

// checkItem validates an item to store: key attributes present and typed
// as defined, index keys typed as defined, within the size limits.
func (t *table) checkItem(item attr.Item) error {
	for _, n := range []string{t.keys.pk, t.keys.sk} {
		if n == "" {
			continue
		}
		v, ok := item[n]
		if !ok {
			return invalidParam("Missing the key %s in the item", n)
		}
		if v.Type.String() != t.attrTypes[n] {
			return invalidParam("Type mismatch for key %s expected: %s actual: %s", n, t.attrTypes[n], v.Type)
		}
		if (v.Type == attr.S || v.Type == attr.B) && v.Len() == 0 {
			return emptyKeyError(n, v)
		}
	}
	if len(t.keys.pk)+item[t.keys.pk].Size() > maxPartitionKey {
		return invalidParam("Size of hashkey has exceeded the maximum size limit of2048 bytes")
	}
	if t.keys.sk != "" && len(t.keys.sk)+item[t.keys.sk].Size() > maxSortKey {
		return invalidParam("Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
	}
	for _, ix := range append(append([]*index(nil), t.gsis...), t.lsis...) {
		for _, n := range []string{ix.keys.pk, ix.keys.sk} {
			v, ok := item[n]
			if n == "" || !ok {
				continue
			}
			if v.Type.String() != t.attrTypes[n] {
				return invalidParam("Type mismatch for Index Key %s Expected: %s Actual: %s IndexName: %s", n, t.attrTypes[n], v.Type, ix.name)
			}
			if (v.Type == attr.S || v.Type == attr.B) && v.Len() == 0 {
				return invalidParam("One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty string value. IndexName: %s, IndexKey: %s", ix.name, n)
			}
		}
	}
	if item.Size() > maxItemSize {
		return validation("Item size has exceeded the maximum allowed size")
	}
	for _, v := range item {
		if v.Depth() > maxNesting {
			return validation("Nesting Levels have exceeded supported limits")
		}
	}
	return nil
}

// has tells whether an item appears in the index (it has the index keys).
func (ix *index) has(item attr.Item) bool {
	if _, ok := item[ix.keys.pk]; !ok {
		return false
	}
	if ix.keys.sk != "" {
		if _, ok := item[ix.keys.sk]; !ok {
			return false
		}
	}
	return true
}

// project cuts an item to what the index projects.
func (t *table) projectIndex(ix *index, item attr.Item) attr.Item {
	if ix.projection.ProjectionType == "ALL" {
		return item
	}
	out := t.keyOf(item)
	out[ix.keys.pk] = item[ix.keys.pk]
	if ix.keys.sk != "" {
		out[ix.keys.sk] = item[ix.keys.sk]
	}
	for _, n := range ix.projection.NonKeyAttributes {
		if v, ok := item[n]; ok {
			out[n] = v
		}
	}
	return out
}

// checkLegacy refuses the pre-expression parameters the local cloud does
// not implement, and mixing AttributesToGet with a projection.
func (l Legacy) check(projection string) error {
	switch {
	case l.Expected != nil:
		return validation("The legacy parameter Expected is not supported by the local cloud; use ConditionExpression")
	case l.AttributeUpdates != nil:
		return validation("The legacy parameter AttributeUpdates is not supported by the local cloud; use UpdateExpression")
	case l.KeyConditions != nil:
		return validation("The legacy parameter KeyConditions is not supported by the local cloud; use KeyConditionExpression")
	case l.QueryFilter != nil || l.ScanFilter != nil:
		return validation("The legacy parameters QueryFilter and ScanFilter are not supported by the local cloud; use FilterExpression")
	case l.ConditionalOperator != "":
		return validation("The legacy parameter ConditionalOperator is not supported by the local cloud; use expressions")
	case l.AttributesToGet != nil && projection != "":
		return validation("Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	}
	return nil
}

// projection returns the projection to apply: the ProjectionExpression,
// the legacy AttributesToGet, or none.
func projection(exprText string, attributesToGet []string, ctx *expr.Context) (expr.Projection, error) {
	if exprText != "" {
		return expr.ParseProjection(exprText, ctx)
	}
	var p expr.Projection
	for _, n := range attributesToGet {
		p = append(p, expr.Path{{Name: n}})
	}
	return p, nil
}

// checkReturnValues validates ReturnValues against what an operation allows.
func checkReturnValues(v string, allowed ...string) error {
	if v == "" || v == "NONE" {
		return nil
	}
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return validation("Return values set to invalid value")
}

func checkOnConditionFailure(v string) error {
	if v == "" || v == "NONE" || v == "ALL_OLD" {
		return nil
	}
	return validation("1 validation error detected: Value '%s' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]", v)
}

package dynamodb_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestPutGetDeleteItem(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	av, err := attributevalue.MarshalMap(map[string]any{"PK": "USER#1", "SK": "PROFILE", "name": "Ann", "age": 41,
		"tags": []string{"a", "b"}, "meta": map[string]any{"x": true, "y": nil}})
	if err != nil {
		t.Fatal(err)
	}
	e.put(t, "Tbl", av)
	got := e.get(t, "Tbl", key("USER#1", "PROFILE"))
	var m map[string]any
	if err := attributevalue.UnmarshalMap(got, &m); err != nil {
		t.Fatal(err)
	}
	if m["name"] != "Ann" || m["age"].(float64) != 41 || m["meta"].(map[string]any)["x"] != true {
		t.Fatalf("item = %v", m)
	}
	if got := e.get(t, "Tbl", key("USER#1", "nope")); got != nil {
		t.Fatalf("missing item = %v", got)
	}
	out, err := e.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("Tbl"), Key: key("USER#1", "PROFILE"), ReturnValues: types.ReturnValueAllOld})
	if err != nil {
		t.Fatal(err)
	}
	if str(out.Attributes["name"]) != "Ann" {
		t.Fatalf("ALL_OLD = %v", out.Attributes)
	}
	if got := e.get(t, "Tbl", key("USER#1", "PROFILE")); got != nil {
		t.Fatalf("deleted item still there: %v", got)
	}
}

func TestGetItemProjection(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("p", "s", "a", &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
		"b": &types.AttributeValueMemberL{Value: []types.AttributeValue{n("0"), &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"c": s("deep"), "d": s("no")}}}}}},
		"status", s("on"), "other", s("x")))
	out, err := e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"), ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("a.b[1].c, #st"), ExpressionAttributeNames: map[string]string{"#st": "status"}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = attributevalue.UnmarshalMap(out.Item, &m)
	want := `map[a:map[b:[map[c:deep]]] status:on]`
	if got := fmtAny(m); got != want {
		t.Fatalf("projection = %s, want %s", got, want)
	}
}

func fmtAny(v any) string { return strings.ReplaceAll(strings.TrimSpace(fmt.Sprint(v)), "  ", " ") }

func TestUpdateItemExpressions(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("p", "s", "count", n("1"), "lst", &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), s("b"), s("c")}},
		"set", &types.AttributeValueMemberSS{Value: []string{"x", "y"}}, "arr", &types.AttributeValueMemberL{Value: []types.AttributeValue{s("a"), s("b"), s("c")}}, "m", &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"val": n("5")}}, "gone", s("bye")))
	out, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
		UpdateExpression: aws.String("SET #c = #c + :one, m.val = m.val - :one, lst = list_append(lst, :more), fresh = if_not_exists(fresh, :zero) " +
			"REMOVE gone, arr[0], arr[2] ADD nums :ns, hits :one DELETE #set :x"),
		ExpressionAttributeNames:  map[string]string{"#c": "count", "#set": "set"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":zero": n("0"), ":more": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("d")}}, ":ns": &types.AttributeValueMemberNS{Value: []string{"7"}}, ":x": &types.AttributeValueMemberSS{Value: []string{"x"}}},
		ReturnValues:              types.ReturnValueAllNew,
	})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := attributevalue.UnmarshalMap(out.Attributes, &m); err != nil {
		t.Fatal(err)
	}
	got := fmtAny(m)
	want := `map[PK:p SK:s arr:[b] count:2 fresh:0 hits:1 lst:[a b c d] m:map[val:4] nums:[7] set:[y]]`
	if got != want {
		t.Fatalf("after update:\n got %s\nwant %s", got, want)
	}
	// UPDATED_OLD returns the updated attributes as they were.
	out, err = e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
		UpdateExpression: aws.String("SET m.val = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("9")}, ReturnValues: types.ReturnValueUpdatedOld})
	if err != nil {
		t.Fatal(err)
	}
	if mm := out.Attributes["m"].(*types.AttributeValueMemberM).Value; len(out.Attributes) != 1 || str(mm["val"]) != "4" {
		t.Fatalf("UPDATED_OLD = %v", out.Attributes)
	}
	// Upsert: UpdateItem on a missing item creates it.
	_, err = e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("new", "s"),
		UpdateExpression: aws.String("ADD visits :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.get(t, "Tbl", key("new", "s")); str(got["visits"]) != "1" {
		t.Fatalf("upserted item = %v", got)
	}
}

func TestUpdateItemErrors(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("p", "s", "txt", s("a")))
	cases := []struct {
		name, update, msg string
		values            map[string]types.AttributeValue
		names             map[string]string
	}{
		{"reserved word", "SET status = :v", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status", map[string]types.AttributeValue{":v": n("1")}, nil},
		{"unused value", "SET a = :v", "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}", map[string]types.AttributeValue{":v": n("1"), ":x": n("2")}, nil},
		{"unused name", "SET a = :v", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}", map[string]types.AttributeValue{":v": n("1")}, map[string]string{"#n": "x"}},
		{"undefined value", "SET a = :nope", "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :nope", map[string]types.AttributeValue{":v": n("1")}, nil},
		{"key attribute", "SET PK = :v", "One or more parameter values were invalid: Cannot update attribute PK. This attribute is part of the key", map[string]types.AttributeValue{":v": s("x")}, nil},
		{"wrong type for +", "SET txt = txt + :v", "An operand in the update expression has an incorrect data type", map[string]types.AttributeValue{":v": n("1")}, nil},
		{"missing operand", "SET a = nothere + :v", "The provided expression refers to an attribute that does not exist in the item", map[string]types.AttributeValue{":v": n("1")}, nil},
		{"overlap", "SET a = :v REMOVE a", "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]", map[string]types.AttributeValue{":v": n("1")}, nil},
		{"syntax", "SET a = ", `Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "="`, nil, nil},
		{"nested parent missing", "SET nope.deep = :v", "The document path provided in the update expression is invalid for update", map[string]types.AttributeValue{":v": n("1")}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
				UpdateExpression: aws.String(c.update), ExpressionAttributeValues: c.values, ExpressionAttributeNames: c.names})
			wantErr(t, err, "ValidationException", c.msg)
		})
	}
}

func TestConditionalWrites(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("p", "s", "v", n("5")))
	_, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Tbl"), Item: item("p", "s", "v", n("6")),
		ConditionExpression: aws.String("attribute_not_exists(PK)"), ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) || ccf.ErrorMessage() != "The conditional request failed" {
		t.Fatalf("want ConditionalCheckFailedException, got %v", err)
	}
	if str(ccf.Item["v"]) != "5" {
		t.Fatalf("failed check Item = %v", ccf.Item)
	}
	conds := []struct {
		cond string
		ok   bool
	}{
		{"v BETWEEN :a AND :b", true},
		{"v IN (:a, :five)", true},
		{"NOT (v < :five) AND (v > :a OR attribute_exists(nope))", true},
		{"attribute_type(v, :n)", true},
		{"size(SK) = :one AND begins_with(PK, :p) AND contains(PK, :p)", true},
		{"v <> :five", false},
		{"nope <> :five", true},
		{"v > :b", false},
	}
	vals := map[string]types.AttributeValue{":a": n("1"), ":b": n("10"), ":five": n("5.0"), ":n": s("N"), ":one": n("1"), ":p": s("p")}
	for _, c := range conds {
		used := map[string]types.AttributeValue{}
		for k, v := range vals {
			if strings.Contains(c.cond, k+" ") || strings.Contains(c.cond, k+",") || strings.Contains(c.cond, k+")") || strings.HasSuffix(c.cond, k) {
				used[k] = v
			}
		}
		_, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
			UpdateExpression: aws.String("SET touched = :one"), ConditionExpression: aws.String(c.cond),
			ExpressionAttributeValues: merge(used, map[string]types.AttributeValue{":one": n("1")})})
		if c.ok && err != nil || !c.ok && !errors.As(err, &ccf) {
			t.Errorf("%s: ok=%v, err=%v", c.cond, c.ok, err)
		}
	}
}

func merge(a, b map[string]types.AttributeValue) map[string]types.AttributeValue {
	for k, v := range b {
		a[k] = v
	}
	return a
}

func TestItemValidation(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	big := strings.Repeat("x", 400*1024)
	cases := []struct {
		name string
		item map[string]types.AttributeValue
		msg  string
	}{
		{"missing key", map[string]types.AttributeValue{"PK": s("a")}, "One or more parameter values were invalid: Missing the key SK in the item"},
		{"type mismatch", map[string]types.AttributeValue{"PK": n("1"), "SK": s("a")}, "One or more parameter values were invalid: Type mismatch for key PK expected: S actual: N"},
		{"empty key", map[string]types.AttributeValue{"PK": s(""), "SK": s("a")}, "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: PK"},
		{"too large", item("a", "b", "big", s(big)), "Item size has exceeded the maximum allowed size"},
		{"empty set", item("a", "b", "ss", &types.AttributeValueMemberSS{Value: []string{}}), "One or more parameter values were invalid: An string set  may not be empty"},
		{"duplicate set", item("a", "b", "ss", &types.AttributeValueMemberSS{Value: []string{"x", "x"}}), "One or more parameter values were invalid: Input collection [x, x] contains duplicates."},
		{"bad number", item("a", "b", "n", n("12abc")), "The parameter cannot be converted to a numeric value: 12abc"},
		{"39 digits", item("a", "b", "n", n("123456789012345678901234567890123456789")), "Attempting to store more than 38 significant digits in a Number"},
		{"overflow", item("a", "b", "n", n("1E126")), "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"underflow", item("a", "b", "n", n("1E-131")), "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		// Range is checked before precision: too large and too precise is an overflow.
		{"overflow, 40 digits", item("a", "b", "n", n("-1234567890123456789012345678901234567890E200")), "Number overflow. Attempting to store a number with magnitude larger than supported range"},
		{"underflow, 40 digits", item("a", "b", "n", n("1234567890123456789012345678901234567890E-200")), "Number underflow. Attempting to store a number with magnitude smaller than supported range"},
		{"overflow in a set", item("a", "b", "ns", &types.AttributeValueMemberNS{Value: []string{"1", "1E126"}}), "Number overflow. Attempting to store a number with magnitude larger than supported range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Tbl"), Item: c.item})
			wantErr(t, err, "ValidationException", c.msg)
		})
	}
	_, err := e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Tbl"), Key: map[string]types.AttributeValue{"PK": s("a")}})
	wantErr(t, err, "ValidationException", "The provided key element does not match the schema")
	_, err = e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("nope"), Key: key("a", "b")})
	wantErr(t, err, "ResourceNotFoundException", "Requested resource not found")
}

func TestNumbersExact(t *testing.T) {
	e := newEnv(t)
	e.table(t, "Tbl")
	const big = "12345678901234567890123456789012345678"
	e.put(t, "Tbl", item("p", "s", "n", n(big), "f", n("1.50"), "e", n("1.5E2"), "z", n("-0"), "tiny", n("1E-130"), "huge", n("9.9999999999999999999999999999999999999E+125")))
	got := e.get(t, "Tbl", key("p", "s"))
	for k, want := range map[string]string{"n": big, "f": "1.5", "e": "150", "z": "0", "tiny": "0." + strings.Repeat("0", 129) + "1",
		"huge": "99999999999999999999999999999999999999" + strings.Repeat("0", 88)} {
		if str(got[k]) != want {
			t.Errorf("%s = %s, want %s", k, str(got[k]), want)
		}
	}
	out, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
		UpdateExpression: aws.String("SET n = n + :one ADD f :tenth"), ReturnValues: types.ReturnValueUpdatedNew,
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":tenth": n("0.00000000000000000000000000000000001")}})
	if err != nil {
		t.Fatal(err)
	}
	if str(out.Attributes["n"]) != "12345678901234567890123456789012345679" || str(out.Attributes["f"]) != "1.50000000000000000000000000000000001" {
		t.Fatalf("exact sums = %v / %v", str(out.Attributes["n"]), str(out.Attributes["f"]))
	}
	_, err = e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
		UpdateExpression: aws.String("SET n = n + :x"), ExpressionAttributeValues: map[string]types.AttributeValue{":x": n("0.1")}})
	wantErr(t, err, "ValidationException", "Attempting to store more than 38 significant digits in a Number")
}

// TestArithmeticPastTheRangeFails: an UpdateItem whose SET arithmetic or
// ADD leaves DynamoDB's range or precision fails with the message of a
// number written so, and the item keeps its value.
func TestArithmeticPastTheRangeFails(t *testing.T) {
	const (
		overflow  = "Number overflow. Attempting to store a number with magnitude larger than supported range"
		underflow = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
		precision = "Attempting to store more than 38 significant digits in a Number"
		largest   = "9.9999999999999999999999999999999999999E+125"
	)
	e := newEnv(t)
	e.table(t, "Tbl")
	e.put(t, "Tbl", item("p", "s", "huge", n(largest), "neghuge", n("-"+largest), "tiny", n("1.01E-129"), "whole", n("12345678901234567890123456789012345678")))
	before := e.get(t, "Tbl", key("p", "s"))
	for _, c := range []struct{ update, value, msg string }{
		{"SET huge = huge + :v", "1E125", overflow},
		{"ADD huge :v", "1E125", overflow},
		{"SET neghuge = neghuge - :v", "1E125", overflow},
		{"SET neghuge = :v + neghuge", "-1", precision},
		{"SET tiny = tiny - :v", "1E-129", underflow},
		{"ADD tiny :v", "-1E-129", underflow},
		{"ADD whole :v", "0.5", precision},
	} {
		t.Run(c.update, func(t *testing.T) {
			_, err := e.client.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("Tbl"), Key: key("p", "s"),
				UpdateExpression: aws.String(c.update), ExpressionAttributeValues: map[string]types.AttributeValue{":v": n(c.value)}})
			wantErr(t, err, "ValidationException", c.msg)
		})
	}
	after := e.get(t, "Tbl", key("p", "s"))
	for name, v := range before {
		if str(after[name]) != str(v) {
			t.Errorf("%s changed from %s to %s", name, str(v), str(after[name]))
		}
	}
}

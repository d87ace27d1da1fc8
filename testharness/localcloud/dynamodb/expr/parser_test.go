package expr

import (
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

func vals() map[string]attr.Value {
	return map[string]attr.Value{":s": attr.Str("x"), ":n": attr.Num(attr.MustNumber("5")), ":hi": attr.Num(attr.MustNumber("10")),
		":l": attr.List([]attr.Value{attr.Str("a")}), ":ss": attr.StrSet([]string{"a"})}
}

// item is {a: 5, s: "xyz", m: {l: [1, {c: "deep"}]}, tags: SS{a, b}}.
func item() attr.Item {
	return attr.Item{"a": attr.Num(attr.MustNumber("5")), "s": attr.Str("xyz"),
		"m":    attr.Map(map[string]attr.Value{"l": attr.List([]attr.Value{attr.Num(attr.MustNumber("1")), attr.Map(map[string]attr.Value{"c": attr.Str("deep")})})}),
		"tags": attr.StrSet([]string{"a", "b"})}
}

func TestParseCondition(t *testing.T) {
	cases := []struct {
		expr string
		want bool
		err  string
	}{
		{expr: "a = :n", want: true},
		{expr: "a <> :n", want: false},
		{expr: "a < :hi AND a >= :n", want: true},
		{expr: "a BETWEEN :n AND :hi", want: true},
		{expr: "a IN (:hi, :n)", want: true},
		{expr: "NOT a = :n OR s = :s", want: false},
		{expr: "NOT (a = :hi OR s = :s)", want: true},
		{expr: "begins_with(s, :s) AND contains(s, :s) AND contains(tags, :s) = :n", err: `Invalid ConditionExpression: Syntax error; token: "=", near: ") = :n"`},
		{expr: "begins_with(s, :s) AND contains(tags, :s)", want: false},
		{expr: "size(s) = :n", want: false},
		{expr: "size(m.l) < :n AND m.l[1].c = #c", err: "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #c"},
		{expr: "attribute_exists(m.l[1].c) AND attribute_not_exists(m.l[2])", want: true},
		{expr: "attribute_type(tags, :s)", err: "Invalid ConditionExpression: Invalid attribute type name found; type: x, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{expr: "a BETWEEN :hi AND :n", err: `Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: AttributeValue: {"N":"10"}, upper operand: AttributeValue: {"N":"5"}`},
		{expr: "status = :n", err: "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{expr: "a = :nope", err: "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{expr: "a = ", err: `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "="`},
		{expr: "a == :n", err: `Invalid ConditionExpression: Syntax error; token: "=", near: "== :n"`},
		{expr: "a = :n)", err: `Invalid ConditionExpression: Syntax error; token: ")", near: ":n)"`},
		{expr: "frob(a)", err: "Invalid ConditionExpression: Invalid function name; function: frob"},
		{expr: "a = :n ; drop", err: `Invalid ConditionExpression: Invalid character encountered; character: ";", near: "a = :n ; drop"`},
		{expr: "", err: "Invalid ConditionExpression: The expression can not be empty;"},
		{expr: "attribute_exists(a, s)", err: "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			cond, err := ParseCondition("ConditionExpression", c.expr, NewContext(nil, vals()))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error = %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cond.Eval(item()); got != c.want {
				t.Fatalf("Eval = %v, want %v", got, c.want)
			}
		})
	}
}

func TestParseUpdate(t *testing.T) {
	cases := []struct{ expr, want, err string }{
		{expr: "SET a = a + :n, b = :s", want: `{"a":{"N":"10"},"b":{"S":"x"}}`},
		{expr: "SET m.l[5] = :s", want: `{"m":{"M":{"l":{"L":[{"N":"1"},{"M":{"c":{"S":"deep"}}},{"S":"x"}]}}}}`},
		{expr: "REMOVE m.l[0]", want: `{"m":{"M":{"l":{"L":[{"M":{"c":{"S":"deep"}}}]}}}}`},
		{expr: "SET m.l = list_append(:l, m.l)", want: `{"m":{"M":{"l":{"L":[{"S":"a"},{"N":"1"},{"M":{"c":{"S":"deep"}}}]}}}}`},
		{expr: "ADD tags :ss", want: `{"tags":{"SS":["a","b"]}}`},
		{expr: "DELETE tags :ss", want: `{"tags":{"SS":["b"]}}`},
		{expr: "SET a = :n SET b = :n", err: `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{expr: "SET a = :s + :n", err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{expr: "ADD a :s", err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{expr: "SET a = list_append(:n, :l)", err: "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
		{expr: "SET a = size(s)", err: "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{expr: "SET m.l[0] = :n REMOVE m", err: "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m, l, [0]], path two: [m]"},
		{expr: "UPSERT a = :n", err: `Invalid UpdateExpression: Syntax error; token: "UPSERT", near: "UPSERT a"`},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			u, err := ParseUpdate(c.expr, NewContext(nil, vals()))
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("error = %v, want %s", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			before := item()
			got, err := u.Apply(before)
			if err != nil {
				t.Fatal(err)
			}
			if !before.Equal(item()) {
				t.Fatal("Apply changed its input")
			}
			var top Projection
			for _, p := range u.Paths() {
				top = append(top, p[:1])
			}
			out, _ := top.Apply(got).MarshalJSON()
			if string(out) != c.want {
				t.Fatalf("updated = %s, want %s", out, c.want)
			}
		})
	}
}

func TestUnusedPlaceholders(t *testing.T) {
	ctx := NewContext(map[string]string{"#a": "a", "#b": "b"}, vals())
	if _, err := ParseCondition("ConditionExpression", "#a = :n", ctx); err != nil {
		t.Fatal(err)
	}
	err := ctx.CheckUnused()
	if err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}" {
		t.Fatalf("CheckUnused = %v", err)
	}
}

func TestKeyCondition(t *testing.T) {
	parts, err := ParseKeyCondition("#p = :s AND begins_with(sk, :s)", NewContext(map[string]string{"#p": "PK"}, vals()))
	if err != nil || len(parts) != 2 || parts[0].Name != "PK" || parts[1].Op != "begins_with" || !parts[1].Match(attr.Str("xy")) {
		t.Fatalf("parts = %+v, %v", parts, err)
	}
	for src, msg := range map[string]string{
		"PK = :s AND PK = :s":          "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key",
		"PK = :s AND contains(sk, :s)": "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: contains",
		"NOT PK = :s":                  "Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: NOT",
		"PK = sk":                      "Invalid KeyConditionExpression: Operand of a key condition must be an expression attribute value",
	} {
		if _, err := ParseKeyCondition(src, NewContext(nil, vals())); err == nil || err.Error() != msg {
			t.Errorf("%s: %v, want %s", src, err, msg)
		}
	}
}

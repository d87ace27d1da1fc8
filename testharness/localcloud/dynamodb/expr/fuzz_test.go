package expr

import (
	"strings"
	"testing"
)

// expressionKinds are the parameters a request's expressions arrive in,
// by the fuzzer's kind byte.
var expressionKinds = []string{"ConditionExpression", "FilterExpression", "KeyConditionExpression", "UpdateExpression", "ProjectionExpression"}

// FuzzExpressions: any expression of any kind either parses or fails with
// an *Error whose message names its parameter as DynamoDB does ("Invalid
// UpdateExpression: …"); it never panics. What parses evaluates against an
// item deterministically, and an update leaves the item it is applied to
// unchanged, failing only with an *Error.
func FuzzExpressions(f *testing.F) {
	for _, s := range []struct {
		kind uint8
		src  string
	}{
		{0, "a < :hi AND a >= :n"}, {0, "a BETWEEN :n AND :hi"}, {0, "a IN (:hi, :n)"}, {0, "NOT (a = :hi OR s = :s)"},
		{0, "begins_with(s, :s) AND contains(tags, :s)"}, {0, "size(m.l) < :n AND m.l[1].c = :s"},
		{0, "attribute_exists(m.l[1].c) AND attribute_not_exists(m.l[2])"}, {1, "attribute_type(tags, :ss)"},
		{1, "#a <> :n OR #m.#a[0] > :n"}, {2, "#k = :s AND begins_with(sk, :s)"}, {2, "pk = :n AND sk BETWEEN :n AND :hi"},
		{3, "SET a = a + :n, m.l[5] = :s REMOVE s ADD tags :ss DELETE tags :ss"}, {3, "SET l = list_append(if_not_exists(l, :l), :l)"},
		{3, "SET #m.l[0] = :n, a = :hi - a REMOVE m.l[1], m.l[0]"}, {4, "a, m.l[1].c, #m.x"}, {4, "tags, s"},
		{0, strings.Repeat("(", 200) + "a = :n" + strings.Repeat(")", 200)},
	} {
		f.Add(s.kind, s.src)
	}
	names := map[string]string{"#a": "a", "#k": "pk", "#m": "m"}
	values := vals()
	f.Fuzz(func(t *testing.T, kind uint8, src string) {
		k := expressionKinds[int(kind)%len(expressionKinds)]
		ctx := NewContext(names, values)
		it := item()
		before, _ := it.MarshalJSON()
		var err error
		switch k {
		case "ConditionExpression", "FilterExpression":
			var c Condition
			if c, err = ParseCondition(k, src, ctx); err == nil {
				if first, second := c.Eval(it), c.Eval(it); first != second {
					t.Fatalf("%s %q evaluates two ways", k, src)
				}
			}
		case "KeyConditionExpression":
			var parts []KeyPart
			if parts, err = ParseKeyCondition(src, ctx); err == nil {
				for _, p := range parts {
					v := it[p.Name]
					if first, second := p.Match(v), p.Match(v); first != second {
						t.Fatalf("%s %q matches two ways", k, src)
					}
				}
			}
		case "UpdateExpression":
			var u *Update
			if u, err = ParseUpdate(src, ctx); err == nil {
				_ = u.Paths()
				if _, aerr := u.Apply(it); aerr != nil {
					if _, ok := aerr.(*Error); !ok {
						t.Fatalf("%s %q: Apply error %T %v is not an *Error", k, src, aerr, aerr)
					}
				}
			}
		case "ProjectionExpression":
			var p Projection
			if p, err = ParseProjection(src, ctx); err == nil {
				_ = p.Apply(it)
			}
		}
		if err != nil {
			e, ok := err.(*Error)
			if !ok || !strings.HasPrefix(e.Msg, "Invalid "+k+": ") {
				t.Fatalf("%s %q: error %T %v is not an *Error that names %s", k, src, err, err, k)
			}
		}
		if after, _ := it.MarshalJSON(); string(after) != string(before) {
			t.Fatalf("%s %q changed the item it was evaluated on:\n%s\n%s", k, src, before, after)
		}
	})
}

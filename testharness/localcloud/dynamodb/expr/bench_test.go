package expr

import "testing"

// BenchmarkConditionEval is the cost of evaluating a parsed condition.
func BenchmarkConditionEval(b *testing.B) {
	c, err := ParseCondition("ConditionExpression", "a BETWEEN :n AND :hi AND begins_with(s, :s) AND size(m.l) < :n AND attribute_exists(m.l[1].c)", NewContext(nil, vals()))
	if err != nil {
		b.Fatal(err)
	}
	it := item()
	b.ReportAllocs()
	for b.Loop() {
		if !c.Eval(it) {
			b.Fatal("condition false")
		}
	}
}

// BenchmarkParseAndApplyUpdate is the cost of parsing and applying an
// update expression, as UpdateItem does per request.
func BenchmarkParseAndApplyUpdate(b *testing.B) {
	it := item()
	b.ReportAllocs()
	for b.Loop() {
		u, err := ParseUpdate("SET a = a + :n, m.l[0] = :s REMOVE s ADD tags :ss", NewContext(nil, vals()))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := u.Apply(it); err != nil {
			b.Fatal(err)
		}
	}
}

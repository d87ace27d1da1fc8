package asl

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
)

// passWith runs a one-state Pass machine whose Parameters are {"r.$": expr}.
func passWith(t *testing.T, expr, input string) *Result {
	t.Helper()
	b, _ := json.Marshal(expr)
	def := fmt.Sprintf(`{"StartAt":"S","States":{"S":{"Type":"Pass","End":true,"Parameters":{"r.$":%s}}}}`, b)
	return run(t, nil, def, input, RunOptions{})
}

func TestIntrinsicFunctions(t *testing.T) {
	input := `{"a":[1,2,2,"x",{"k":1},{"k":1}],"s":"a,b,,c","o1":{"x":1,"y":{"z":1}},"o2":{"y":2},"n":3,"name":"Ann"}`
	cases := []struct{ expr, want string }{
		{`States.Format('Hi {}, you are {} ({})', $.name, $.n, true)`, `"Hi Ann, you are 3 (true)"`},
		{`States.Format('literal \{\} and {}', 'x')`, `"literal {} and x"`},
		{`States.Format('it\'s {}', null)`, `"it's null"`},
		{`States.StringToJson('{"q":[1,2]}')`, `{"q":[1,2]}`},
		{`States.JsonToString($.o2)`, `"{\"y\":2}"`},
		{`States.Array(1, 'two', $.o2, States.Array())`, `[1,"two",{"y":2},[]]`},
		{`States.ArrayPartition(States.ArrayRange(1, 5, 1), 2)`, `[[1,2],[3,4],[5]]`},
		{`States.ArrayContains($.a, 'x')`, `true`},
		{`States.ArrayRange(10, 0, -5)`, `[10,5,0]`},
		{`States.ArrayGetItem($.a, 4)`, `{"k":1}`},
		{`States.ArrayLength($.a)`, `6`},
		{`States.ArrayUnique($.a)`, `[1,2,"x",{"k":1}]`},
		{`States.Base64Encode('Data to encode')`, `"RGF0YSB0byBlbmNvZGU="`},
		{`States.Base64Decode('RGF0YSB0byBlbmNvZGU=')`, `"Data to encode"`},
		// FIPS 180-2 test vectors for "abc".
		{`States.Hash('abc', 'SHA-384')`, `"cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7"`},
		{`States.Hash('abc', 'SHA-512')`, `"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"`},
		{`States.JsonMerge($.o1, $.o2, false)`, `{"x":1,"y":2}`},
		{`States.MathAdd($.n, -4)`, `-1`},
		{`States.MathRandom(5, 6)`, `5`},
		{`States.StringSplit($.s, ',')`, `["a","b","c"]`},
		{`States.StringSplit('This.is+a,test=string', '.+,=')`, `["This","is","a","test","string"]`},
		{`States.ArrayLength(States.StringSplit(States.Format('{}-{}', 'a', 'b'), '-'))`, `2`},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			assertSucceeded(t, passWith(t, c.expr, input), `{"r":`+c.want+`}`)
		})
	}
}

func TestIntrinsicUUIDAndSeededRandom(t *testing.T) {
	res := passWith(t, `States.UUID()`, `{}`)
	if !regexp.MustCompile(`^\{"r":"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"\}$`).Match(res.Output) {
		t.Fatalf("UUID output %s", res.Output)
	}
	a := passWith(t, `States.MathRandom(0, 1000000, 42)`, `{}`)
	b := passWith(t, `States.MathRandom(0, 1000000, 42)`, `{}`)
	if string(a.Output) != string(b.Output) {
		t.Fatalf("seeded MathRandom differs: %s vs %s", a.Output, b.Output)
	}
}

func TestIntrinsicFailures(t *testing.T) {
	for _, expr := range []string{
		`States.Format('{} {}', 'only one')`,
		`States.Format('{}', $.o)`,
		`States.StringToJson('{bad')`,
		`States.ArrayPartition($.a, 0)`,
		`States.ArrayGetItem($.a, 9)`,
		`States.ArrayRange(0, 2000, 1)`,
		`States.Base64Decode('***')`,
		`States.Hash('x', 'SHA-3')`,
		`States.JsonMerge($.o, $.o, true)`,
		`States.MathAdd(1.5, 1)`,
		`States.MathRandom(5, 5)`,
		`States.ArrayLength($.o)`,
	} {
		t.Run(expr, func(t *testing.T) {
			assertFailed(t, passWith(t, expr, `{"a":[1],"o":{"k":1}}`), StatesIntrinsicFailure)
		})
	}
	// A path argument that selects nothing is a runtime error, as for any
	// other path in Parameters.
	assertFailed(t, passWith(t, `States.ArrayLength($.nope)`, `{}`), StatesRuntime)
}

func TestIntrinsicParseErrors(t *testing.T) {
	for _, expr := range []string{`States.Format('x'`, `States.Format('x') trailing`, `States.Array(1 2)`, `States.Format('unterminated)`, `States.Format('\q')`} {
		if _, err := parseIntrinsic(expr); err == nil {
			t.Errorf("%s parsed without error", expr)
		}
	}
}

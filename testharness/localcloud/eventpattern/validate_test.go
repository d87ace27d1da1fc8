package eventpattern

import (
	"errors"
	"testing"
)

// Rejections beyond the AWS-recorded rows, worded as event-ruler words them.
func TestInvalidPatterns(t *testing.T) {
	for _, tc := range []struct{ pattern, reason string }{
		{`[]`, "Filter is not an object"},
		{`{}`, "Empty objects are not allowed"},
		{`{"a":{}}`, "Empty objects are not allowed"},
		{`{"a":null}`, `"a" must be an object or an array`},
		{`{"a":true}`, `"a" must be an object or an array`},
		{`{"a":[[1]]}`, "Match value must be String, number, true, false, or null"},
		{`{"a":[{}]}`, "Match expression name not found"},
		{`{"a":[{"regexp":"x"}]}`, "Unrecognized match type regexp"},
		{`{"a":[{"prefix":"x","suffix":"y"}]}`, "Only one key allowed in match expression"},
		{`{"a":[{"prefix":{"exact":"x"}}]}`, "Unsupported prefix pattern: exact"},
		{`{"a":[{"exists":"yes"}]}`, "exists match pattern must be either true or false."},
		{`{"a":[{"numeric":[5]}]}`, "Invalid member in numeric match: 5"},
		{`{"a":[{"numeric":["!=",5]}]}`, "Unrecognized numeric range operator: !="},
		{`{"a":[{"numeric":["=","5"]}]}`, "Value of equals must be numeric"},
		{`{"a":[{"numeric":["<",1,">",0]}]}`, "Too many elements in numeric expression"},
		{`{"a":[{"numeric":[">",0,"<",1,2]}]}`, "Too many terms in numeric range expression"},
		{`{"a":[{"numeric":[">",0,5]}]}`, "Bad value in numeric range: 5"},
		{`{"a":[{"numeric":[">",6e9]}]}`, errNumberRange},
		{`{"a":[{"anything-but":[]}]}`, errAnythingButMixed},
		{`{"a":[{"anything-but":["x",1]}]}`, errAnythingButMixed},
		{`{"a":[{"anything-but":{"contains":"x"}}]}`, "Unsupported anything-but pattern: contains"},
		{`{"a":[{"wildcard":"a\\b"}]}`, "Invalid escape character at pos 2"},
		{`{"a":[{"cidr":"10.0.0.0/32"}]}`, "IPv4 mask bits must be < 32"},
		{`{"a":[{"cidr":"::/128"}]}`, "IPv6 mask bits must be < 128"},
		{`{"a":[{"cidr":"10.0.0.0/-1"}]}`, "Malformed CIDR, mask bits must not be negative"},
		{`{"$or":{"a":["1"]}}`, "It must be an Array followed with $or."},
		{`{"$or":[{"a":["1"]}]}`, "There must have at least 2 Objects in $or relationship."},
		{`{"$or":[{"a":["1"]},"b"]}`, "Only JSON object is allowed in array of $or relationship."},
		{`{"$or":[{"prefix":["1"]},{"b":["2"]}]}`, "prefix is Ruler reserved fieldName which cannot be used inside $or."},
	} {
		checkInvalid(t, tc.pattern, tc.reason)
	}
}

func TestInvalidPatternErrorShape(t *testing.T) {
	_, err := Compile([]byte(`{"a":[]}`))
	var ipe *InvalidPatternError
	if !errors.As(err, &ipe) {
		t.Fatalf("Compile error %T %v is not *InvalidPatternError", err, err)
	}
	if ipe.ErrorCode() != "InvalidEventPatternException" || ipe.ErrorMessage() != "Event pattern is not valid. Reason: Empty arrays are not allowed" {
		t.Errorf("got %s / %s", ipe.ErrorCode(), ipe.ErrorMessage())
	}
	// Malformed JSON is rejected in the same shape.
	if _, err := Compile([]byte(`{"a":[`)); !errors.As(err, &ipe) {
		t.Errorf("truncated JSON: got %v, want *InvalidPatternError", err)
	}
}

func TestPatternText(t *testing.T) {
	p, err := Compile([]byte("{ \"source\" : [ \"aws.s3\" ] }"))
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != `{"source":["aws.s3"]}` {
		t.Errorf("String() = %s", p)
	}
	b, err := p.MarshalJSON()
	if err != nil || string(b) != p.String() {
		t.Errorf("MarshalJSON() = %s, %v", b, err)
	}
}

func TestParseEventErrors(t *testing.T) {
	for _, ev := range []string{``, `[]`, `"x"`, `{"a":}`, `{"a":1}x`, `{"a":"\x"}`, `{"a":01}`, `{"a":"\ud800`} {
		if _, err := ParseEvent([]byte(ev)); err == nil {
			t.Errorf("ParseEvent(%q) succeeded, want error", ev)
		}
	}
	ev, err := ParseEvent([]byte(`{"s":"a\"b\u00e9\ud83d\ude00\n"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.root.get("s").str; got != "a\"bé😀\n" {
		t.Errorf("decoded string = %q", got)
	}
}

func TestWildcardComplexity(t *testing.T) {
	reason := "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character"
	checkInvalid(t, `{"a":[{"wildcard":"*:*:*:*:*:event-bus/*"}]}`, reason)
	checkInvalid(t, `{"a":[{"wildcard":"*a*b*c*d*e*f*"}]}`, reason)
	for _, ok := range []string{"*/init/*", "https://example.*/*.jpg", "arn:aws:events:us-east-1:*:event-bus/*", "*a*b*c*"} {
		if _, err := Compile([]byte(`{"a":[{"wildcard":"` + ok + `"}]}`)); err != nil {
			t.Errorf("wildcard %q: %v", ok, err)
		}
	}
}

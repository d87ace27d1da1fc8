package logfilter

import "testing"

// FuzzCompileMatch checks that no pattern or message makes the package panic and
// that Match and Extract agree.
func FuzzCompileMatch(f *testing.F) {
	seeds := [][2]string{
		{"ERROR -WARN ?x", "ERROR x"},
		{`{ ($.a = "x*") && $.b[0].c >= 1e3 || $.d IS NULL }`, `{"a":"xy","b":[{"c":1000}],"d":null}`},
		{"[ip, ..., status = 4* || status = %5..%, bytes > 10]", apacheLine},
		{"[..., a, ..., b = x, ...]", `a "b c" [d e] x "unclosed`},
		{`%^\d+$%`, "12345"},
		{`{ $.a NOT EXISTS }`, `{"a\u0041":[[[[{}]]]]}`},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, message string) {
		p, err := Compile(pattern)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Compile(%q) returned %T", pattern, err)
			}
			return
		}
		m := p.Match(message)
		if _, ok := p.Extract(message); ok != m {
			t.Fatalf("Match = %v but Extract matched = %v for %q on %q", m, ok, pattern, message)
		}
	})
}

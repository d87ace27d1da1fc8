package filterexpr

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse: any expression either compiles or fails with a *SyntaxError
// positioned inside it; it never panics. What compiles matches the fixture
// traces deterministically, and the same way in parentheses, while its
// negation "!(…)" matches exactly the others.
func FuzzParse(f *testing.F) {
	for _, path := range []string{"testdata/expressions.jsonl", "testdata/invalid.jsonl"} {
		for _, r := range readRows(f, path) {
			f.Add(r.Expression)
		}
	}
	traces := fixture()
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(s) || !strings.HasPrefix(err.Error(), "Invalid filter expression: ") {
				t.Fatalf("Parse(%q) error %T %v is not a *SyntaxError positioned in the expression", s, err, err)
			}
			return
		}
		grouped, err := Parse("(" + s + ")")
		if err != nil {
			t.Fatalf("Parse(%q) succeeded but fails in parentheses: %v", s, err)
		}
		negated, err := Parse("!(" + s + ")")
		if err != nil {
			t.Fatalf("Parse(%q) succeeded but fails negated: %v", s, err)
		}
		for name, tr := range traces {
			m := e.Match(tr)
			if e.Match(tr) != m || grouped.Match(tr) != m || negated.Match(tr) == m {
				t.Fatalf("%q on trace %s: matches %v, then %v; in parentheses %v; negated %v", s, name, m, e.Match(tr), grouped.Match(tr), negated.Match(tr))
			}
		}
	})
}

package logfilter

import "testing"

// expectMatches compiles pattern and checks which messages it matches and which it does not.
func expectMatches(t *testing.T, pattern string, matching, notMatching []string) {
	t.Helper()
	p, err := Compile(pattern)
	if err != nil {
		t.Fatalf("Compile(%q): %v", pattern, err)
	}
	for _, m := range matching {
		if !p.Match(m) {
			t.Errorf("%q should match %q", pattern, m)
		}
	}
	for _, m := range notMatching {
		if p.Match(m) {
			t.Errorf("%q should not match %q", pattern, m)
		}
	}
}

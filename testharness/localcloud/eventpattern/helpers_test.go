package eventpattern

import "testing"

// checkPattern is the quamina-style helper: this pattern, these events
// match, these don't.
func checkPattern(t *testing.T, pattern string, match, noMatch []string) {
	t.Helper()
	p, err := Compile([]byte(pattern))
	if err != nil {
		t.Fatalf("Compile(%s): %v", pattern, err)
	}
	for _, ev := range match {
		if got, err := p.Matches([]byte(ev)); err != nil || !got {
			t.Errorf("pattern %s should match %s (got %v, %v)", pattern, ev, got, err)
		}
	}
	for _, ev := range noMatch {
		if got, err := p.Matches([]byte(ev)); err != nil || got {
			t.Errorf("pattern %s should not match %s (got %v, %v)", pattern, ev, got, err)
		}
	}
}

// checkInvalid asserts that Compile rejects pattern with AWS's message.
func checkInvalid(t *testing.T, pattern, reason string) {
	t.Helper()
	_, err := Compile([]byte(pattern))
	want := "Event pattern is not valid. Reason: " + reason
	if err == nil || err.Error() != want {
		t.Errorf("Compile(%s) = %v, want %q", pattern, err, want)
	}
}

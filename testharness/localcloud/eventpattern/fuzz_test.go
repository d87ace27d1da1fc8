package eventpattern

import (
	"bufio"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// addConformanceSeeds seeds a fuzzer with the patterns and events of the
// conformance rows.
func addConformanceSeeds(f *testing.F, add func(pattern, event []byte)) {
	f.Helper()
	for _, path := range []string{"testdata/event-patterns.jsonl", "testdata/event-patterns-invalid.jsonl"} {
		file, err := os.Open(path)
		if err != nil {
			f.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r conformanceRow
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				f.Fatal(err)
			}
			add(r.pattern(), r.Event)
		}
		file.Close()
	}
}

// FuzzCompile: any input either compiles or fails with an
// *InvalidPatternError; it never panics.
func FuzzCompile(f *testing.F) {
	addConformanceSeeds(f, func(p, _ []byte) { f.Add(p) })
	f.Fuzz(func(t *testing.T, pattern []byte) {
		p, err := Compile(pattern)
		if err != nil {
			var ipe *InvalidPatternError
			if !errors.As(err, &ipe) {
				t.Fatalf("Compile(%q) error %T %v is not an *InvalidPatternError", pattern, err, err)
			}
			return
		}
		if _, err := Compile([]byte(p.String())); err != nil {
			t.Fatalf("String() of a compiled pattern does not compile: %q: %v", p.String(), err)
		}
	})
}

// FuzzMatch: matching any pattern against any event never panics, and
// parsing then matching agrees with Matches.
func FuzzMatch(f *testing.F) {
	addConformanceSeeds(f, func(p, e []byte) { f.Add(p, e) })
	f.Fuzz(func(t *testing.T, pattern, event []byte) {
		p, err := Compile(pattern)
		if err != nil {
			return
		}
		got, err := p.Matches(event)
		ev, perr := ParseEvent(event)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Matches error %v but ParseEvent error %v", err, perr)
		}
		if perr == nil && p.MatchesEvent(ev) != got {
			t.Fatalf("MatchesEvent disagrees with Matches for %q on %q", pattern, event)
		}
	})
}

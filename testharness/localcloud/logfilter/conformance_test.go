package logfilter

import (
	"bufio"
	"encoding/json"
	"maps"
	"os"
	"testing"
)

// conformanceRow is one line of testdata/log-filter-patterns.jsonl, copied from
// /work/shared/conformance with each row's source.
type conformanceRow struct {
	Source     string            `json:"source"`
	Kind       string            `json:"kind"`
	Pattern    string            `json:"pattern"`
	Message    string            `json:"message"`
	Match      bool              `json:"match"`
	Confidence string            `json:"confidence"`
	Extracted  map[string]string `json:"extracted"`
}

func loadConformance(t *testing.T) []conformanceRow {
	t.Helper()
	f, err := os.Open("testdata/log-filter-patterns.jsonl")
	if err != nil {
		t.Fatalf("open conformance data: %v", err)
	}
	defer f.Close()
	var rows []conformanceRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r conformanceRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("row %d: %v", len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read conformance data: %v", err)
	}
	if len(rows) == 0 {
		t.Fatal("no conformance rows")
	}
	return rows
}

func TestConformance(t *testing.T) {
	rows := loadConformance(t)
	passed := 0
	for i, r := range rows {
		ok := t.Run(r.Kind, func(t *testing.T) {
			p, err := Compile(r.Pattern)
			if err != nil {
				t.Fatalf("row %d %s: Compile(%q): %v", i+1, r.Source, r.Pattern, err)
			}
			if got := p.Match(r.Message); got != r.Match {
				t.Errorf("row %d %s (%s): Match(%q, %q) = %v, want %v", i+1, r.Source, r.Confidence, r.Pattern, r.Message, got, r.Match)
			}
			got, matched := p.Extract(r.Message)
			if matched != r.Match {
				t.Errorf("row %d: Extract matched = %v, want %v", i+1, matched, r.Match)
			}
			if r.Extracted != nil && !maps.Equal(got, r.Extracted) {
				t.Errorf("row %d %s: Extract = %v, want %v", i+1, r.Source, got, r.Extracted)
			}
		})
		if ok {
			passed++
		}
	}
	t.Logf("conformance: %d/%d rows pass", passed, len(rows))
}

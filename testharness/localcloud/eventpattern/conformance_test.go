package eventpattern

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"testing"
)

// conformanceRow is one line of testdata/event-patterns*.jsonl, copied from
// /work/shared/conformance with each row's source. Pattern and event stay
// raw so numbers keep the text their source wrote.
type conformanceRow struct {
	Source          string          `json:"source"`
	Pattern         json.RawMessage `json:"pattern"`
	PatternRaw      string          `json:"pattern_raw"`
	Event           json.RawMessage `json:"event"`
	Match           bool            `json:"match"`
	EngineOnly      bool            `json:"engine_only"`
	Evidence        string          `json:"evidence"`
	ExpectedError   string          `json:"expected_error"`
	ExpectedMessage string          `json:"expected_message"`
}

func (r conformanceRow) pattern() []byte {
	if r.PatternRaw != "" {
		return []byte(r.PatternRaw)
	}
	return r.Pattern
}

func readRows(t *testing.T, path string) []conformanceRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []conformanceRow
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r conformanceRow
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s line %d: %v", path, len(rows)+1, err)
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: no rows", path)
	}
	return rows
}

// TestConformanceMatch runs every row EventBridge is known to share
// (engine_only false) and checks the match result.
func TestConformanceMatch(t *testing.T) {
	rows := readRows(t, "testdata/event-patterns.jsonl")
	run, passed := 0, 0
	for i, r := range rows {
		if r.EngineOnly {
			continue
		}
		run++
		p, err := Compile(r.pattern())
		if err != nil {
			t.Errorf("row %d (%s): Compile(%s): %v", i+1, r.Source, r.pattern(), err)
			continue
		}
		got, err := p.Matches(r.Event)
		if err != nil {
			t.Errorf("row %d (%s): Matches: %v", i+1, r.Source, err)
			continue
		}
		if got != r.Match {
			t.Errorf("row %d (%s, %s): pattern %s event %s: got %v, want %v", i+1, r.Source, r.Evidence, r.pattern(), r.Event, got, r.Match)
			continue
		}
		passed++
	}
	t.Logf("conformance match rows: %d/%d passed", passed, run)
}

// TestConformanceInvalid checks that every pattern AWS rejects is rejected
// with AWS's exact message.
func TestConformanceInvalid(t *testing.T) {
	rows := readRows(t, "testdata/event-patterns-invalid.jsonl")
	passed := 0
	for i, r := range rows {
		_, err := Compile(r.pattern())
		var ipe *InvalidPatternError
		if !errors.As(err, &ipe) {
			t.Errorf("row %d (%s): Compile(%s) = %v, want %s", i+1, r.Source, r.pattern(), err, r.ExpectedMessage)
			continue
		}
		if ipe.ErrorCode() != r.ExpectedError || ipe.Error() != r.ExpectedMessage {
			t.Errorf("row %d (%s): Compile(%s):\n got %s: %s\nwant %s: %s", i+1, r.Source, r.pattern(), ipe.ErrorCode(), ipe.Error(), r.ExpectedError, r.ExpectedMessage)
			continue
		}
		passed++
	}
	t.Logf("conformance invalid rows: %d/%d passed", passed, len(rows))
}

// TestConformanceEngineOnly runs the rows whose expectation is documented
// only for the engines: array-consistent matching, which this package
// implements, and quamina's regexp, which EventBridge does not accept.
func TestConformanceEngineOnly(t *testing.T) {
	rows := readRows(t, "testdata/event-patterns.jsonl")
	run, passed := 0, 0
	for i, r := range rows {
		if !r.EngineOnly {
			continue
		}
		run++
		p, err := Compile(r.pattern())
		if bytes.Contains(r.pattern(), []byte(`"regexp"`)) {
			var ipe *InvalidPatternError
			if !errors.As(err, &ipe) || ipe.Reason != "Unrecognized match type regexp" {
				t.Errorf("row %d (%s): Compile(%s) = %v, want Unrecognized match type regexp", i+1, r.Source, r.pattern(), err)
				continue
			}
			passed++
			continue
		}
		if err != nil {
			t.Errorf("row %d (%s): Compile(%s): %v", i+1, r.Source, r.pattern(), err)
			continue
		}
		got, err := p.Matches(r.Event)
		if err != nil || got != r.Match {
			t.Errorf("row %d (%s): pattern %s event %s: got %v (%v), want %v", i+1, r.Source, r.pattern(), r.Event, got, err, r.Match)
			continue
		}
		passed++
	}
	t.Logf("engine-only rows: %d/%d passed", passed, run)
}

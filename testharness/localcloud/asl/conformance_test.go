package asl

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// conformanceCase is one row of testdata/asl-cases.jsonl (copied from the
// shared conformance set; each row names its source).
type conformanceCase struct {
	Source         string          `json:"source"`
	Definition     json.RawMessage `json:"definition"`
	Input          json.RawMessage `json:"input"`
	ExpectedOutput json.RawMessage `json:"expected_output"`
	TaskResult     json.RawMessage `json:"task_result"`
	TaskInput      json.RawMessage `json:"task_input"`
	Unverified     bool            `json:"unverified"`
}

// readASLCases reads testdata/asl-cases.jsonl.
func readASLCases(t testing.TB) []conformanceCase {
	t.Helper()
	f, err := os.Open("testdata/asl-cases.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows []conformanceCase
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var c conformanceCase
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("row %d: %v", len(rows)+1, err)
		}
		rows = append(rows, c)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestConformanceASLCases(t *testing.T) {
	rows := readASLCases(t)
	if len(rows) != 32 {
		t.Fatalf("read %d rows, want 32", len(rows))
	}
	for _, c := range rows {
		t.Run(c.Source, func(t *testing.T) {
			inv := &staticInvoker{result: c.TaskResult, inputs: make(chan json.RawMessage, 1)}
			res := run(t, inv, string(c.Definition), string(c.Input), RunOptions{})
			assertSucceeded(t, res, string(c.ExpectedOutput))
			if c.TaskInput != nil {
				assertJSON(t, <-inv.inputs, string(c.TaskInput))
			}
		})
	}
}

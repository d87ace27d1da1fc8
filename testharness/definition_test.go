package testharness_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
)

func sampleTests() []testharness.Test {
	return []testharness.Test{
		{Name: "first", Deadline: 30 * time.Second, Await: testharness.Await{Success: []string{"Done"}, Failure: []string{"Broke"}}},
		{Name: "second", Deadline: 1500 * time.Millisecond, Await: testharness.Await{Success: []string{"Other"}}},
	}
}

type state struct {
	Type           string
	Resource       string
	TimeoutSeconds int
	Parameters     map[string]any
	Retry          []struct {
		ErrorEquals     []string
		IntervalSeconds int
		BackoffRate     float64
		MaxAttempts     int
	}
	Catch []struct {
		ErrorEquals []string
		Next        string
	}
	Branches []machine
	Next     string
	End      bool
}

type machine struct {
	StartAt string
	States  map[string]state
}

func decodeDefinition(t *testing.T, tests []testharness.Test) (string, machine) {
	t.Helper()
	def, err := testharness.Definition(tests)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := asl.Parse([]byte(def)); err != nil {
		t.Fatalf("asl.Parse: %v\n%s", err, def)
	}
	var m machine
	if err := json.Unmarshal([]byte(def), &m); err != nil {
		t.Fatal(err)
	}
	return def, m
}

func TestDefinitionHasOneBranchPerTestThenReport(t *testing.T) {
	def, m := decodeDefinition(t, sampleTests())
	run := m.States[m.StartAt]
	if run.Type != "Parallel" || len(run.Branches) != 2 || run.Next != "Report" {
		t.Fatalf("start state = %+v, want a Parallel of 2 branches then Report", run)
	}
	if m.States["Report"].Parameters["Payload"].(map[string]any)["phase"] != testharness.PhaseReport {
		t.Errorf("Report state = %+v", m.States["Report"])
	}
	wantTimeout := map[string]int{"first": 30, "second": 2}
	for i, b := range run.Branches {
		name := sampleTests()[i].Name
		if b.StartAt != name {
			t.Errorf("branch %d starts at %q, want %q", i, b.StartAt, name)
		}
		await := b.States[name+".Await"]
		if await.Resource != "arn:aws:states:::lambda:invoke.waitForTaskToken" || await.TimeoutSeconds != wantTimeout[name] {
			t.Errorf("%s.Await = %s %ds, want waitForTaskToken %ds", name, await.Resource, await.TimeoutSeconds, wantTimeout[name])
		}
		payload := await.Parameters["Payload"].(map[string]any)
		if payload["taskToken.$"] != "$$.Task.Token" || payload["correlationId.$"] != "$.run.correlationId" {
			t.Errorf("%s.Await payload = %v", name, payload)
		}
		assert := b.States[name+".Assert"]
		if len(assert.Retry) == 0 || assert.Retry[0].ErrorEquals[0] != testharness.ErrorTraceIncomplete ||
			assert.Retry[0].BackoffRate <= 1 || assert.Retry[0].MaxAttempts < 3 {
			t.Errorf("%s.Assert retry = %+v, want TraceIncomplete with backoff", name, assert.Retry)
		}
		// Every step that can fail is caught, and the catches lead to
		// cleanup; an Await timeout first to the diagnosis.
		for _, step := range []string{".Act", ".Assert", ".Diagnose"} {
			s := b.States[name+step]
			if len(s.Catch) != 1 || s.Catch[0].ErrorEquals[0] != "States.ALL" || s.Catch[0].Next != name+".Cleanup" {
				t.Errorf("%s%s catch = %+v, want States.ALL → %s.Cleanup", name, step, s.Catch, name)
			}
		}
		if c := await.Catch; len(c) != 2 || c[0].ErrorEquals[0] != testharness.ErrorStatesTimeout || c[0].Next != name+".Diagnose" ||
			c[1].ErrorEquals[0] != "States.ALL" || c[1].Next != name+".Cleanup" {
			t.Errorf("%s.Await catch = %+v, want States.Timeout → Diagnose, States.ALL → Cleanup", name, c)
		}
		if d := b.States[name+".Diagnose"]; d.Resource != "arn:aws:states:::lambda:invoke" || d.Next != name+".Cleanup" {
			t.Errorf("%s.Diagnose = %+v", name, d)
		}
		if c := b.States[name+".Cleanup"]; len(c.Catch) != 1 || c.Catch[0].Next != name+".CleanupFailed" || !c.End {
			t.Errorf("%s.Cleanup = %+v", name, c)
		}
	}
	for _, p := range []string{testharness.PlaceholderRunnerFunctionArn, testharness.PlaceholderAwaitFunctionArn} {
		if !strings.Contains(def, `"`+p+`"`) {
			t.Errorf("definition lacks placeholder %s", p)
		}
	}
	if strings.Count(def, "${") != strings.Count(def, `"${RunnerFunctionArn}"`)+strings.Count(def, `"${AwaitFunctionArn}"`) {
		t.Errorf("definition has undocumented placeholders:\n%s", def)
	}
}

func TestDefinitionRejectsBadTests(t *testing.T) {
	ok := sampleTests()[0]
	for name, tests := range map[string][]testharness.Test{
		"no tests":          nil,
		"bad name":          {{Name: "has space", Deadline: time.Second, Await: ok.Await}},
		"duplicate":         {ok, ok},
		"no deadline":       {{Name: "x", Await: ok.Await}},
		"no success events": {{Name: "x", Deadline: time.Second}},
	} {
		if _, err := testharness.Definition(tests); err == nil {
			t.Errorf("%s: Definition accepted %+v", name, tests)
		}
	}
}

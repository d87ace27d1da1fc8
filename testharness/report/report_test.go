package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
)

func sample() testharness.RunReport {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	return testharness.NewRunReport("arn:aws:states:us-east-1:000000000000:execution:Tests:run-1", start, start.Add(840*time.Millisecond), []testharness.Result{
		{Name: "s3_png_metadata", Passed: true, DurationMs: 412, TraceID: "1-6744a1b0-0123456789abcdef01234567", CorrelationID: "c-1"},
		{Name: "ddb_user_audit_log", Passed: false, DurationMs: 30001, Reason: "no UserAuditLogged within 30s:\nis the pipe's filter right?", CorrelationID: "c-2"},
	})
}

func TestTextOneLinePerTestAndTheCount(t *testing.T) {
	var out bytes.Buffer
	if err := Text(&out, sample(), nil); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"PASS  s3_png_metadata       412ms  trace 1-6744a1b0-0123456789abcdef01234567\n" +
		"FAIL  ddb_user_audit_log  30001ms  trace -  no UserAuditLogged within 30s: is the pipe's filter right?\n" +
		"1 passed, 1 failed\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

func TestJSONShape(t *testing.T) {
	var out bytes.Buffer
	if err := JSON(&out, sample(), nil); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out.String())
	}
	want := map[string]any{
		"results": []any{
			map[string]any{"name": "s3_png_metadata", "passed": true, "durationMs": 412.0, "traceId": "1-6744a1b0-0123456789abcdef01234567", "reason": "", "traceUrl": "", "logsUrl": ""},
			map[string]any{"name": "ddb_user_audit_log", "passed": false, "durationMs": 30001.0, "traceId": "", "reason": "no UserAuditLogged within 30s:\nis the pipe's filter right?", "traceUrl": "", "logsUrl": ""},
		},
		"passed": 1.0, "failed": 1.0, "verdictMs": 840.0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestJUnitIsWellFormedAndCountsFailures(t *testing.T) {
	var out bytes.Buffer
	if err := JUnit(&out, sample(), nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML declaration: %.60s", out.String())
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suite    struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Name    string                         `xml:"name,attr"`
				Time    string                         `xml:"time,attr"`
				Props   []struct{ Name, Value string } `xml:"properties>property"`
				Failure *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed: %v\n%s", err, out.String())
	}
	if doc.Tests != 2 || doc.Failures != 1 || doc.Suite.Name != SuiteName || len(doc.Suite.Cases) != 2 {
		t.Fatalf("doc = %+v", doc)
	}
	pass, fail := doc.Suite.Cases[0], doc.Suite.Cases[1]
	if pass.Failure != nil || pass.Time != "0.412" || pass.Name != "s3_png_metadata" {
		t.Errorf("passing case = %+v", pass)
	}
	if fail.Failure == nil || fail.Failure.Text != sample().Results[1].Reason || strings.Contains(fail.Failure.Message, "\n") {
		t.Errorf("failing case = %+v", fail)
	}
}

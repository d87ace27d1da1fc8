// Package report renders the outcome of a suite run (a
// testharness.RunReport) for people and CI systems: one line per test and
// a closing count, the JSON of `tracebridge test --json`, and JUnit XML.
package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
)

// Text writes one line per test — PASS or FAIL, the name, the time to
// verdict, the trace id and, for a failure, the reason — under it, indented,
// the test's links when it has any, and then the closing line
// "N passed, M failed".
func Text(w io.Writer, r testharness.RunReport, links Linker) error {
	nameWidth := 0
	for _, res := range r.Results {
		nameWidth = max(nameWidth, len(res.Name))
	}
	var b strings.Builder
	for _, res := range r.Results {
		verdict := "PASS"
		if !res.Passed {
			verdict = "FAIL"
		}
		trace := res.TraceID
		if trace == "" {
			trace = "-"
		}
		line := fmt.Sprintf("%s  %-*s  %7s  trace %s", verdict, nameWidth, res.Name, millis(res.DurationMs), trace)
		if res.Reason != "" {
			line += "  " + oneLine(res.Reason)
		}
		b.WriteString(line + "\n")
		if l := links.of(res); l.Trace != "" || l.Logs != "" {
			b.WriteString("      " + strings.TrimSpace(labelled("trace", l.Trace)+labelled("logs", l.Logs)) + "\n")
		}
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", r.Passed, r.Failed)
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONResult is one test in the JSON report. Every field is always
// present, so a consumer never needs to tell "missing" from "empty".
type JSONResult struct {
	Name       string `json:"name"`
	Passed     bool   `json:"passed"`
	DurationMs int64  `json:"durationMs"`
	TraceID    string `json:"traceId"`
	Reason     string `json:"reason"`
	// TraceURL and LogsURL are where to look at the test's trace and log
	// lines: the AWS consoles for a deployed stack, the local console for
	// a local cloud that outlives the run; "" otherwise.
	TraceURL string `json:"traceUrl"`
	LogsURL  string `json:"logsUrl"`
}

// JSONReport is the document `tracebridge test --json` prints.
type JSONReport struct {
	Results   []JSONResult `json:"results"`
	Passed    int          `json:"passed"`
	Failed    int          `json:"failed"`
	VerdictMs int64        `json:"verdictMs"`
}

// JSON writes r as a JSONReport, one document and a newline.
func JSON(w io.Writer, r testharness.RunReport, links Linker) error {
	out := JSONReport{Results: make([]JSONResult, len(r.Results)), Passed: r.Passed, Failed: r.Failed, VerdictMs: r.VerdictMs}
	for i, res := range r.Results {
		l := links.of(res)
		out.Results[i] = JSONResult{Name: res.Name, Passed: res.Passed, DurationMs: res.DurationMs, TraceID: res.TraceID,
			Reason: res.Reason, TraceURL: l.Trace, LogsURL: l.Logs}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// The JUnit XML schema CI systems read (the Ant junit task's format, as
// Jenkins, GitLab and GitHub reporters accept it).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Failure    *junitFailure   `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// SuiteName is the JUnit suite and class name of the harness's tests.
const SuiteName = "tracebridge"

// JUnit writes r as JUnit XML: one testsuite, one testcase per test with
// its trace and correlation ids and its links as properties, a failure
// element with the reason for each failed test.
func JUnit(w io.Writer, r testharness.RunReport, links Linker) error {
	suite := junitSuite{
		Name: SuiteName, Tests: len(r.Results), Failures: r.Failed,
		Time: seconds(r.VerdictMs),
	}
	if !r.StartedAt.IsZero() {
		suite.Timestamp = r.StartedAt.UTC().Format(time.RFC3339)
	}
	if r.ExecutionArn != "" {
		suite.Properties = []junitProperty{{Name: "executionArn", Value: r.ExecutionArn}}
	}
	for _, res := range r.Results {
		c := junitCase{Name: res.Name, Classname: SuiteName, Time: seconds(res.DurationMs)}
		l := links.of(res)
		for _, p := range []junitProperty{{"traceId", res.TraceID}, {"correlationId", res.CorrelationID}, {"traceUrl", l.Trace}, {"logsUrl", l.Logs}} {
			if p.Value != "" {
				c.Properties = append(c.Properties, p)
			}
		}
		if !res.Passed {
			c.Failure = &junitFailure{Message: oneLine(res.Reason), Type: "TestFailed", Text: res.Reason}
		}
		suite.Cases = append(suite.Cases, c)
	}
	doc := junitSuites{Name: SuiteName, Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// labelled is "label value " for a value, "" for none.
func labelled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " " + value + "  "
}

func millis(ms int64) string { return fmt.Sprintf("%dms", ms) }

func seconds(ms int64) string { return fmt.Sprintf("%.3f", float64(ms)/1000) }

// oneLine keeps a multi-line reason on the test's line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

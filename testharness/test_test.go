package testharness_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
)

func TestTraceIDIsTheHeadersRoot(t *testing.T) {
	for header, want := range map[string]string{
		"Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1": "1-5759e988-bd862e3fe1be46a994272793",
		"Parent=1; Root=1-a-b": "1-a-b",
		"":                     "",
		"Sampled=1":            "",
	} {
		if got := testharness.TraceID(header); got != want {
			t.Errorf("TraceID(%q) = %q, want %q", header, got, want)
		}
	}
}

func TestRunReportCountsAndKeepsTheContractsJSONNames(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rep := testharness.NewRunReport("arn:x", start, start.Add(850*time.Millisecond), []testharness.Result{
		{Name: "a", Passed: true, DurationMs: 10}, {Name: "b", Reason: "no event", TraceID: "1-a-b", CorrelationID: "c"},
	})
	if rep.Passed != 1 || rep.Failed != 1 || rep.VerdictMs != 850 {
		t.Fatalf("report = %+v", rep)
	}
	raw, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"results":[{"name":"a","passed":true,"durationMs":10}`, `"reason":"no event"`, `"traceId":"1-a-b"`,
		`"correlationId":"c"`, `"verdictMs":850`, `"executionArn":"arn:x"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("report JSON lacks %s: %s", want, raw)
		}
	}
	if empty, _ := json.Marshal(testharness.NewRunReport("", start, start, nil)); !strings.Contains(string(empty), `"results":[]`) {
		t.Errorf("an empty report's results must be [] for consumers: %s", empty)
	}
}

func TestProveAbsenceRunsTheCanaryLastAndStopsAtAnError(t *testing.T) {
	var order []string
	step := func(name string, err error) testharness.Step {
		return testharness.Step{Name: name, Do: func(context.Context) error { order = append(order, name); return err }}
	}
	if err := testharness.ProveAbsence(context.Background(), []testharness.Step{step("order", nil), step("update", nil)}, step("canary", nil)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, ",") != "order,update,canary" {
		t.Errorf("order = %v", order)
	}
	order = nil
	err := testharness.ProveAbsence(context.Background(), []testharness.Step{step("order", errors.New("denied")), step("update", nil)}, step("canary", nil))
	if err == nil || err.Error() != "order: denied" || len(order) != 1 {
		t.Errorf("err = %v after %v, want the failed step named and nothing after it (least of all the canary)", err, order)
	}
}

func TestOutputsFromEnvironNamesWhatIsMissing(t *testing.T) {
	env := map[string]string{testharness.EnvOutputNames: "BucketName,TableName,AuditLogGroupName", "BUCKET_NAME": "b"}
	_, err := testharness.OutputsFromEnviron(func(k string) string { return env[k] })
	if err == nil || !strings.Contains(err.Error(), "AUDIT_LOG_GROUP_NAME, TABLE_NAME") {
		t.Fatalf("err = %v, want the missing variables named", err)
	}
	env["TABLE_NAME"], env["AUDIT_LOG_GROUP_NAME"], env["OTHER"] = "t", "g", "not an output"
	out, err := testharness.OutputsFromEnviron(func(k string) string { return env[k] })
	if err != nil || len(out) != 3 || out["BucketName"] != "b" || out["TableName"] != "t" || out["AuditLogGroupName"] != "g" {
		t.Fatalf("outputs = %v, %v", out, err)
	}
	if out, err := testharness.OutputsFromEnviron(func(string) string { return "" }); err != nil || len(out) != 0 {
		t.Errorf("without %s: %v, %v; want no outputs", testharness.EnvOutputNames, out, err)
	}
}

func TestOutputEnvVar(t *testing.T) {
	for output, want := range map[string]string{
		"BucketName": "BUCKET_NAME", "AuditLogGroupName": "AUDIT_LOG_GROUP_NAME", "EventBusName": "EVENT_BUS_NAME",
		"S3BucketARN": "S3_BUCKET_ARN", "QueueURL": "QUEUE_URL", "Table2Name": "TABLE2_NAME", "name": "NAME",
	} {
		if got := testharness.OutputEnvVar(output); got != want {
			t.Errorf("OutputEnvVar(%q) = %q, want %q", output, got, want)
		}
	}
}

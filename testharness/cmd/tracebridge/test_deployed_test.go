package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// deployReportMachine deploys a stack whose test state machine is one Pass
// state answering rep, the stand-in for a harness that runs tests: the
// CLI's --endpoint and --stack path must find it through the stack's
// output, start it, follow it and read its output.
func deployReportMachine(t *testing.T, cloud *localcloud.Cloud, stackName string, rep testharness.RunReport) {
	t.Helper()
	definition, err := json.Marshal(map[string]any{
		"StartAt": "Report",
		"States":  map[string]any{"Report": map[string]any{"Type": "Pass", "Result": rep, "End": true}},
	})
	if err != nil {
		t.Fatal(err)
	}
	template, err := json.Marshal(map[string]any{
		"Resources": map[string]any{
			"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
				"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
					"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": map[string]any{"Service": "states.amazonaws.com"}}}},
			}},
			"Tests": map[string]any{"Type": "AWS::StepFunctions::StateMachine", "Properties": map[string]any{
				"RoleArn":          map[string]any{"Fn::GetAtt": []any{"Role", "Arn"}},
				"DefinitionString": string(definition),
			}},
		},
		"Outputs": map[string]any{"TestStateMachineArn": map[string]any{"Value": map[string]any{"Ref": "Tests"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := cloud.CloudFormation.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: stackName, Body: template}); err != nil {
		t.Fatalf("deploy %s: %v", stackName, err)
	}
}

func sampleReport(failing bool) testharness.RunReport {
	start := time.Date(2026, 11, 25, 14, 0, 0, 0, time.UTC)
	results := []testharness.Result{
		{Name: "s3_png_metadata", Passed: true, DurationMs: 412, TraceID: "1-6744a1b0-0123456789abcdef01234567", CorrelationID: "c-1"},
	}
	if failing {
		results = append(results, testharness.Result{Name: "ddb_user_audit_log", DurationMs: 30000,
			Reason: "no UserAuditLogged within 30s", CorrelationID: "c-2"})
	}
	return testharness.NewRunReport("arn:aws:states:us-east-1:000000000000:execution:Tests:x", start, start.Add(950*time.Millisecond), results)
}

func TestTestEndpointRunsTheDeployedSuite(t *testing.T) {
	cloud := emptyCloud(t)
	deployReportMachine(t, cloud, defaultStackName, sampleReport(false))

	got := runCLI(t, "test", "--endpoint", cloud.Endpoint())
	if got.code != 0 {
		t.Fatalf("exit %d, stderr %s", got.code, got.stderr)
	}
	// A running local cloud outlives the command: the result links to its
	// console.
	console := cloud.ConsoleURL()
	want := "PASS  s3_png_metadata    412ms  trace 1-6744a1b0-0123456789abcdef01234567\n" +
		"      trace " + console + "#trace/1-6744a1b0-0123456789abcdef01234567  logs " + console + "#events/trace/1-6744a1b0-0123456789abcdef01234567\n" +
		"1 passed, 0 failed\n"
	if got.stdout != want {
		t.Errorf("stdout\n%s\nwant\n%s", got.stdout, want)
	}
	if !strings.Contains(got.stderr, "running the suite of stack Tracebridge: arn:aws:states:") {
		t.Errorf("stderr %q does not name the execution", got.stderr)
	}
}

func TestTestFailuresExitOneWithJSONAndJUnit(t *testing.T) {
	cloud := emptyCloud(t)
	deployReportMachine(t, cloud, "Other", sampleReport(true))
	junit := filepath.Join(t.TempDir(), "results.xml")

	got := runCLI(t, "test", "--endpoint", cloud.Endpoint(), "--stack", "Other", "--json", "--junit", junit)
	if got.code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", got.code, got.stderr)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, got.stdout)
	}
	if keys := sortedKeys(doc); !reflect.DeepEqual(keys, []string{"failed", "passed", "results", "verdictMs"}) {
		t.Errorf("keys %v", keys)
	}
	if doc["passed"] != 1.0 || doc["failed"] != 1.0 || doc["verdictMs"] != 950.0 {
		t.Errorf("counts %v %v %v", doc["passed"], doc["failed"], doc["verdictMs"])
	}
	results := doc["results"].([]any)
	failed := results[1].(map[string]any)
	if keys := sortedKeys(failed); !reflect.DeepEqual(keys, []string{"durationMs", "logsUrl", "name", "passed", "reason", "traceId", "traceUrl"}) {
		t.Errorf("result keys %v", keys)
	}
	if failed["name"] != "ddb_user_audit_log" || failed["passed"] != false || failed["reason"] != "no UserAuditLogged within 30s" || failed["traceUrl"] != "" {
		t.Errorf("failed result %v", failed)
	}
	if passed := results[0].(map[string]any); passed["traceUrl"] != cloud.ConsoleURL()+"#trace/1-6744a1b0-0123456789abcdef01234567" {
		t.Errorf("passed result %v: want its trace in the local console", passed)
	}

	raw, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(raw, &suites); err != nil || suites.Tests != 2 || suites.Failures != 1 {
		t.Errorf("JUnit %+v (%v):\n%s", suites, err, raw)
	}
	if got.stderr == "" || strings.Contains(got.stderr, "tracebridge: tests failed") {
		t.Errorf("stderr %q: want progress, and no error line for failed tests (the results say it)", got.stderr)
	}
}

func TestTestEndpointWithoutTheHarnessSaysWhatIsMissing(t *testing.T) {
	cloud := emptyCloud(t)
	got := runCLI(t, "test", "--endpoint", cloud.Endpoint())
	if got.code != 1 || !strings.Contains(got.stderr, "find stack Tracebridge (DescribeStacks)") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

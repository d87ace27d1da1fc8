package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/suite"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// The app's assembly, synthesized at most once per package run; the
// tests that deploy it run `tracebridge test` on it or on broken copies.
var assemblyDir, moduleRoot string

func TestMain(m *testing.M) {
	root, err := synth.ModuleRoot(".")
	if err == nil {
		moduleRoot, assemblyDir = root, synth.DefaultAssemblyDir(root)
		err = synth.Ensure(context.Background(), root, assemblyDir, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracebridge CLI tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

func suiteNames() []string {
	var names []string
	for _, t := range suite.Tests() {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names
}

// resultLine matches one line of `tracebridge test`: verdict, name, time
// to verdict, trace id, reason.
var resultLine = regexp.MustCompile(`^(PASS|FAIL)  (\w+) +(\d+)ms  trace (\S+)(?:  (.+))?$`)

// linkLine matches the line of links under a result.
var linkLine = regexp.MustCompile(`^      (trace \S+)?( *logs \S+)?$`)

type resultRow struct{ verdict, traceID, reason string }

// parseResults reads the per-test lines and checks the closing line.
func parseResults(t *testing.T, stdout string) map[string]resultRow {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
	rows := map[string]resultRow{}
	passed, failed := 0, 0
	for _, l := range lines[:len(lines)-1] {
		if linkLine.MatchString(l) {
			continue // the links of the result above
		}
		m := resultLine.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("line %q is not a result line; stdout:\n%s", l, stdout)
		}
		rows[m[2]] = resultRow{verdict: m[1], traceID: m[4], reason: m[5]}
		if m[1] == "PASS" {
			passed++
		} else {
			failed++
		}
	}
	if want := fmt.Sprintf("%d passed, %d failed", passed, failed); lines[len(lines)-1] != want {
		t.Errorf("closing line %q, want %q", lines[len(lines)-1], want)
	}
	return rows
}

func TestTestRunsTheSuiteOnTheApp(t *testing.T) {
	// The console's history of the run, read once the deployment (and so
	// the deploy-time run) has ended, before the cloud closes.
	var history []observe.Record
	observeDeployment = func(cloud *localcloud.Cloud, _ *cloudformation.StackResult) {
		for _, doc := range cloud.Observer().Find(observe.Query{Kinds: []observe.Kind{observe.KindTestRun}}).Records {
			var rec observe.Record
			if err := json.Unmarshal(doc, &rec); err != nil {
				t.Error(err)
			}
			history = append(history, rec)
		}
	}
	t.Cleanup(func() { observeDeployment = nil })
	t.Chdir(moduleRoot) // the README's quick start: the app of the root's cdk.json
	got := runCLI(t, "test", "--console")
	if got.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if !regexp.MustCompile(`(?m)^console: http://127\.0\.0\.1:\d+/_tracebridge/console/$`).MatchString(got.stderr) {
		t.Errorf("stderr does not give the console's address:\n%s", got.stderr)
	}
	rows := parseResults(t, got.stdout)
	if len(history) != 1 || len(history[0].TestRun.Results) != len(rows) || history[0].TestRun.Failed != 0 {
		t.Errorf("the console's history holds runs %+v, want the one run of %d tests", history, len(rows))
	}
	var names []string
	for name, r := range rows {
		names = append(names, name)
		if r.verdict != "PASS" || r.reason != "" {
			t.Errorf("%s: %+v", name, r)
		}
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(suiteNames(), ",") {
		t.Errorf("tests %v, want the suite's %v", names, suiteNames())
	}
	if r := rows["s3_png_metadata"]; !strings.HasPrefix(r.traceID, "1-") {
		t.Errorf("s3_png_metadata has no trace id: %+v", r)
	}
	if !strings.HasSuffix(got.stdout, fmt.Sprintf("\n%d passed, 0 failed\n", len(names))) {
		t.Errorf("stdout does not end with the count:\n%s", got.stdout)
	}
}

// A deployment that fails for another reason than a test shows
// CloudFormation's reason.
func TestFailedDeploymentShowsCloudFormationsReason(t *testing.T) {
	dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		for _, b := range tmpl.ResourcesOfType(t, "AWS::S3::Bucket") {
			b["Properties"].(map[string]any)["BucketName"] = "Not_A_Valid_Bucket_Name"
		}
	})
	got := runCLI(t, "test", "--assembly", dir)
	if got.code != 1 || got.stdout != "" {
		t.Fatalf("exit %d, stdout %q; want 1 and no results", got.code, got.stdout)
	}
	for _, want := range []string{"ROLLBACK_COMPLETE", "The following resource(s) failed to create", "Not_A_Valid_Bucket_Name"} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
		}
	}
}

// --endpoint on a running local cloud with the app deployed starts the
// real state machine directly, as --stack does on AWS.
func TestTestEndpointRunsTheAppsStateMachine(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cloud.Deploy(ctx, assemblyDir); err != nil {
		t.Fatal(err)
	}
	got := runCLI(t, "test", "--endpoint", cloud.Endpoint())
	if got.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if rows := parseResults(t, got.stdout); len(rows) != len(suiteNames()) {
		t.Errorf("%d results, want %d:\n%s", len(rows), len(suiteNames()), got.stdout)
	}
}

// A template without the deploy-time check (synthesized with
// tracebridge:skipTests) is deployed, then its suite started directly.
func TestTestWithoutTheDeployTimeCheckStartsTheSuite(t *testing.T) {
	dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		for id := range tmpl.ResourcesOfType(t, testharness.TestRunResourceType) {
			delete(tmpl.Resources(), id)
		}
	})
	got := runCLI(t, "test", "--assembly", dir)
	if got.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if !strings.Contains(got.stderr, "starting the suite directly") || !strings.HasSuffix(got.stdout, fmt.Sprintf("%d passed, 0 failed\n", len(suiteNames()))) {
		t.Errorf("stdout:\n%s\nstderr:\n%s", got.stdout, got.stderr)
	}
}

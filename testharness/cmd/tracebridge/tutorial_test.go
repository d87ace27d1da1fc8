package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
)

// tutorialBlock is a code block of README.md's tutorial: the file of the
// team's app it is, then its fenced text.
var tutorialBlock = regexp.MustCompile("(?s)<!-- tutorial: (\\S+) -->\n```\\w*\n(.*?)\n```")

// The README's "Add Tracebridge to your app" is followed literally: its
// code blocks, written into a fresh module outside this repository's
// packages (which requires Tracebridge through a replace of this
// checkout), make an app that `tracebridge test` passes; and the same
// assembly without the function's permission for the rule fails at once,
// naming the function's resource policy. One synthesis: the broken copy is an edit of the
// assembly the green run wrote.
func TestTutorialAppPassesAndItsBrokenGlueFails(t *testing.T) {
	start := time.Now()
	app := t.TempDir()
	writeTutorialApp(t, app)
	t.Setenv("GOFLAGS", "-mod=mod") // the app's imports resolve in the shared module cache
	t.Chdir(app)

	got := runCLI(t, "test", "--json")
	if got.code != 0 {
		t.Fatalf("tracebridge test on the tutorial app: exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	if passed := tutorialResults(t, got); strings.Join(passed, ",") != "upload_greeted" {
		t.Fatalf("passed %v, want [upload_greeted]\nstdout:\n%s", passed, got.stdout)
	}
	t.Logf("green in %s (synthesis included)", time.Since(start).Round(time.Millisecond))

	broken := assemblyedit.Copy(t, filepath.Join(app, "cdk.local.out"), func(tmpl assemblyedit.Template) {
		greet := functionID(t, tmpl, "greet")
		for id, p := range tmpl.ResourcesOfType(t, "AWS::Lambda::Permission") {
			if ref, _ := p["Properties"].(map[string]any)["FunctionName"].(map[string]any); refersTo(ref, greet) {
				deleteResource(tmpl, id)
			}
		}
	})
	got = runCLI(t, "test", "--assembly", broken, "--json")
	if got.code != 1 {
		t.Fatalf("broken glue: exit %d, want 1\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	var doc struct {
		Results []struct{ Name, Reason string }
	}
	if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil || len(doc.Results) != 1 {
		t.Fatalf("broken glue: not the one-test JSON report (%v):\n%s", err, got.stdout)
	}
	r := doc.Results[0]
	t.Logf("broken glue: %s: %s", r.Name, r.Reason)
	if !strings.Contains(r.Reason, "resource policy") || strings.Contains(r.Reason, "within 30s") {
		t.Errorf("%s's reason does not name the function's resource policy at once: %s", r.Name, r.Reason)
	}
	t.Logf("both runs in %s", time.Since(start).Round(time.Millisecond))
}

// writeTutorialApp writes the tutorial's blocks into dir, with the go.mod
// step 1 makes (`go get`, here a replace of this checkout) and this
// module's go.sum, so that nothing is downloaded.
func writeTutorialApp(t *testing.T, dir string) {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join(moduleRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := tutorialBlock.FindAllSubmatch(readme, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no <!-- tutorial: FILE --> code block")
	}
	files := map[string]string{
		"go.mod": fmt.Sprintf("module example.com/myapp\n\ngo 1.26.0\n\nrequire github.com/tracebridge/tracebridge v0.0.0\n\nreplace github.com/tracebridge/tracebridge => %s\n", moduleRoot),
	}
	for _, b := range blocks {
		files[string(b[1])] = string(b[2]) + "\n"
	}
	sum, err := os.ReadFile(filepath.Join(moduleRoot, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	files["go.sum"] = string(sum)
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// tutorialResults decodes the JSON report and returns the passed tests.
func tutorialResults(t *testing.T, got invocation) []string {
	t.Helper()
	var doc struct {
		Results []struct {
			Name   string
			Passed bool
			Reason string
		}
	}
	if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s\nstderr:\n%s", err, got.stdout, got.stderr)
	}
	var passed []string
	for _, r := range doc.Results {
		if r.Passed {
			passed = append(passed, r.Name)
		} else {
			t.Errorf("%s failed: %s", r.Name, r.Reason)
		}
	}
	return passed
}

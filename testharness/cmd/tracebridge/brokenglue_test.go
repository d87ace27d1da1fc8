package main

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// For each class of broken glue, `tracebridge test --assembly` fails
// exactly the tests it breaks, names the broken link in the terms a person
// fixes it with, and does not wait for the deadline: no reason is a
// timeout. (Times to verdict are measured by
// BenchmarkBrokenGlueVerdict, not asserted here.)

// brokenGlue is one class of breakage: an edit of the app's template, the
// tests it breaks and what each reason must say.
type brokenGlue struct {
	name   string
	edit   func(testing.TB, assemblyedit.Template)
	broken []string
	says   []string
}

var brokenGlueCases = []brokenGlue{
	{"image function may not rewrite objects", withoutAction("imagemetadata", "s3:PutObject"),
		[]string{"s3_png_metadata"}, []string{"is not authorized to perform: s3:PutObject"}},
	{"audit function may not write entries", withoutAction("auditlog", "logs:PutLogEvents"),
		[]string{"ddb_user_audit_log", "pipe_filter_ignores_non_users"}, []string{"is not authorized to perform: logs:PutLogEvents"}},
	{"image function may not announce", withoutAction("imagemetadata", "events:PutEvents"),
		[]string{"image_rejects_non_images", "s3_png_metadata"}, []string{"events:PutEvents", "the local cloud settled without it"}},
	{"rule for another bucket", s3RulePattern(func(p map[string]any) {
		p["detail"] = map[string]any{"bucket": map[string]any{"name": []any{"some-other-bucket"}}}
	}), []string{"image_rejects_non_images", "s3_png_metadata"}, []string{`detail.bucket.name is "`, `the pattern wants ["some-other-bucket"]`}},
	{"rule for another source", s3RulePattern(func(p map[string]any) { p["source"] = []any{"aws.s3.test"} }),
		[]string{"image_rejects_non_images", "s3_png_metadata"}, []string{`source is "aws.s3", the pattern wants ["aws.s3.test"]`}},
	{"rule without target", func(tb testing.TB, tmpl assemblyedit.Template) {
		delete(s3Rule(tb, tmpl)["Properties"].(map[string]any), "Targets")
	}, []string{"image_rejects_non_images", "s3_png_metadata"}, []string{"no target"}},
	{"function does not let the rule invoke it", func(tb testing.TB, tmpl assemblyedit.Template) {
		fn := functionID(tb, tmpl, "imagemetadata")
		for id, p := range tmpl.ResourcesOfType(tb, "AWS::Lambda::Permission") {
			if ref, _ := p["Properties"].(map[string]any)["FunctionName"].(map[string]any); refersTo(ref, fn) {
				deleteResource(tmpl, id)
			}
		}
	}, []string{"image_rejects_non_images", "s3_png_metadata"}, []string{"resource policy"}},
	{"bucket notifications off", func(tb testing.TB, tmpl assemblyedit.Template) {
		for _, b := range tmpl.ResourcesOfType(tb, "AWS::S3::Bucket") {
			delete(b["Properties"].(map[string]any), "NotificationConfiguration")
		}
	}, []string{"image_rejects_non_images", "s3_png_metadata"}, []string{"does not send events to EventBridge"}},
	{"pipe stopped", func(tb testing.TB, tmpl assemblyedit.Template) {
		for _, p := range tmpl.ResourcesOfType(tb, "AWS::Pipes::Pipe") {
			p["Properties"].(map[string]any)["DesiredState"] = "STOPPED"
		}
	}, []string{"ddb_user_audit_log", "pipe_filter_ignores_non_users"}, []string{"STOPPED"}},
	{"pipe filter removed", func(tb testing.TB, tmpl assemblyedit.Template) {
		for _, p := range tmpl.ResourcesOfType(tb, "AWS::Pipes::Pipe") {
			delete(p["Properties"].(map[string]any)["SourceParameters"].(map[string]any), "FilterCriteria")
		}
	}, []string{"pipe_filter_ignores_non_users"}, []string{"the pipe let an ORDER insert through"}},
	{"pipe filter drops users", func(tb testing.TB, tmpl assemblyedit.Template) {
		for _, p := range tmpl.ResourcesOfType(tb, "AWS::Pipes::Pipe") {
			raw, _ := json.Marshal(p["Properties"].(map[string]any)["SourceParameters"])
			var sp map[string]any
			_ = json.Unmarshal([]byte(strings.ReplaceAll(string(raw), `USER#`, `ADMIN#`)), &sp)
			p["Properties"].(map[string]any)["SourceParameters"] = sp
		}
	}, []string{"ddb_user_audit_log", "pipe_filter_ignores_non_users"}, []string{"filter drops the record", `the filter wants [{"prefix":"ADMIN#"}]`}},
}

func TestBrokenGlueFailsAtOnceNamingTheLink(t *testing.T) {
	for _, tt := range brokenGlueCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) { tt.edit(t, tmpl) })
			failsNamingTheLink(t, dir, tt)
		})
	}
}

// The order flow example with its worker's event source mapping disabled:
// nothing reads the orders queue, and every test fails at once naming the
// mapping (the acts name the message they sent as their trigger).
func TestOrderFlowBrokenGlueFailsAtOnceNamingTheLink(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	local, err := synth.EnsureLocal(ctx, filepath.Join(moduleRoot, "testharness", "examples", "orderflow"), os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	dir := assemblyedit.Copy(t, local, func(tmpl assemblyedit.Template) {
		disabled := 0
		for _, m := range tmpl.ResourcesOfType(t, "AWS::Lambda::EventSourceMapping") {
			props := m["Properties"].(map[string]any)
			if ref, _ := props["FunctionName"].(map[string]any); refersTo(ref, functionID(t, tmpl, "worker")) {
				props["Enabled"] = false
				disabled++
			}
		}
		if disabled != 1 {
			t.Fatalf("%d mappings feed the worker, want 1", disabled)
		}
	})
	failsNamingTheLink(t, dir, brokenGlue{name: "worker mapping disabled",
		broken: []string{"bad_order_dead_lettered", "large_order_held", "order_fulfilled"},
		says:   []string{"event source mapping ", "→ function OrderFlow-WorkerFunction", ") is Disabled"}})
}

// timedOut is the reason of a test whose deadline passed (runner's
// "no completion event (…) for correlation id … within 30s").
var timedOut = regexp.MustCompile(`for correlation id \S+ within `)

// failsNamingTheLink runs `tracebridge test` on an assembly with broken
// glue: exactly the tests tt breaks fail, each reason says what tt says,
// and none waited for its deadline.
func failsNamingTheLink(t *testing.T, dir string, tt brokenGlue) {
	t.Helper()
	got := runCLI(t, "test", "--assembly", dir, "--json")
	if got.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
	}
	var doc struct {
		Results []struct {
			Name       string
			Passed     bool
			Reason     string
			DurationMs int64
		}
	}
	if err := json.Unmarshal([]byte(got.stdout), &doc); err != nil {
		t.Fatalf("stdout is not the JSON report: %v\n%s\nstderr:\n%s", err, got.stdout, got.stderr)
	}
	var failed []string
	for _, r := range doc.Results {
		if r.Passed {
			continue
		}
		failed = append(failed, r.Name)
		t.Logf("%s (%d ms): %s", r.Name, r.DurationMs, r.Reason)
		for _, want := range tt.says {
			if !strings.Contains(r.Reason, want) {
				t.Errorf("%s's reason does not say %q: %s", r.Name, want, r.Reason)
			}
		}
		if timedOut.MatchString(r.Reason) {
			t.Errorf("%s waited for its deadline: %s", r.Name, r.Reason)
		}
	}
	sort.Strings(failed)
	if strings.Join(failed, ",") != strings.Join(tt.broken, ",") {
		t.Errorf("failed %v, want exactly %v", failed, tt.broken)
	}
}

// withoutAction removes an action from every statement of the inline
// policies of the role of the function built from a handler package.
func withoutAction(handler, action string) func(testing.TB, assemblyedit.Template) {
	return func(tb testing.TB, tmpl assemblyedit.Template) {
		fn := tmpl.Resources()[functionID(tb, tmpl, handler)].(map[string]any)
		role := fn["Properties"].(map[string]any)["Role"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
		removed := false
		for _, p := range tmpl.Resources()[role].(map[string]any)["Properties"].(map[string]any)["Policies"].([]any) {
			doc := p.(map[string]any)["PolicyDocument"].(map[string]any)
			var kept []any
			for _, st := range doc["Statement"].([]any) {
				st := st.(map[string]any)
				actions, ok := st["Action"].([]any)
				if !ok {
					actions = []any{st["Action"]}
				}
				var rest []any
				for _, a := range actions {
					if a == action {
						removed = true
					} else {
						rest = append(rest, a)
					}
				}
				if len(rest) > 0 {
					st["Action"] = rest
					kept = append(kept, st)
				}
			}
			doc["Statement"] = kept
		}
		if !removed {
			tb.Fatalf("the role of %s has no %s to remove", handler, action)
		}
	}
}

// functionID is the logical id of the function built from a handler
// package: its Go package, or its code folder in an assembly for the
// local cloud.
func functionID(tb testing.TB, tmpl assemblyedit.Template, handler string) string {
	for id, fn := range tmpl.ResourcesOfType(tb, "AWS::Lambda::Function") {
		meta, _ := fn["Metadata"].(map[string]any)
		for _, key := range []string{cdkgo.GoPackageMetadataKey, cdkgo.LocalCodeDirMetadataKey} {
			if pkg, _ := meta[key].(string); path.Base(pkg) == handler {
				return id
			}
		}
	}
	tb.Fatalf("no function is built from handlers/%s", handler)
	return ""
}

// s3Rule is the rule that routes the bucket's S3 events.
func s3Rule(tb testing.TB, tmpl assemblyedit.Template) map[string]any {
	for _, r := range tmpl.ResourcesOfType(tb, "AWS::Events::Rule") {
		pattern, _ := r["Properties"].(map[string]any)["EventPattern"].(map[string]any)
		if src, _ := pattern["source"].([]any); len(src) == 1 && src[0] == "aws.s3" {
			return r
		}
	}
	tb.Fatal("no rule routes aws.s3 events")
	return nil
}

func s3RulePattern(edit func(map[string]any)) func(testing.TB, assemblyedit.Template) {
	return func(tb testing.TB, tmpl assemblyedit.Template) {
		edit(s3Rule(tb, tmpl)["Properties"].(map[string]any)["EventPattern"].(map[string]any))
	}
}

// refersTo tells whether a Ref or Fn::GetAtt names the logical id.
func refersTo(ref map[string]any, id string) bool {
	if r, ok := ref["Ref"].(string); ok {
		return r == id
	}
	att, _ := ref["Fn::GetAtt"].([]any)
	return len(att) > 0 && att[0] == id
}

// deleteResource removes a resource and every DependsOn on it.
func deleteResource(tmpl assemblyedit.Template, id string) {
	delete(tmpl.Resources(), id)
	for _, r := range tmpl.Resources() {
		r := r.(map[string]any)
		switch deps := r["DependsOn"].(type) {
		case string:
			if deps == id {
				delete(r, "DependsOn")
			}
		case []any:
			var kept []any
			for _, d := range deps {
				if d != id {
					kept = append(kept, d)
				}
			}
			r["DependsOn"] = kept
		}
	}
}

package synth

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestStaleFollowsTheNewestSource(t *testing.T) {
	root := t.TempDir()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	write(t, filepath.Join(root, "go.mod"), base)
	write(t, filepath.Join(root, "handlers", "auditlog", "handler.go"), base)
	dir := DefaultAssemblyDir(root)

	if stale, err := Stale(root, dir); err != nil || !stale {
		t.Fatalf("missing assembly: stale=%v err=%v, want stale", stale, err)
	}
	write(t, filepath.Join(dir, "manifest.json"), base.Add(time.Hour))
	if stale, err := Stale(root, dir); err != nil || stale {
		t.Fatalf("fresh assembly: stale=%v err=%v, want fresh", stale, err)
	}
	// Files inside the assemblies themselves and test data do not count.
	write(t, filepath.Join(dir, "asset.abc", "x.json"), base.Add(2*time.Hour))
	write(t, filepath.Join(LocalAssemblyDir(root), "tree.json"), base.Add(2*time.Hour))
	write(t, filepath.Join(root, "handlers", "auditlog", "testdata", "e.json"), base.Add(2*time.Hour))
	if stale, err := Stale(root, dir); err != nil || stale {
		t.Fatalf("assembly with newer outputs and testdata: stale=%v err=%v, want fresh", stale, err)
	}
	write(t, filepath.Join(root, "handlers", "auditlog", "handler.go"), base.Add(3*time.Hour))
	if stale, err := Stale(root, dir); err != nil || !stale {
		t.Fatalf("handler edited after synthesis: stale=%v err=%v, want stale", stale, err)
	}
}

func TestModuleRootWalksUp(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "go.mod"), time.Now())
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ModuleRoot(deep)
	if err != nil || got != root {
		t.Fatalf("ModuleRoot(%s) = %q, %v; want %q", deep, got, err, root)
	}
}

// stepsRecorder is a progress writer that shows steps (as the CLI's does).
type stepsRecorder struct {
	events []string
}

func (s *stepsRecorder) Write(p []byte) (int, error) {
	s.events = append(s.events, "line "+string(p))
	return len(p), nil
}
func (s *stepsRecorder) Start(step string)   { s.events = append(s.events, "start "+step) }
func (s *stepsRecorder) Done(summary string) { s.events = append(s.events, "done "+summary) }

// A fresh local assembly is used as it is: nothing runs, nothing is shown.
func TestEnsureLocalUsesAFreshAssembly(t *testing.T) {
	root := t.TempDir()
	base := time.Now().Add(-time.Hour)
	write(t, filepath.Join(root, "go.mod"), base)
	write(t, filepath.Join(LocalAssemblyDir(root), "manifest.json"), base.Add(time.Minute))
	t.Setenv("PATH", t.TempDir()) // no go command: running one would fail
	var steps stepsRecorder
	dir, err := EnsureLocal(context.Background(), root, &steps)
	if err != nil || dir != LocalAssemblyDir(root) || len(steps.events) != 0 {
		t.Fatalf("EnsureLocal = %q, %v, shown %q; want %s, nothing run or shown", dir, err, steps.events, LocalAssemblyDir(root))
	}
}

// A stale local assembly is synthesized with the local cloud's context, as
// one step; when synthesis fails, its last lines are in the error, since a
// live progress line showed each only for a moment.
func TestEnsureLocalSynthesizesWithTheLocalCloudContext(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "infra"), 0o755); err != nil {
		t.Fatal(err)
	}
	app := "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc main() {\n\tfmt.Fprintln(os.Stderr, \"context\", os.Getenv(\"CDK_CONTEXT_JSON\"))\n\tos.Exit(3)\n}\n"
	if err := os.WriteFile(filepath.Join(root, "infra", "main.go"), []byte(app), 0o644); err != nil {
		t.Fatal(err)
	}
	var steps stepsRecorder
	_, err := EnsureLocal(context.Background(), root, &steps)
	want := "context " + localCloudAssetsContext
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want the app's output %q", err, want)
	}
	shown := strings.Join(steps.events, "|")
	if !strings.HasPrefix(shown, "start synthesizing the app (go run ./infra)|line ") || !strings.Contains(shown, "|done synthesis failed after ") {
		t.Errorf("shown %q, want the step started, its output as lines, and the step ended as failed", steps.events)
	}
}

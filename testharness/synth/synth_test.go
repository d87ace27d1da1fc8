package synth

import (
	"os"
	"path/filepath"
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
	// Files inside the assembly itself and test data do not count.
	write(t, filepath.Join(dir, "asset.abc", "x.json"), base.Add(2*time.Hour))
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

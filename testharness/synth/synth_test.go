package synth

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func write(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	writeText(t, path, "x")
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func writeText(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newApp makes a module in a temporary folder with cdk.json (cfg) in
// appDir, all dated base.
func newApp(t *testing.T, appDir string, cfg map[string]any, base time.Time) *App {
	t.Helper()
	root := t.TempDir()
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	writeText(t, filepath.Join(root, "go.mod"), "module example.com/app\n\ngo 1.26\n")
	writeText(t, filepath.Join(root, appDir, "cdk.json"), string(raw))
	for _, f := range []string{"go.mod", filepath.Join(appDir, "cdk.json")} {
		if err := os.Chtimes(filepath.Join(root, f), base, base); err != nil {
			t.Fatal(err)
		}
	}
	app, err := LoadApp(filepath.Join(root, appDir), "")
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func wantStale(t *testing.T, app *App, dir string, want bool, why string) {
	t.Helper()
	if stale, err := app.Stale(dir); err != nil || stale != want {
		t.Fatalf("%s: stale=%v err=%v, want stale=%v", why, stale, err, want)
	}
}

// Without a watch list, the app is made of its module's Go sources — tests,
// testdata, nested modules and assemblies aside — and of the local
// modules go.mod replaces.
func TestStaleFollowsTheModulesGoSources(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	app := newApp(t, "", map[string]any{"app": "go run ."}, base)
	root := app.ModuleRoot
	write(t, filepath.Join(root, "handlers", "h", "handler.go"), base)
	dir := app.LocalAssemblyDir()
	wantStale(t, app, dir, true, "missing assembly")
	write(t, filepath.Join(dir, "manifest.json"), base.Add(time.Hour))
	wantStale(t, app, dir, false, "fresh assembly")

	later := base.Add(2 * time.Hour)
	write(t, filepath.Join(dir, "asset.abc", "x.go"), later)
	write(t, filepath.Join(root, "handlers", "h", "handler_test.go"), later)
	write(t, filepath.Join(root, "handlers", "h", "testdata", "e.go"), later)
	write(t, filepath.Join(root, "tools", "go.mod"), later)
	write(t, filepath.Join(root, "tools", "gen.go"), later)
	write(t, filepath.Join(root, "README.md"), later)
	wantStale(t, app, dir, false, "newer outputs, tests, testdata, a nested module and docs")

	write(t, filepath.Join(root, "handlers", "h", "handler.go"), base.Add(3*time.Hour))
	wantStale(t, app, dir, true, "a handler edited after synthesis")

	write(t, filepath.Join(dir, "manifest.json"), base.Add(4*time.Hour))
	shared := filepath.Join(filepath.Dir(root), filepath.Base(root)+"-shared")
	t.Cleanup(func() { os.RemoveAll(shared) })
	write(t, filepath.Join(shared, "lib.go"), base.Add(5*time.Hour))
	wantStale(t, app, dir, false, "a module the app does not use")
	writeText(t, filepath.Join(root, "go.mod"), "module example.com/app\n\ngo 1.26\n\nreplace example.com/shared => ../"+filepath.Base(shared)+"\n")
	if err := os.Chtimes(filepath.Join(root, "go.mod"), base, base); err != nil {
		t.Fatal(err)
	}
	wantStale(t, app, dir, true, "a local module go.mod replaces, edited")
}

// With cdk.json's watch list, the app is made of what it includes and
// does not exclude, relative to cdk.json's folder, ".." included.
func TestStaleFollowsTheWatchList(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	app := newApp(t, filepath.Join("examples", "shop"), map[string]any{"app": "go run .",
		"watch": map[string]any{"include": []string{"**", "../../lib/**"}, "exclude": []string{"**/*_test.go", "notes"}}}, base)
	root := app.ModuleRoot
	dir := app.LocalAssemblyDir()
	write(t, filepath.Join(dir, "manifest.json"), base.Add(time.Hour))
	later := base.Add(2 * time.Hour)
	write(t, filepath.Join(app.Dir, "main_test.go"), later)
	write(t, filepath.Join(app.Dir, "notes", "todo.go"), later)
	write(t, filepath.Join(root, "other", "x.go"), later)
	write(t, filepath.Join(root, "lib", "lib_test.go"), later)
	wantStale(t, app, dir, false, "excluded and unwatched files")
	write(t, filepath.Join(root, "lib", "sub", "lib.go"), later)
	wantStale(t, app, dir, true, "a watched file outside the app's folder")
	write(t, filepath.Join(dir, "manifest.json"), base.Add(3*time.Hour))
	write(t, filepath.Join(app.Dir, "handler", "config.yaml"), base.Add(4*time.Hour))
	wantStale(t, app, dir, true, "any watched file, not only Go")
}

func TestLoadApp(t *testing.T) {
	dir := t.TempDir()
	writeText(t, filepath.Join(dir, "go.mod"), "module example.com/app\n")
	if _, err := LoadApp(dir, ""); err == nil || !strings.Contains(err.Error(), "no cdk.json in "+dir) {
		t.Errorf("no cdk.json: %v", err)
	}
	app, err := LoadApp(dir, "./synth.sh")
	if err != nil || app.Command != "./synth.sh" || app.Output != filepath.Join(dir, "cdk.out") || app.LocalAssemblyDir() != filepath.Join(dir, "cdk.local.out") {
		t.Fatalf("--app without cdk.json: %+v, %v", app, err)
	}
	writeText(t, filepath.Join(dir, "cdk.json"), `{"app":"go mod download && go run .","output":"out/aws","context":{"a":"json","b":true}}`)
	writeText(t, filepath.Join(dir, "cdk.context.json"), `{"a":"context file","c":1}`)
	app, err = LoadApp(dir, "")
	if err != nil || app.Command != "go mod download && go run ." || app.Output != filepath.Join(dir, "out", "aws") ||
		app.LocalAssemblyDir() != filepath.Join(dir, "out", "cdk.local.out") || app.ModuleRoot != dir {
		t.Fatalf("LoadApp = %+v, %v", app, err)
	}
	got, err := app.contextJSON(map[string]any{LocalCloudAssetsContextKey: true})
	if want := `{"a":"json","b":true,"c":1,"tracebridge:localCloudAssets":true}`; err != nil || got != want {
		t.Errorf("context = %s, %v; want %s (cdk.json over cdk.context.json, ours over both)", got, err, want)
	}
	if app, err := LoadApp(dir, "other"); err != nil || app.Command != "other" {
		t.Errorf("--app over cdk.json: %+v, %v", app, err)
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

// A source saved while the app runs makes its assembly stale: the
// assembly is dated when the synthesis started.
func TestASourceSavedDuringSynthesisMakesItStale(t *testing.T) {
	app := newApp(t, "", map[string]any{"app": `mkdir -p "$CDK_OUTDIR" && sleep 0.1 && touch handler.go && echo '{}' > "$CDK_OUTDIR/manifest.json"`},
		time.Now().Add(-time.Hour))
	dir, err := app.EnsureLocal(context.Background(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wantStale(t, app, dir, true, "handler.go saved during the synthesis")
}

// A fresh local assembly is used as it is: nothing runs, nothing is shown.
func TestEnsureLocalUsesAFreshAssembly(t *testing.T) {
	base := time.Now().Add(-time.Hour)
	app := newApp(t, "", map[string]any{"app": "exit 1"}, base)
	write(t, filepath.Join(app.LocalAssemblyDir(), "manifest.json"), base.Add(time.Minute))
	var steps stepsRecorder
	dir, err := app.EnsureLocal(context.Background(), &steps)
	if err != nil || dir != app.LocalAssemblyDir() || len(steps.events) != 0 {
		t.Fatalf("EnsureLocal = %q, %v, shown %q; want %s, nothing run or shown", dir, err, steps.events, app.LocalAssemblyDir())
	}
}

// A stale local assembly is synthesized as the CDK CLI runs an app — the
// command through the shell in cdk.json's folder, CDK_OUTDIR, the app's
// context with the local cloud's in CDK_CONTEXT_JSON, the local cloud's
// account and region, the build command first — as one step; when synthesis fails, its last lines are in the
// error, since a live progress line showed each only for a moment.
func TestEnsureLocalSynthesizesAsTheCDKCLIDoes(t *testing.T) {
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	app := newApp(t, "app", map[string]any{"build": "echo built > built.txt",
		"app":     `cat built.txt >&2; echo "in $(basename "$PWD") out $CDK_OUTDIR context $CDK_CONTEXT_JSON env $CDK_DEFAULT_ACCOUNT $CDK_DEFAULT_REGION GOGC=$GOGC" >&2; exit 3`,
		"context": map[string]any{"feature": true}}, time.Now())
	var steps stepsRecorder
	_, err := app.EnsureLocal(context.Background(), &steps)
	want := `built` + "\n" + `in app out ` + app.LocalAssemblyDir() + ` context {"feature":true,"tracebridge:localCloudAssets":true} env 000000000000 us-east-1 GOGC=400`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %v, want the app's output %q", err, want)
	}
	shown := strings.Join(steps.events, "|")
	if !strings.HasPrefix(shown, "start synthesizing the app (cat built.txt") || !strings.Contains(shown, "|line ") ||
		!strings.Contains(shown, "|done synthesis failed after ") {
		t.Errorf("shown %q, want the step started, its output as lines, and the step ended as failed", steps.events)
	}
}

// The app's command compiles with the GOGC a person set, not the CLI's.
func TestSynthesisKeepsTheGOGCThePersonSet(t *testing.T) {
	t.Setenv("GOGC", "150")
	app := newApp(t, "", map[string]any{"app": `echo "GOGC=$GOGC" >&2; exit 3`}, time.Now())
	if _, err := app.EnsureLocal(context.Background(), &stepsRecorder{}); err == nil || !strings.Contains(err.Error(), "GOGC=150") {
		t.Fatalf("err = %v, want the app to have run with GOGC=150", err)
	}
}

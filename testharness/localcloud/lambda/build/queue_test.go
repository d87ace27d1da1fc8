package build

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Packages asked for at once are compiled by as few go builds as their
// arrival allows; whichever way they are grouped, each executable is its
// own package's, and a package that does not compile fails alone.
func TestPackagesAskedForTogetherBuildEachTheirOwn(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/fns\n\ngo 1.26\n")
	names := []string{"alpha", "beta", "gamma", "delta"}
	for _, name := range names {
		writeMain(t, root, name, "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Print(\""+name+"\") }\n")
	}
	writeMain(t, root, "broken", "package main\n\nfunc main() { undefined() }\n")

	b := New(root, t.TempDir())
	paths := map[string]string{}
	errs := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, name := range append(names, "broken") {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := b.Build(context.Background(), "./"+name)
			mu.Lock()
			defer mu.Unlock()
			paths[name], errs[name] = p, err
		}()
	}
	wg.Wait()
	for _, name := range names {
		if errs[name] != nil {
			t.Errorf("%s: %v", name, errs[name])
			continue
		}
		out, err := exec.Command(paths[name]).Output()
		if err != nil || string(out) != name {
			t.Errorf("%s: its bootstrap printed %q (%v), want %q", name, out, err, name)
		}
	}
	if err := errs["broken"]; err == nil || !strings.Contains(err.Error(), "go build ./broken ") {
		t.Errorf("broken: err = %v, want the go build of ./broken alone", err)
	}
}

func writeMain(t *testing.T, root, name, src string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, name, "main.go"), src)
}

func TestABatchTakesPackagesWhoseExecutablesCannotCollide(t *testing.T) {
	for _, tt := range []struct {
		queue []string
		want  string
	}{
		{[]string{"./handlers/a", "./handlers/b"}, "./handlers/a ./handlers/b"},
		{[]string{"./handlers/a", "./other/a", "./handlers/b"}, "./handlers/a ./handlers/b"},
		{[]string{".", "./handlers/a"}, "."},
		{[]string{"./handlers/a", "."}, "./handlers/a"},
		{[]string{"./handlers/a", "./mod/v2"}, "./handlers/a"},
	} {
		var queue []*compileJob
		for _, pkg := range tt.queue {
			queue = append(queue, &compileJob{pkg: pkg})
		}
		batch, rest := takeBatch(queue)
		var got []string
		for _, j := range batch {
			got = append(got, j.pkg)
		}
		if strings.Join(got, " ") != tt.want || len(batch)+len(rest) != len(queue) {
			t.Errorf("takeBatch(%v) = %v (rest %d), want %s", tt.queue, got, len(rest), tt.want)
		}
	}
}

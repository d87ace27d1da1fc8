package build

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func moduleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod")
		}
		dir = filepath.Dir(dir)
	}
}

const testPackage = "./testharness/localcloud/lambda/testdata/testfn"

func TestConcurrentBuildsOfOnePackageShareOneResult(t *testing.T) {
	b := New(moduleRoot(t), t.TempDir())
	var wg sync.WaitGroup
	paths := make([]string, 4)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := b.Build(context.Background(), testPackage)
			if err != nil {
				t.Error(err)
			}
			paths[i] = p
		}()
	}
	wg.Wait()
	info, err := os.Stat(paths[0])
	if err != nil || info.Mode()&0o111 == 0 || filepath.Base(paths[0]) != "bootstrap" {
		t.Fatalf("bootstrap %s: %v", paths[0], err)
	}
	for _, p := range paths[1:] {
		if p != paths[0] {
			t.Fatalf("paths differ: %v", paths)
		}
	}
}

func TestBuildFailureNamesThePackageAndIsNotCached(t *testing.T) {
	b := New(moduleRoot(t), t.TempDir())
	for range 2 {
		_, err := b.Build(context.Background(), "./does/not/exist")
		if err == nil || !strings.Contains(err.Error(), "go build ./does/not/exist") {
			t.Fatalf("err = %v", err)
		}
	}
	if _, err := New("", t.TempDir()).Build(context.Background(), testPackage); err == nil {
		t.Fatal("building without a source root succeeded")
	}
}

// BenchmarkBuildUnchanged is a first Build of an unchanged package in a
// new Builder: Go's build cache does the work.
func BenchmarkBuildUnchanged(b *testing.B) {
	root := moduleRoot(b)
	if _, err := New(root, b.TempDir()).Build(context.Background(), testPackage); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := New(root, b.TempDir()).Build(context.Background(), testPackage); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildMemoised is a repeated Build in the same Builder.
func BenchmarkBuildMemoised(b *testing.B) {
	builder := New(moduleRoot(b), b.TempDir())
	if _, err := builder.Build(context.Background(), testPackage); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := builder.Build(context.Background(), testPackage); err != nil {
			b.Fatal(err)
		}
	}
}

func TestUnchangedSourcesReuseTheExecutableAcrossBuilders(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "go.mod"), "module example.com/fn\n\ngo 1.26\n")
	writeFile(t, filepath.Join(root, "main.go"), "package main\n\nfunc main() {}\n")
	out := t.TempDir()

	first, err := New(root, out).Build(context.Background(), ".")
	if err != nil {
		t.Fatal(err)
	}
	// A second builder (a new local cloud) finds the executable without
	// building: make building impossible to prove it.
	t.Setenv("PATH", t.TempDir())
	again, err := New(root, out).Build(context.Background(), ".")
	if err != nil || again != first {
		t.Fatalf("unchanged sources: got %q, %v; want the cached %q", again, err, first)
	}
	writeFile(t, filepath.Join(root, "main.go"), "package main\n\nfunc main() { println() }\n")
	if _, err := New(root, out).Build(context.Background(), "."); err == nil {
		t.Fatal("changed sources were not rebuilt: the build without a go command succeeded")
	}
}

func TestPruneKeepsTheMostRecentlyUsedBuilds(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-time.Hour)
	for i := range 6 {
		p := filepath.Join(dir, fmt.Sprintf("key%d", i))
		if err := os.Mkdir(p, 0o755); err != nil {
			t.Fatal(err)
		}
		at := base.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
	}
	prune(dir, 4)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "key2,key3,key4,key5" {
		t.Fatalf("kept %v, want the four newest", names)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestPruneSparesBuildsUnderWay(t *testing.T) {
	dir := t.TempDir()
	old := time.Now().Add(-2 * time.Hour)
	for _, name := range []string{"a", "b", ".building-now", ".building-abandoned"} {
		if err := os.Mkdir(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chtimes(filepath.Join(dir, ".building-abandoned"), old, old); err != nil {
		t.Fatal(err)
	}
	prune(dir, 0)
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != ".building-now" {
		t.Fatalf("left %v, want only the build under way", names)
	}
}

// generatedMain is the main.go of a package whose directory does not
// exist, importing a package of the module, as the harness functions'
// generated mains do.
const generatedMain = `package main

import (
	"fmt"

	"github.com/tracebridge/tracebridge/testharness/localenv"
)

func main() { fmt.Println("generated in", localenv.Region) }
`

// A generated main is built through -overlay, in the same go build as a
// package on disk asked for at the same time, and runs; its directory is
// not created in the source tree, and other source is another build.
func TestBuildMainBuildsAGeneratedPackage(t *testing.T) {
	root := moduleRoot(t)
	b := New(root, t.TempDir())
	const pkg = "./testharness/localcloud/lambda/testdata/_generated/harnessfn"
	var wg sync.WaitGroup
	var generated, onDisk string
	var genErr, diskErr error
	wg.Add(2)
	go func() { defer wg.Done(); generated, genErr = b.BuildMain(context.Background(), pkg, generatedMain) }()
	go func() { defer wg.Done(); onDisk, diskErr = b.Build(context.Background(), testPackage) }()
	wg.Wait()
	if genErr != nil || diskErr != nil {
		t.Fatalf("BuildMain: %v; Build: %v", genErr, diskErr)
	}
	if info, err := os.Stat(onDisk); err != nil || info.Mode()&0o111 == 0 {
		t.Errorf("the package on disk's bootstrap %s: %v", onDisk, err)
	}
	if out, err := exec.Command(generated).Output(); err != nil || string(out) != "generated in us-east-1\n" {
		t.Errorf("the generated main printed %q (%v)", out, err)
	}
	if _, err := os.Stat(filepath.Join(root, "testharness/localcloud/lambda/testdata/_generated")); !os.IsNotExist(err) {
		t.Errorf("the generated package's directory exists in the source tree: %v", err)
	}
	other, err := b.BuildMain(context.Background(), pkg, strings.Replace(generatedMain, "generated in", "other source in", 1))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(other).Output(); err != nil || string(out) != "other source in us-east-1\n" {
		t.Errorf("the main of other source printed %q (%v)", out, err)
	}
	if _, err := b.BuildMain(context.Background(), pkg, ""); err == nil {
		t.Error("BuildMain with no source: no error")
	}
}

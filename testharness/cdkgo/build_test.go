package cdkgo

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Packages of the build tests: a main of the source tree and a generated
// one, which has no directory; both import a package of the module.
const (
	helloPackage     = "./testharness/cdkgo/testdata/hello"
	generatedPackage = "./testharness/cdkgo/testdata/_generated/greeter"
	// namesake is named as helloPackage is, which one go build -o DIR
	// cannot build beside it.
	namesake        = "./testharness/cdkgo/testdata/_generated/hello"
	generatedSource = `package main

import (
	"fmt"

	"github.com/tracebridge/tracebridge/testharness/cdkgo/testdata/greeting"
)

func main() { fmt.Println("generated:", greeting.Text) }
`
)

func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// For the local cloud, one go build compiles the handlers for this
// machine into asset directories of their own, a generated main among
// them, with nothing written into the source tree; Build waits for it
// rather than compiling again, and the progress says how far it is. A
// package named as another of the build is compiled alone.
func TestStartBuildAllBuildsForTheLocalCloudInOneGo(t *testing.T) {
	var progress bytes.Buffer
	out := t.TempDir()
	b := &Builder{ModuleRoot: moduleRoot(t), OutDir: out, ForLocalCloud: true, Progress: &progress}
	for _, pkg := range []string{generatedPackage, namesake} {
		if err := b.AddMain(pkg, generatedSource); err != nil {
			t.Fatal(err)
		}
	}
	wait := b.StartBuildAll(helloPackage, generatedPackage, namesake)
	for pkg, want := range map[string]string{
		helloPackage:     "hello: hello from the module\n",
		generatedPackage: "generated: hello from the module\n",
		namesake:         "generated: hello from the module\n",
	} {
		dir, err := b.Build(pkg)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(out, "local-"+runtime.GOOS+"-"+runtime.GOARCH, pkg); dir != want {
			t.Errorf("Build(%s) = %s, want %s", pkg, dir, want)
		}
		exe := filepath.Join(dir, "bootstrap")
		assertExecutable(t, exe, map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH])
		if got, err := exec.Command(exe).Output(); err != nil || string(got) != want {
			t.Errorf("%s printed %q (%v), want %q", pkg, got, err, want)
		}
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if want := "compiled handlers for " + runtime.GOOS + "/" + runtime.GOARCH + ": 2 of 2 in "; !strings.Contains(progress.String(), want) {
		t.Errorf("progress lacks %q:\n%s", want, progress.String())
	}
	if _, err := os.Stat(filepath.Join(b.ModuleRoot, "testharness", "cdkgo", "testdata", "_generated")); !os.IsNotExist(err) {
		t.Errorf("the generated package's directory exists in the source tree: %v", err)
	}
}

// For AWS, a generated main is built alone too, for Lambda's arm64.
func TestBuildCompilesAGeneratedMainForLambda(t *testing.T) {
	b := &Builder{ModuleRoot: moduleRoot(t), OutDir: t.TempDir()}
	if err := b.AddMain(generatedPackage, generatedSource); err != nil {
		t.Fatal(err)
	}
	dir, err := b.Build(generatedPackage)
	if err != nil {
		t.Fatal(err)
	}
	assertExecutable(t, filepath.Join(dir, "bootstrap"), elf.EM_AARCH64)
	if source, ok := b.MainSource(generatedPackage); !ok || source != generatedSource {
		t.Errorf("MainSource = %q, %v", source, ok)
	}
	if _, ok := b.MainSource(helloPackage); ok {
		t.Error("MainSource of a package of the source tree: ok")
	}
}

func TestAddMainRefusesWhatWouldBeAmbiguous(t *testing.T) {
	b := &Builder{ModuleRoot: moduleRoot(t), OutDir: t.TempDir()}
	if err := b.AddMain(helloPackage, generatedSource); err == nil || !strings.Contains(err.Error(), "exists in the source tree") {
		t.Errorf("AddMain over a directory of the source tree: %v", err)
	}
	if err := b.AddMain(generatedPackage, generatedSource); err != nil {
		t.Fatal(err)
	}
	if err := b.AddMain(generatedPackage, generatedSource); err != nil {
		t.Errorf("AddMain again with the same source: %v", err)
	}
	if err := b.AddMain(generatedPackage, generatedSource+"// changed\n"); err == nil {
		t.Error("AddMain again with other source: no error")
	}
}

func assertExecutable(t *testing.T, path string, machine elf.Machine) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	exe, err := elf.NewFile(f)
	if err != nil {
		t.Fatalf("%s is not an ELF executable: %v", path, err)
	}
	if exe.Machine != machine || exe.Type != elf.ET_EXEC {
		t.Errorf("%s: machine %v type %v, want %v ET_EXEC", path, exe.Machine, exe.Type, machine)
	}
}

func TestImportPathJoinsTheModulePath(t *testing.T) {
	b := &Builder{ModuleRoot: moduleRoot(t)}
	got, err := b.ImportPath(generatedPackage)
	if want := "github.com/tracebridge/tracebridge/testharness/cdkgo/testdata/_generated/greeter"; err != nil || got != want {
		t.Errorf("ImportPath = %q, %v; want %q", got, err, want)
	}
	if _, err := (&Builder{ModuleRoot: t.TempDir()}).ImportPath(helloPackage); err == nil {
		t.Error("ImportPath without a go.mod: no error")
	}
}

func TestBuildRejectsPathsOutsideTheModule(t *testing.T) {
	b := &Builder{ModuleRoot: t.TempDir(), OutDir: t.TempDir()}
	for _, pkg := range []string{"../elsewhere", "/abs/path", "."} {
		if _, err := b.Build(pkg); err == nil {
			t.Errorf("Build(%q): want an error", pkg)
		}
		if err := b.AddMain(pkg, generatedSource); err == nil {
			t.Errorf("AddMain(%q): want an error", pkg)
		}
	}
}

func TestBuildFailureNamesThePackage(t *testing.T) {
	b := &Builder{ModuleRoot: moduleRoot(t), OutDir: t.TempDir()}
	_, err := b.Build("./handlers/does-not-exist")
	if err == nil || !strings.Contains(err.Error(), "./handlers/does-not-exist") {
		t.Errorf("Build of a missing package: error %v, want one naming the package", err)
	}
}

func TestCompileCounterCountsHandlersAndPackages(t *testing.T) {
	var progress bytes.Buffer
	c := &compileCounter{progress: &progress, platform: "linux/amd64", pkgs: []string{"./handlers/auditlog", "./suite/_harness/teststarter"}}
	c.Write([]byte("github.com/aws/smithy-go\n# github.com/x/y\n./a.go:1: error text\ngithub.com/tracebridge/tracebridge/handlers/internal/obs\ngithub.com/tracebridge/tracebridge/handlers/audit"))
	c.Write([]byte("log\n"))
	if c.packages != 3 || c.handlers != 1 {
		t.Errorf("packages %d handlers %d, want 3 and 1", c.packages, c.handlers)
	}
	if !strings.Contains(progress.String(), "compiling handlers for linux/amd64: 1 of 2 (3 packages compiled, ") {
		t.Errorf("progress: %q", progress.String())
	}
}

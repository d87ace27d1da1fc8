package main

import (
	"bytes"
	"debug/elf"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// For the local cloud, one go build compiles the handlers for this
// machine into asset directories of their own; Build waits for it rather
// than compiling again, and the progress says how far it is.
func TestStartBuildAllBuildsForTheLocalCloudInOneGo(t *testing.T) {
	var progress bytes.Buffer
	out := t.TempDir()
	b := &GoBuilder{ModuleRoot: synthStack.Builder.ModuleRoot, OutDir: out, ForLocalCloud: true, Progress: &progress}
	pkgs := []string{"./handlers/auditlog", "./handlers/teststarter"}
	wait := b.StartBuildAll(pkgs...)
	for _, pkg := range pkgs {
		dir, err := b.Build(pkg)
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(out, "local-"+runtime.GOOS+"-"+runtime.GOARCH, pkg)
		if dir != want {
			t.Errorf("Build(%s) = %s, want %s", pkg, dir, want)
		}
		assertHostExecutable(t, filepath.Join(dir, "bootstrap"))
	}
	if err := wait(); err != nil {
		t.Fatal(err)
	}
	if want := "compiled handlers for " + runtime.GOOS + "/" + runtime.GOARCH + ": 2 of 2 in "; !strings.Contains(progress.String(), want) {
		t.Errorf("progress lacks %q:\n%s", want, progress.String())
	}
}

func assertHostExecutable(t *testing.T, path string) {
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
	host := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	if exe.Machine != host || exe.Type != elf.ET_EXEC {
		t.Errorf("%s: machine %v type %v, want %v ET_EXEC", path, exe.Machine, exe.Type, host)
	}
}

func TestCompileCounterCountsHandlersAndPackages(t *testing.T) {
	var progress bytes.Buffer
	c := &compileCounter{progress: &progress, platform: "linux/amd64", pkgs: []string{"./handlers/auditlog", "./handlers/teststarter"}}
	c.Write([]byte("github.com/aws/smithy-go\n# github.com/x/y\n./a.go:1: error text\ngithub.com/tracebridge/tracebridge/handlers/internal/obs\ngithub.com/tracebridge/tracebridge/handlers/audit"))
	c.Write([]byte("log\n"))
	if c.packages != 3 || c.handlers != 1 {
		t.Errorf("packages %d handlers %d, want 3 and 1", c.packages, c.handlers)
	}
	if !strings.Contains(progress.String(), "compiling handlers for linux/amd64: 1 of 2 (3 packages compiled, ") {
		t.Errorf("progress: %q", progress.String())
	}
}

func TestLocalCloudAssetsIsReadFromTheCDKContextEnvironment(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want bool
	}{
		{"", false},
		{`{"tracebridge:localCloudAssets":true}`, true},
		{`{"tracebridge:localCloudAssets":"true","other":1}`, true},
		{`{"tracebridge:skipTests":true}`, false},
	} {
		t.Setenv("CDK_CONTEXT_JSON", tt.env)
		if got, err := localCloudAssets(); err != nil || got != tt.want {
			t.Errorf("CDK_CONTEXT_JSON=%s: %v, %v; want %v", tt.env, got, err, tt.want)
		}
	}
	t.Setenv("CDK_CONTEXT_JSON", "{not json")
	if _, err := localCloudAssets(); err == nil {
		t.Error("malformed CDK_CONTEXT_JSON: no error")
	}
}

package main

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func goFunctions() map[string]*GoFunction {
	return map[string]*GoFunction{
		"image metadata": synthStack.Images.Function,
		"audit log":      synthStack.Users.Function,
		"test runner":    synthStack.Harness.Runner,
		"test await":     synthStack.Harness.Await,
		"test starter":   synthStack.Harness.Starter,
	}
}

func TestGoFunctionsRunOnArmWithTracing(t *testing.T) {
	for name, fn := range goFunctions() {
		t.Run(name, func(t *testing.T) {
			p := resourceOf(t, fn.Function).Properties
			for key, want := range map[string]any{
				"Runtime":       "provided.al2023",
				"Architectures": []any{"arm64"},
				"Handler":       "bootstrap",
				"TracingConfig": map[string]any{"Mode": "Active"},
				"LoggingConfig": map[string]any{"LogGroup": resolved(t, fn.LogGroup.LogGroupName())},
				"Role":          resolved(t, fn.Role.RoleArn()),
			} {
				assertJSON(t, key, p[key], want)
			}
			assertJSON(t, "log group retention", resourceOf(t, fn.LogGroup).Properties["RetentionInDays"], 30)
		})
	}
}

// The asset a function deploys is the bootstrap the builder produced: an
// arm64 Linux ELF executable.
func TestGoFunctionAssetsAreArm64Executables(t *testing.T) {
	for name, fn := range goFunctions() {
		t.Run(name, func(t *testing.T) {
			pkg := resourceOf(t, fn.Function).Metadata[GoPackageMetadataKey].(string)
			dir, err := synthStack.Builder.Build(pkg) // cached: the directory synthesis used
			if err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(filepath.Join(dir, "bootstrap"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			exe, err := elf.NewFile(f)
			if err != nil {
				t.Fatalf("bootstrap is not an ELF executable: %v", err)
			}
			if exe.Machine != elf.EM_AARCH64 || exe.Type != elf.ET_EXEC {
				t.Errorf("bootstrap: machine %v type %v, want EM_AARCH64 ET_EXEC", exe.Machine, exe.Type)
			}
		})
	}
}

func TestBuildRejectsPathsOutsideTheModule(t *testing.T) {
	b := &GoBuilder{ModuleRoot: t.TempDir(), OutDir: t.TempDir()}
	for _, pkg := range []string{"../elsewhere", "/abs/path", "."} {
		if _, err := b.Build(pkg); err == nil {
			t.Errorf("Build(%q): want an error", pkg)
		}
	}
}

func TestBuildFailureNamesThePackage(t *testing.T) {
	b := &GoBuilder{ModuleRoot: synthStack.Builder.ModuleRoot, OutDir: t.TempDir()}
	_, err := b.Build("./handlers/does-not-exist")
	if err == nil || !strings.Contains(err.Error(), "./handlers/does-not-exist") {
		t.Errorf("Build of a missing package: error %v, want one naming the package", err)
	}
}

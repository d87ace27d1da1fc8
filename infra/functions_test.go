package main

import (
	"debug/elf"
	"os"
	"path/filepath"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

func goFunctions() map[string]*cdkgo.Function {
	return map[string]*cdkgo.Function{
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
			pkg := resourceOf(t, fn.Function).Metadata[cdkgo.GoPackageMetadataKey].(string)
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

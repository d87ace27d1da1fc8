package main

import (
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation/assembly"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// `tracebridge test` deploys an assembly synthesized for the local cloud:
// every function names an executable synthesis built for this machine,
// which the local cloud runs as it is, instead of a package it would
// compile again. The assembly for AWS keeps its packages and arm64 assets.
func TestLocalAssemblyRunsTheHandlersSynthesisBuiltForThisMachine(t *testing.T) {
	dir, err := synth.EnsureLocal(context.Background(), moduleRoot, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	host := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[runtime.GOARCH]
	local := functionsOf(t, dir)
	if len(local) == 0 {
		t.Fatal("the local assembly has no functions")
	}
	for id, fn := range local {
		codeDir, _ := fn.Metadata[lambda.MetadataCodeDir].(string)
		if codeDir == "" || fn.Metadata[lambda.MetadataGoPackage] != nil {
			t.Errorf("%s: metadata %v, want %s alone", id, fn.Metadata, lambda.MetadataCodeDir)
			continue
		}
		if m := elfMachine(t, filepath.Join(moduleRoot, codeDir, "bootstrap")); m != host {
			t.Errorf("%s: %s/bootstrap is for %v, want this machine's %v", id, codeDir, m, host)
		}
	}
	for id, fn := range functionsOf(t, assemblyDir) {
		if fn.Metadata[lambda.MetadataGoPackage] == nil {
			t.Errorf("AWS assembly, %s: metadata %v, want %s", id, fn.Metadata, lambda.MetadataGoPackage)
		}
	}
}

// functionsOf reads the AWS::Lambda::Function resources of the app's
// stack in a cloud assembly, by logical id.
func functionsOf(t *testing.T, dir string) map[string]struct{ Metadata map[string]any } {
	t.Helper()
	asm, err := assembly.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := asm.Stack("")
	if err != nil {
		t.Fatal(err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Type     string
			Metadata map[string]any
		}
	}
	if err := json.Unmarshal(st.Template, &tmpl); err != nil {
		t.Fatal(err)
	}
	fns := map[string]struct{ Metadata map[string]any }{}
	for id, r := range tmpl.Resources {
		if r.Type == "AWS::Lambda::Function" {
			fns[id] = struct{ Metadata map[string]any }{r.Metadata}
		}
	}
	return fns
}

func elfMachine(t *testing.T, path string) elf.Machine {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	return f.Machine
}

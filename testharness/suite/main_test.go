package suite_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/synth"
)

// The suite's tests deploy the app's real synthesized template into the
// local cloud, synthesized once per package run.

var (
	moduleRoot  string
	assemblyDir string
)

func TestMain(m *testing.M) {
	root, err := synth.ModuleRoot(".")
	if err == nil {
		moduleRoot, assemblyDir = root, synth.DefaultAssemblyDir(root)
		err = synth.Ensure(context.Background(), root, assemblyDir, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "suite tests:", err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}

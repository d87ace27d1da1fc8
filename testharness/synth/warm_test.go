package synth

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// While the app synthesizes for the local cloud, the harness functions'
// packages compile in the app's module, at the lowest priority, with the
// handler build's tags; when synthesis is over the warm-up stops, with the
// compilers the go command started.
func TestLocalSynthesisWarmsTheHandlerBuildAndStopsIt(t *testing.T) {
	bin := t.TempDir()
	started, held := filepath.Join(bin, "started"), filepath.Join(bin, "held")
	// The go command and its "compiler" hold the write end of a FIFO: the
	// test's read of it ends when both have exited.
	if err := syscall.Mkfifo(held, 0o600); err != nil {
		t.Fatal(err)
	}
	fifo, err := os.OpenFile(held, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fifo.Close()
	// A go command that says where, how nicely and with what it was run,
	// and waits for a compiler that outlives it unless its process group
	// is stopped.
	writeText(t, filepath.Join(bin, "go"), `#!/bin/sh
exec 3>`+held+`
sleep 300 &
echo "$PWD|$(nice)|$*" > `+started+`.tmp && mv `+started+`.tmp `+started+`
wait
`)
	if err := os.Chmod(filepath.Join(bin, "go"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	app := newApp(t, "app", map[string]any{
		// The app waits for the warm-up to have started, then writes its assembly.
		"app": `until [ -e ` + started + ` ]; do sleep 0.01; done; mkdir -p "$CDK_OUTDIR" && echo {} > "$CDK_OUTDIR/manifest.json"`,
	}, time.Now().Add(-time.Hour))
	if _, err := app.EnsureLocal(context.Background(), &stepsRecorder{}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(started)
	if err != nil {
		t.Fatal(err)
	}
	want := app.ModuleRoot + "|19|build -tags lambda.norpc github.com/tracebridge/tracebridge/testharness/runner " +
		"github.com/tracebridge/tracebridge/testharness/await github.com/tracebridge/tracebridge/testharness/starter"
	if got := strings.TrimSpace(string(raw)); got != want {
		t.Errorf("the warm-up ran as %q, want %q (folder|niceness|arguments)", got, want)
	}
	// Without the group stopped, the compiler would hold the FIFO for
	// five minutes and the test would time out here.
	if n, err := fifo.Read(make([]byte, 1)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("read of the FIFO = %d, %v; want EOF once the warm-up's processes have exited", n, err)
	}
}

// Package synth synthesizes a CDK app as the CDK CLI does — the command in
// its cdk.json, run in its folder with CDK_OUTDIR and CDK_CONTEXT_JSON —
// when its cloud assembly is missing or older than the sources it is made
// from, so that the CLI always deploys what the code says.
package synth

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// LocalCloudAssetsContextKey is the context with which the app is
// synthesized for the local cloud (cdkgo.LocalCloudAssetsContextKey):
// apps built with cdkgo build their handlers for this machine then, and
// the local cloud runs those very executables. Other apps ignore it.
const LocalCloudAssetsContextKey = "tracebridge:localCloudAssets"

// compilerGOGC is the GOGC the app's command runs with, unless one is set:
// a Go app's command compiles it (go run), and cdkgo's handler build
// inherits it. The compilers then collect garbage a quarter as often: the
// CDK's Go packages compile cold in 37 s instead of 40–43 s on 2 cores
// (65 instead of 74–79 s of CPU), for a peak of 1.4 GB per compiler
// (awsec2's package). The Go build cache does not key on GOGC, so what the
// CLI's own build compiled is reused.
const compilerGOGC = "400"

// DefaultAssemblyDir is where the app whose cdk.json is in root writes its
// assembly for AWS (cdk.json's output); root/cdk.out when it has none.
func DefaultAssemblyDir(root string) string {
	if app, err := LoadApp(root, ""); err == nil {
		return app.Output
	}
	return filepath.Join(root, "cdk.out")
}

// LocalAssemblyDir is where EnsureLocal writes the assembly of the app
// whose cdk.json is in root for the local cloud.
func LocalAssemblyDir(root string) string {
	return filepath.Join(filepath.Dir(DefaultAssemblyDir(root)), "cdk.local.out")
}

// Run synthesizes the app into dir, streaming the command's output to
// progress.
func (a *App) Run(ctx context.Context, dir string, progress io.Writer) error {
	return a.run(ctx, dir, false, progress)
}

// run is Run, for the local cloud when local is set. The error of a
// failed synthesis ends with the command's last lines, since a progress
// line on a terminal shows each only for a moment.
func (a *App) run(ctx context.Context, dir string, local bool, progress io.Writer) error {
	var extra map[string]any
	env := []string{"CDK_OUTDIR=" + dir, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20"}
	if _, set := os.LookupEnv("GOGC"); !set {
		env = append(env, "GOGC="+compilerGOGC)
	}
	if local {
		// The account and region the stack goes to, as the CDK CLI gives
		// them: the local cloud's.
		extra = map[string]any{LocalCloudAssetsContextKey: true}
		env = append(env, "CDK_DEFAULT_ACCOUNT="+arn.Account, "CDK_DEFAULT_REGION="+arn.Region)
	}
	contextJSON, err := a.contextJSON(extra)
	if err != nil {
		return err
	}
	tail := &tailBuffer{max: 4 << 10}
	out := io.MultiWriter(progress, tail)
	for _, command := range []string{a.Build, a.Command} {
		if command == "" {
			continue
		}
		// The CDK CLI runs the app through the shell, in cdk.json's folder,
		// with the assembly's folder and the context in its environment.
		cmd := exec.CommandContext(ctx, "sh", "-c", command)
		cmd.Dir = a.Dir
		cmd.Env = append(append(os.Environ(), env...), "CDK_CONTEXT_JSON="+contextJSON)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("synthesize the app (%s): %w\n%s", command, err, strings.TrimSpace(tail.String()))
		}
	}
	return nil
}

// Steps is implemented by a progress writer that shows a synthesis as one
// step with a live line (the CLI's); Ensure then announces the step
// through it, and the command's lines are written as the step's updates.
type Steps interface {
	io.Writer
	Start(step string)
	Done(summary string)
}

// Ensure synthesizes the app's assembly for AWS (Output) when it is
// stale, and tells progress what it does, since a cold synthesis takes a
// minute.
//
// Several processes (test packages run in parallel) may ask at once: a lock
// file beside the assembly lets one synthesize while the others wait, then
// find it fresh.
func (a *App) Ensure(ctx context.Context, progress io.Writer) error {
	return a.ensure(ctx, a.Output, false, progress)
}

// EnsureLocal is Ensure for the local cloud's assembly, in
// LocalAssemblyDir, synthesized with LocalCloudAssetsContextKey. It
// returns the directory.
func (a *App) EnsureLocal(ctx context.Context, progress io.Writer) (string, error) {
	dir := a.LocalAssemblyDir()
	return dir, a.ensure(ctx, dir, true, progress)
}

// Ensure is App.Ensure into dir for the app whose cdk.json is in root.
func Ensure(ctx context.Context, root, dir string, progress io.Writer) error {
	app, err := LoadApp(root, "")
	if err != nil {
		return err
	}
	return app.ensure(ctx, dir, false, progress)
}

// EnsureLocal is App.EnsureLocal for the app whose cdk.json is in root.
func EnsureLocal(ctx context.Context, root string, progress io.Writer) (string, error) {
	app, err := LoadApp(root, "")
	if err != nil {
		return "", err
	}
	return app.EnsureLocal(ctx, progress)
}

func (a *App) ensure(ctx context.Context, dir string, local bool, progress io.Writer) error {
	unlock, err := lock(dir + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	stale, err := a.Stale(dir)
	if err != nil || !stale {
		return err
	}
	step := fmt.Sprintf("synthesizing the app (%s)", a.Command)
	steps, isSteps := progress.(Steps)
	if isSteps {
		steps.Start(step)
	} else {
		fmt.Fprintf(progress, "%s into %s…\n", step, dir)
	}
	start := time.Now()
	if err := a.run(ctx, dir, local, progress); err != nil {
		if isSteps {
			steps.Done(fmt.Sprintf("synthesis failed after %s", time.Since(start).Round(100*time.Millisecond)))
		}
		return err
	}
	// The assembly is as old as the sources it was made from: a source
	// saved while the app ran makes it stale (Stale compares with the
	// manifest).
	if err := os.Chtimes(filepath.Join(dir, "manifest.json"), start, start); err != nil {
		return fmt.Errorf("date the cloud assembly: %w", err)
	}
	done := fmt.Sprintf("synthesized in %s", time.Since(start).Round(100*time.Millisecond))
	if isSteps {
		steps.Done(done)
	} else {
		fmt.Fprintln(progress, done)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = t.buf[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }

// lock takes an exclusive advisory lock on path, waiting for it.
func lock(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

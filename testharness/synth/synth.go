// Package synth finds the project's cloud assembly and synthesizes it when it
// is missing or older than the sources it is made from, so that the CLI
// always deploys what the code says.
package synth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// ModuleRoot returns the directory of the go.mod that encloses dir.
func ModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod in %s or any parent: run tracebridge from inside the project", abs)
		}
	}
}

// DefaultAssemblyDir is where `go run ./infra` writes the cloud assembly.
func DefaultAssemblyDir(root string) string { return filepath.Join(root, "infra", "cdk.out") }

// LocalAssemblyDir is where EnsureLocal writes the assembly for the local
// cloud, apart from the one for AWS, which must keep its arm64 assets.
func LocalAssemblyDir(root string) string { return filepath.Join(root, "infra", "cdk.local.out") }

// localCloudAssetsContext is the CDK context that synthesizes the app for
// the local cloud (infra.LocalCloudAssetsContextKey), given to the app as
// the CDK CLI gives context, in CDK_CONTEXT_JSON.
const localCloudAssetsContext = `{"tracebridge:localCloudAssets":true}`

// sourceDirs are the folders whose Go files the synthesized assembly is made
// from: the stack, the handlers it builds, the contracts both use, the
// suite, and the harness's construct and functions, which are built from it.
var sourceDirs = []string{"infra", "handlers", "schemas", "testharness/suite",
	"testharness/cdkgo", "testharness/cdkharness", "testharness/runner", "testharness/await", "testharness/starter",
	"testharness/completion", "testharness/awserr", "testharness/diagnose", "testharness/internal/cfnresponse"}

// Stale tells whether the assembly in dir is missing or older than any
// source it is made from (Go files, go.mod, go.sum, cdk.json).
func Stale(root, dir string) (bool, error) {
	manifest, err := os.Stat(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read cloud assembly: %w", err)
	}
	newest, err := newestSource(root)
	if err != nil {
		return false, err
	}
	return newest.After(manifest.ModTime()), nil
}

func newestSource(root string) (time.Time, error) {
	var newest time.Time
	consider := func(path string) {
		if info, err := os.Stat(path); err == nil && info.ModTime().After(newest) {
			newest = info.ModTime()
		}
	}
	consider(filepath.Join(root, "go.mod"))
	consider(filepath.Join(root, "go.sum"))
	for _, d := range sourceDirs {
		err := filepath.WalkDir(filepath.Join(root, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if e.IsDir() && (isAssemblyDir(e.Name()) || e.Name() == "testdata") {
				return filepath.SkipDir
			}
			if !e.IsDir() && (strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".json")) {
				consider(path)
			}
			return nil
		})
		if err != nil {
			return time.Time{}, fmt.Errorf("scan sources under %s: %w", d, err)
		}
	}
	return newest, nil
}

// isAssemblyDir tells whether a folder's name is one of a cloud assembly
// (cdk.out, cdk.local.out), whose JSON files are outputs, not sources.
func isAssemblyDir(name string) bool {
	return strings.HasPrefix(name, "cdk.") && strings.HasSuffix(name, ".out")
}

// Run synthesizes the app into dir with `go run ./infra`, streaming the
// command's output to progress.
func Run(ctx context.Context, root, dir string, progress io.Writer) error {
	return run(ctx, root, dir, false, progress)
}

// run is Run, for the local cloud when localCloud is set. The error of a
// failed synthesis ends with the command's last lines, since a progress
// line on a terminal shows each only for a moment.
func run(ctx context.Context, root, dir string, localCloud bool, progress io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "run", "./infra")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+dir, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	if localCloud {
		cmd.Env = append(cmd.Env, "CDK_CONTEXT_JSON="+localCloudAssetsContext)
	}
	tail := &tailBuffer{max: 4 << 10}
	cmd.Stdout = io.MultiWriter(progress, tail)
	cmd.Stderr = cmd.Stdout
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("synthesize the app (go run ./infra): %w\n%s", err, strings.TrimSpace(tail.String()))
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

// Ensure synthesizes the assembly in dir when it is stale and tells
// progress what it does, since a cold synthesis takes a minute.
//
// Several processes (test packages run in parallel) may ask at once: a lock
// file beside the assembly lets one synthesize while the others wait, then
// find it fresh.
func Ensure(ctx context.Context, root, dir string, progress io.Writer) error {
	return ensure(ctx, root, dir, false, progress)
}

// EnsureLocal is Ensure for the local cloud's assembly in
// LocalAssemblyDir: the handlers are built for this machine, once, and the
// local cloud runs those executables (tracebridge:code-dir) instead of
// building each function's package again. It returns the directory.
func EnsureLocal(ctx context.Context, root string, progress io.Writer) (string, error) {
	dir := LocalAssemblyDir(root)
	return dir, ensure(ctx, root, dir, true, progress)
}

func ensure(ctx context.Context, root, dir string, localCloud bool, progress io.Writer) error {
	unlock, err := lock(dir + ".lock")
	if err != nil {
		return err
	}
	defer unlock()
	stale, err := Stale(root, dir)
	if err != nil || !stale {
		return err
	}
	steps, isSteps := progress.(Steps)
	if isSteps {
		steps.Start("synthesizing the app (go run ./infra)")
	} else {
		fmt.Fprintf(progress, "synthesizing the app into %s (go run ./infra)…\n", dir)
	}
	start := time.Now()
	if err := run(ctx, root, dir, localCloud, progress); err != nil {
		if isSteps {
			steps.Done(fmt.Sprintf("synthesis failed after %s", time.Since(start).Round(100*time.Millisecond)))
		}
		return err
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

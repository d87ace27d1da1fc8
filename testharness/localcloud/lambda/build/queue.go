package build

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
)

// compileJob is one package to compile into out.
type compileJob struct {
	ctx  context.Context
	pkg  string
	main string // a generated package's main.go; "" for a package on disk
	out  string
	done chan struct{}
	err  error
}

// queued compiles pkg into out, in the go build under way's successor
// together with every package asked for meanwhile.
func (b *Builder) queued(ctx context.Context, pkg, main, out string) error {
	j := &compileJob{ctx: ctx, pkg: pkg, main: main, out: out, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, j)
	if !b.compiling {
		b.compiling = true
		go b.drain()
	}
	b.mu.Unlock()
	select {
	case <-j.done:
		return j.err
	case <-ctx.Done():
		return fmt.Errorf("build %s: %w", pkg, ctx.Err())
	}
}

// drain runs go builds until the queue is empty.
func (b *Builder) drain() {
	for {
		b.mu.Lock()
		batch, rest := takeBatch(b.queue)
		b.queue = rest
		if len(batch) == 0 {
			b.compiling = false
			b.mu.Unlock()
			return
		}
		b.mu.Unlock()
		b.compileBatch(batch)
		for _, j := range batch {
			close(j.done)
		}
	}
}

// versionElement is a major-version path element, which `go build -o DIR`
// does not name an executable after.
var versionElement = regexp.MustCompile(`^v[0-9]+$`)

// takeBatch picks the jobs one go build can compile into one directory:
// executables there are named after their package's last path element,
// so two packages whose names collide wait for the next build, and a
// package without a plain name of its own (".", ".../v2") is built alone.
func takeBatch(queue []*compileJob) (batch, rest []*compileJob) {
	names := map[string]bool{}
	for _, j := range queue {
		name := filepath.Base(filepath.FromSlash(j.pkg))
		plain := name != "." && name != ".." && !versionElement.MatchString(name)
		if len(batch) == 0 || plain && !names[name] && !names[""] {
			batch = append(batch, j)
			if !plain {
				name = ""
			}
			names[name] = true
			continue
		}
		rest = append(rest, j)
	}
	return batch, rest
}

// compileBatch runs one go build for the batch and sets each job's error.
// When a build of several packages fails, each is built again alone, so
// each error names the package it is about and the others still build.
func (b *Builder) compileBatch(batch []*compileJob) {
	ctx, cancel := b.batchContext(batch)
	defer cancel()
	work, err := os.MkdirTemp(b.outDir, ".batch-")
	if err == nil {
		defer os.RemoveAll(work)
	}
	var overlay string
	if err == nil {
		overlay, err = writeOverlay(work, b.root, batch)
	}
	if err != nil {
		for _, j := range batch {
			j.err = fmt.Errorf("build %s: %w", j.pkg, err)
		}
		return
	}
	if len(batch) > 1 {
		pkgs := make([]string, len(batch))
		for i, j := range batch {
			pkgs[i] = j.pkg
		}
		if err = b.goBuild(ctx, overlay, work+string(filepath.Separator), pkgs...); err == nil {
			for _, j := range batch {
				j.err = os.Rename(filepath.Join(work, filepath.Base(filepath.FromSlash(j.pkg))), j.out)
			}
			return
		}
	}
	for _, j := range batch {
		j.err = b.goBuild(ctx, overlay, j.out, j.pkg)
	}
}

// writeOverlay writes, into dir, the main.go of each generated package of
// the batch and the overlay file that puts it in the package's directory
// under root, and returns the overlay file's path ("" when the batch has
// no generated package).
func writeOverlay(dir, root string, batch []*compileJob) (string, error) {
	replace := map[string]string{}
	for i, j := range batch {
		if j.main == "" {
			continue
		}
		file := filepath.Join(dir, fmt.Sprintf("main-%d.go", i))
		if err := os.WriteFile(file, []byte(j.main), 0o644); err != nil {
			return "", fmt.Errorf("overlay: %w", err)
		}
		replace[filepath.Join(root, filepath.FromSlash(j.pkg), "main.go")] = file
	}
	if len(replace) == 0 {
		return "", nil
	}
	doc, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	path := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(path, doc, 0o644); err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	return path, nil
}

// batchContext ends when every job of the batch has been given up by its
// caller: a build nobody waits for is stopped.
func (b *Builder) batchContext(batch []*compileJob) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	waiting := len(batch)
	stops := make([]func() bool, len(batch))
	for i, j := range batch {
		stops[i] = context.AfterFunc(j.ctx, func() {
			mu.Lock()
			defer mu.Unlock()
			if waiting--; waiting == 0 {
				cancel()
			}
		})
	}
	return ctx, func() {
		for _, stop := range stops {
			stop()
		}
		cancel()
	}
}

// goBuild compiles pkgs for the host into out (a file for one package, a
// directory ending in a separator for several) with the handlers' tags;
// overlay, when set, is go build's -overlay file. It keeps the go
// command's cgo default, as the CLI's own build and cdkgo's builds for the
// local cloud do, although provided.al2023 wants a static executable: the
// executable runs on this machine, and cgo changes package net and every
// package above it, so CGO_ENABLED=0 here compiled the standard library,
// the AWS SDK and the X-Ray SDK a second time (imagemetadata after the CLI:
// 55 s and 103 s of CPU instead of 29 s and 52 s).
func (b *Builder) goBuild(ctx context.Context, overlay, out string, pkgs ...string) error {
	args := []string{"build", "-tags", "lambda.norpc"}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.CommandContext(ctx, "go", append(append(args, "-o", out), pkgs...)...)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s in %s: %w: %s", strings.Join(pkgs, " "), b.root, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

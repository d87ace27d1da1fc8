// Package build compiles a function's Go package into a bootstrap
// executable for the host, as the provided.al2023 runtime expects one
// (CGO_ENABLED=0, -tags lambda.norpc), so the local cloud runs the very
// handler code the template deploys.
//
// Builds are memoised per package for the life of a Builder and the same
// package is built once even when several functions ask at once; Go's own
// build cache makes the first build of an unchanged package fast too.
package build

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// Builder builds Go packages of one module.
type Builder struct {
	root   string
	outDir string

	mu     sync.Mutex
	builds map[string]*result
}

type result struct {
	done chan struct{}
	path string
	err  error
}

// New returns a builder for the module at sourceRoot that writes its
// executables under outDir.
func New(sourceRoot, outDir string) *Builder {
	return &Builder{root: sourceRoot, outDir: outDir, builds: map[string]*result{}}
}

// Build returns the path of the bootstrap executable built from pkg, a
// package path relative to the module root ("./handlers/imagemetadata").
func (b *Builder) Build(ctx context.Context, pkg string) (string, error) {
	b.mu.Lock()
	r, ok := b.builds[pkg]
	if !ok {
		r = &result{done: make(chan struct{})}
		b.builds[pkg] = r
	}
	b.mu.Unlock()
	if !ok {
		r.path, r.err = b.compile(ctx, pkg)
		close(r.done)
		if r.err != nil {
			// A failed build is not cached: the next deployment retries.
			b.mu.Lock()
			delete(b.builds, pkg)
			b.mu.Unlock()
		}
	}
	select {
	case <-r.done:
		return r.path, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("build %s: %w", pkg, ctx.Err())
	}
}

func (b *Builder) compile(ctx context.Context, pkg string) (string, error) {
	if b.root == "" {
		return "", fmt.Errorf("build %s: no source root (Options.SourceRoot) to build from", pkg)
	}
	dir := filepath.Join(b.outDir, sanitize(pkg))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	out := filepath.Join(dir, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-o", out, pkg)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+runtime.GOOS, "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build %s in %s: %w: %s", pkg, b.root, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func sanitize(pkg string) string {
	s := strings.Trim(strings.NewReplacer("/", "_", "\\", "_", ".", "_").Replace(pkg), "_")
	if s == "" {
		return "root"
	}
	return s
}

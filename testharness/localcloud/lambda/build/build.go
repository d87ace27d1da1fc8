// Package build compiles a function's Go package into a bootstrap
// executable for the host (-tags lambda.norpc, as for provided.al2023), so
// the local cloud runs the very handler code the template deploys.
//
// Builds are memoised per package for the life of a Builder and the same
// package is built once even when several functions ask at once. One go
// build runs at a time per Builder: the packages asked for meanwhile are
// built together in the next one, so the dependencies they share compile
// once instead of in several go commands side by side. Across
// Builders (one per local cloud), executables are kept in the output
// directory under a key of the module's source content, so a new local
// cloud whose sources did not change runs the executables it built before
// without invoking the Go toolchain at all.
package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Builder builds Go packages of one module.
type Builder struct {
	root   string
	outDir string

	fingerprintOnce sync.Once
	fingerprint     string
	fingerprintErr  error

	mu     sync.Mutex
	builds map[string]*result
	// queue are the compiles waiting for the go build under way; they
	// run together in the next one (queue.go). Must hold mu.
	queue     []*compileJob
	compiling bool
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
	return b.build(ctx, pkg, "")
}

// BuildMain is Build for a generated main package: pkg's directory need
// not exist, and source is its main.go, which go build reads through
// -overlay (the harness functions' mains, which the CDK app generates).
func (b *Builder) BuildMain(ctx context.Context, pkg, source string) (string, error) {
	if source == "" {
		return "", fmt.Errorf("build %s: the generated main.go is empty", pkg)
	}
	return b.build(ctx, pkg, source)
}

// build is Build of pkg, or BuildMain when main is set.
func (b *Builder) build(ctx context.Context, pkg, main string) (string, error) {
	key := pkg + "\x00" + main
	b.mu.Lock()
	r, ok := b.builds[key]
	if !ok {
		r = &result{done: make(chan struct{})}
		b.builds[key] = r
	}
	b.mu.Unlock()
	if !ok {
		r.path, r.err = b.compile(ctx, pkg, main)
		close(r.done)
		if r.err != nil {
			// A failed build is not cached: the next deployment retries.
			b.mu.Lock()
			delete(b.builds, key)
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

// keptBuilds is how many executables of one package the output directory
// keeps; older ones (from earlier states of the sources) are removed.
const keptBuilds = 4

// abandonedBuild is how old a build folder must be before prune takes it
// for one a killed process left behind.
const abandonedBuild = time.Hour

func (b *Builder) compile(ctx context.Context, pkg, main string) (string, error) {
	if b.root == "" {
		return "", fmt.Errorf("build %s: no source root (Options.SourceRoot) to build from", pkg)
	}
	b.fingerprintOnce.Do(func() { b.fingerprint, b.fingerprintErr = moduleFingerprint(b.root) })
	if b.fingerprintErr != nil {
		return "", fmt.Errorf("build %s: %w", pkg, b.fingerprintErr)
	}
	pkgDir := filepath.Join(b.outDir, sanitize(pkg))
	dir := filepath.Join(pkgDir, cacheKey(b.fingerprint, pkg, main))
	out := filepath.Join(dir, "bootstrap")
	if info, err := os.Stat(out); err == nil && info.Mode().IsRegular() {
		now := time.Now()
		_ = os.Chtimes(dir, now, now) // recently used: kept by prune
		return out, nil
	}
	// Build in a folder of this build's own and rename it into place, so
	// that a concurrent local cloud never runs a half-written executable,
	// and prune (which skips dot-folders) never removes a build under way.
	if err := os.MkdirAll(pkgDir, 0o755); err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	work, err := os.MkdirTemp(pkgDir, ".building-")
	if err != nil {
		return "", fmt.Errorf("build %s: %w", pkg, err)
	}
	defer os.RemoveAll(work)
	if err := b.queued(ctx, pkg, main, filepath.Join(work, "bootstrap")); err != nil {
		return "", err
	}
	if err := os.Rename(work, dir); err != nil {
		// Another local cloud built the same sources first: use its build.
		if info, statErr := os.Stat(out); statErr != nil || !info.Mode().IsRegular() {
			return "", fmt.Errorf("build %s: %w", pkg, err)
		}
	}
	prune(pkgDir, keptBuilds)
	return out, nil
}

// cacheKey names an executable by what it is built from.
func cacheKey(fingerprint, pkg, main string) string {
	h := sha256.Sum256([]byte(strings.Join([]string{fingerprint, pkg, main, runtime.GOOS, runtime.GOARCH, "lambda.norpc"}, "\x00")))
	return hex.EncodeToString(h[:12])
}

// moduleFingerprint hashes the module's Go sources, go.mod and go.sum. It
// is coarser than the package's own dependencies (any change in the module
// rebuilds), but costs milliseconds, and Go's build cache keeps those
// rebuilds fast.
func moduleFingerprint(root string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			// Hidden folders (.git), npm's and CDK's outputs hold no Go
			// sources; testdata may (test handlers), so it counts.
			if path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out") {
				return filepath.SkipDir
			}
			return nil
		}
		if !(strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || name == "go.mod" || name == "go.sum") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		fmt.Fprintf(h, "%s\x00%d\x00", rel, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("fingerprint the sources under %s: %w", root, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// prune keeps the keep most recently used builds in dir.
func prune(dir string, keep int) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) <= keep {
		return
	}
	type build struct {
		path string
		used time.Time
	}
	var builds []build
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			// A build under way, or one a killed process left behind.
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > abandonedBuild {
				_ = os.RemoveAll(filepath.Join(dir, e.Name()))
			}
			continue
		}
		if info, err := e.Info(); err == nil && e.IsDir() {
			builds = append(builds, build{filepath.Join(dir, e.Name()), info.ModTime()})
		}
	}
	sort.Slice(builds, func(i, j int) bool { return builds[i].used.After(builds[j].used) })
	for _, old := range builds[min(keep, len(builds)):] {
		_ = os.RemoveAll(old.path)
	}
}

func sanitize(pkg string) string {
	s := strings.Trim(strings.NewReplacer("/", "_", "\\", "_", ".", "_").Replace(pkg), "_")
	if s == "" {
		return "root"
	}
	return s
}

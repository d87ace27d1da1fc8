package cdkgo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Builder compiles the app's Go Lambda handlers into asset directories in
// plain Go, before any construct refers to them. Synthesis therefore never
// depends on jsii bundling callbacks, and repeated runs reuse the Go build
// cache. The binaries are reproducible (-trimpath, -buildvcs=false), so an
// unchanged handler keeps its CDK asset hash and is not uploaded again.
//
// Besides the module's own packages it builds generated main packages
// (AddMain), which exist only in the build.
type Builder struct {
	// ModuleRoot is the directory holding go.mod; packages are built from it.
	ModuleRoot string
	// OutDir receives one asset directory per package:
	// OutDir/<package path>/bootstrap, or, ForLocalCloud,
	// OutDir/local-<goos>-<goarch>/<package path>/bootstrap, so neither
	// kind of synthesis overwrites the other's executables.
	OutDir string
	// ForLocalCloud builds for this machine (the GOOS and GOARCH the CDK
	// app runs on) instead of Lambda's linux/arm64, so that the local cloud
	// runs the very executables synthesis made instead of compiling every
	// handler a second time; functions then name their asset directory
	// (LocalCodeDirMetadataKey) instead of their package. An assembly
	// synthesized so is for the local cloud only, never for AWS
	// (LocalCloudAssets tells an app which to synthesize).
	ForLocalCloud bool
	// Progress receives a line as compiling goes (the CLI shows it as its
	// progress line); nothing is written when nil.
	Progress io.Writer

	mu    sync.Mutex
	built map[string]string // package path → asset directory
	batch *batch            // the BuildAll under way or done
	mains map[string]string // generated package path → its main.go
}

// batch is one go build of several packages that Build waits for rather
// than compiling a package of it a second time.
type batch struct {
	done chan struct{}
	pkgs map[string]bool
	err  error
}

// ModuleRoot returns the directory of the go.mod governing the current
// working directory, through the go command, so that an app finds it from
// any directory inside its module (the CDK CLI runs the app from the
// directory of cdk.json, people run `go run ./infra` from the root).
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("locate the module root with `go env GOMOD`: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("locate the module root: the working directory is not inside a Go module (go env GOMOD is empty)")
	}
	return filepath.Dir(gomod), nil
}

// platform is the GOOS and GOARCH the handlers are built for.
func (b *Builder) platform() (goos, goarch string) {
	if b.ForLocalCloud {
		return runtime.GOOS, runtime.GOARCH
	}
	return "linux", "arm64"
}

// assetDir is the asset directory of a package path relative to the
// module root.
func (b *Builder) assetDir(rel string) string {
	if b.ForLocalCloud {
		goos, goarch := b.platform()
		return filepath.Join(b.OutDir, "local-"+goos+"-"+goarch, rel)
	}
	return filepath.Join(b.OutDir, rel)
}

// goBuildArgs are the arguments of `go build` for this builder's target.
// lambda.norpc drops aws-lambda-go's net/rpc path, which provided.al2023
// never uses; -s -w strips symbol tables for a smaller upload. -trimpath
// makes the AWS assets reproducible; the local cloud's build leaves it
// out, so it shares the compiled dependencies of the CDK app and the CLI, which
// `go run` builds without it.
func (b *Builder) goBuildArgs(overlay, out string, pkgs ...string) []string {
	args := []string{"build", "-tags", "lambda.norpc", "-buildvcs=false", "-ldflags=-s -w"}
	if !b.ForLocalCloud {
		args = append(args, "-trimpath")
	}
	if overlay != "" {
		args = append(args, "-overlay", overlay)
	}
	return append(append(args, "-o", out), pkgs...)
}

// goEnv is the go command's environment. Lambda's provided.al2023 wants a
// static executable (CGO_ENABLED=0). The local cloud runs its executables
// on this machine, so they are built with the go command's defaults, as
// the CDK app and the CLI are: cgo changes package net, and with it every
// package that imports it, so only the same setting lets the handlers
// reuse the compiled AWS SDK instead of compiling it again.
func (b *Builder) goEnv() []string {
	if b.ForLocalCloud {
		return os.Environ()
	}
	goos, goarch := b.platform()
	return append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
}

// Build compiles pkg (a path relative to the module root, such as
// "./handlers/imagemetadata") for the Lambda provided.al2023 runtime and
// returns the asset directory holding its bootstrap executable. Each
// package is built once per builder; one a StartBuildAll under way covers
// is waited for.
func (b *Builder) Build(pkg string) (string, error) {
	rel, err := packageDir(pkg)
	if err != nil {
		return "", err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if bt := b.batch; bt != nil && bt.pkgs[pkg] {
		b.mu.Unlock()
		<-bt.done
		b.mu.Lock()
	}
	if dir, ok := b.built[pkg]; ok {
		return dir, nil
	}
	dir := b.assetDir(rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build Lambda handler %s: %w", pkg, err)
	}
	overlay, err := b.overlayFor(pkg)
	if err != nil {
		return "", fmt.Errorf("build Lambda handler %s: %w", pkg, err)
	}
	cmd := exec.Command("go", b.goBuildArgs(overlay, filepath.Join(dir, "bootstrap"), pkg)...)
	cmd.Dir = b.ModuleRoot
	cmd.Env = b.goEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		goos, goarch := b.platform()
		return "", fmt.Errorf("build Lambda handler %s (GOOS=%s GOARCH=%s, in %s): %w\n%s",
			pkg, goos, goarch, b.ModuleRoot, err, strings.TrimSpace(stderr.String()))
	}
	b.setBuilt(pkg, dir)
	return dir, nil
}

// setBuilt records a package's asset directory. Must hold b.mu.
func (b *Builder) setBuilt(pkg, dir string) {
	if b.built == nil {
		b.built = map[string]string{}
	}
	b.built[pkg] = dir
}

// packageDir checks that pkg is a package path inside the module and
// returns it as a relative directory.
func packageDir(pkg string) (string, error) {
	rel := filepath.Clean(filepath.FromSlash(pkg))
	if filepath.IsAbs(rel) || rel == "." || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("build Lambda handler %q: want a package path inside the module, such as ./handlers/name", pkg)
	}
	return rel, nil
}

// StartBuildAll starts compiling the packages pkgs (paths relative to the
// module root) in one go build, so that the dependencies they share compile
// once and their links run side by side; each executable is then moved
// into its asset directory. Build calls for these packages wait for it
// instead of compiling them again, so synthesis starts it before it
// defines the constructs and compiling overlaps with that. wait returns
// the build's error.
//
// `go build -o DIR` names each executable after its package's last path
// element, so of packages whose names collide only the first is in the
// one build; Build compiles each of the others alone.
func (b *Builder) StartBuildAll(pkgs ...string) (wait func() error) {
	bt := &batch{done: make(chan struct{}), pkgs: map[string]bool{}}
	names := map[string]bool{}
	var batched []string
	for _, pkg := range pkgs {
		if name := path.Base(pkg); !names[name] {
			names[name] = true
			bt.pkgs[pkg] = true
			batched = append(batched, pkg)
		}
	}
	pkgs = batched
	wait = func() error { <-bt.done; return bt.err }
	b.mu.Lock()
	if b.batch != nil {
		b.mu.Unlock()
		bt.err = errors.New("build Lambda handlers: StartBuildAll may run once per builder")
		close(bt.done)
		return wait
	}
	b.batch = bt
	b.mu.Unlock()
	go func() {
		defer close(bt.done)
		dirs, err := b.compileAll(pkgs)
		b.mu.Lock()
		defer b.mu.Unlock()
		for pkg, dir := range dirs {
			b.setBuilt(pkg, dir)
		}
		bt.err = err
	}()
	return wait
}

// compileAll runs the one go build of StartBuildAll and returns the asset
// directory of each package. `go build -o DIR` names each executable
// after the last element of its package path.
func (b *Builder) compileAll(pkgs []string) (map[string]string, error) {
	goos, goarch := b.platform()
	if err := os.MkdirAll(b.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("build Lambda handlers: %w", err)
	}
	// Built beside the asset directories and renamed into place, so a
	// local cloud running an older executable keeps it, whole.
	work, err := os.MkdirTemp(b.OutDir, ".building-")
	if err != nil {
		return nil, fmt.Errorf("build Lambda handlers: %w", err)
	}
	defer os.RemoveAll(work)
	b.mu.Lock()
	overlay, err := b.overlayFor(pkgs...)
	b.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("build Lambda handlers: %w", err)
	}
	start := time.Now()
	counter := &compileCounter{progress: b.Progress, platform: goos + "/" + goarch, pkgs: pkgs, start: start}
	counter.report()
	args := b.goBuildArgs(overlay, work+string(filepath.Separator), pkgs...)
	cmd := exec.Command("go", append(args[:1:1], append([]string{"-v"}, args[1:]...)...)...)
	cmd.Dir = b.ModuleRoot
	cmd.Env = b.goEnv()
	var stderr bytes.Buffer
	cmd.Stderr = io.MultiWriter(&stderr, counter)
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("build Lambda handlers %s (GOOS=%s GOARCH=%s, in %s): %w\n%s",
			strings.Join(pkgs, " "), goos, goarch, b.ModuleRoot, err, strings.TrimSpace(stderr.String()))
	}
	dirs := map[string]string{}
	for _, pkg := range pkgs {
		rel, err := packageDir(pkg)
		if err != nil {
			return nil, err
		}
		dir := b.assetDir(rel)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("build Lambda handler %s: %w", pkg, err)
		}
		if err := os.Rename(filepath.Join(work, filepath.Base(rel)), filepath.Join(dir, "bootstrap")); err != nil {
			return nil, fmt.Errorf("build Lambda handler %s: %w", pkg, err)
		}
		dirs[pkg] = dir
	}
	if b.Progress != nil {
		fmt.Fprintf(b.Progress, "compiled handlers for %s: %d of %d in %s (one go build)\n",
			goos+"/"+goarch, len(pkgs), len(pkgs), time.Since(start).Round(100*time.Millisecond))
	}
	return dirs, nil
}

// compileCounter reads `go build -v`, which names each package as it
// compiles it (cached ones are not named), and reports how far the build
// is: handlers whose own package has compiled, and packages compiled.
type compileCounter struct {
	progress io.Writer
	platform string
	pkgs     []string // as StartBuildAll got them: "./handlers/name"
	start    time.Time

	partial  []byte
	packages int
	handlers int
}

// reportEvery is how many compiled packages pass between progress lines
// when no handler completes, so a log gets a line every few seconds and
// not one per package.
const reportEvery = 25

func (c *compileCounter) Write(p []byte) (int, error) {
	c.partial = append(c.partial, p...)
	for {
		i := bytes.IndexByte(c.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := string(c.partial[:i])
		c.partial = c.partial[i+1:]
		if line == "" || strings.ContainsAny(line, " \t:") || strings.HasPrefix(line, "#") {
			continue // compiler output, not a package name
		}
		c.packages++
		if c.isHandler(line) {
			c.handlers++
			c.report()
		} else if c.packages%reportEvery == 0 {
			c.report()
		}
	}
}

// isHandler tells whether an import path is one of the packages built.
func (c *compileCounter) isHandler(importPath string) bool {
	for _, pkg := range c.pkgs {
		if strings.HasSuffix(importPath, strings.TrimPrefix(pkg, ".")) {
			return true
		}
	}
	return false
}

func (c *compileCounter) report() {
	if c.progress == nil {
		return
	}
	fmt.Fprintf(c.progress, "compiling handlers for %s: %d of %d (%d packages compiled, %s)\n",
		c.platform, c.handlers, len(c.pkgs), c.packages, time.Since(c.start).Round(time.Second))
}

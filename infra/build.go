package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// GoBuilder compiles the app's Go Lambda handlers into asset directories in
// plain Go, before any construct refers to them. Synthesis therefore never
// depends on jsii bundling callbacks, and repeated runs reuse the Go build
// cache. The binaries are reproducible (-trimpath, -buildvcs=false), so an
// unchanged handler keeps its CDK asset hash and is not uploaded again.
type GoBuilder struct {
	// ModuleRoot is the directory holding go.mod; packages are built from it.
	ModuleRoot string
	// OutDir receives one asset directory per package:
	// OutDir/<package path>/bootstrap.
	OutDir string

	mu    sync.Mutex
	built map[string]string // package path → asset directory
}

// DefaultGoBuilder builds into infra/build under the module root, which it
// finds through the go command, so it works from any directory inside the
// module (the CDK CLI runs the app from infra/, people run `go run ./infra`
// from the root).
func DefaultGoBuilder() (*GoBuilder, error) {
	root, err := ModuleRoot()
	if err != nil {
		return nil, err
	}
	return &GoBuilder{ModuleRoot: root, OutDir: filepath.Join(root, "infra", "build")}, nil
}

// ModuleRoot returns the directory of the go.mod governing the current
// working directory.
func ModuleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("locate the module root with `go env GOMOD`: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("locate the module root: the working directory is not inside the tracebridge module (go env GOMOD is empty)")
	}
	return filepath.Dir(gomod), nil
}

// Build compiles pkg (a path relative to the module root, such as
// "./handlers/imagemetadata") for the Lambda provided.al2023 runtime on arm64
// and returns the asset directory holding its bootstrap executable. Each
// package is built once per builder.
func (b *GoBuilder) Build(pkg string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if dir, ok := b.built[pkg]; ok {
		return dir, nil
	}
	rel := filepath.Clean(filepath.FromSlash(pkg))
	if filepath.IsAbs(rel) || rel == "." || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("build Lambda handler %q: want a package path inside the module, such as ./handlers/name", pkg)
	}
	dir := filepath.Join(b.OutDir, rel)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("build Lambda handler %s: %w", pkg, err)
	}
	// lambda.norpc drops aws-lambda-go's net/rpc path, which provided.al2023
	// never uses; -s -w strips symbol tables for a smaller upload.
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-trimpath", "-buildvcs=false",
		"-ldflags=-s -w", "-o", filepath.Join(dir, "bootstrap"), pkg)
	cmd.Dir = b.ModuleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build Lambda handler %s (GOOS=linux GOARCH=arm64, in %s): %w\n%s",
			pkg, b.ModuleRoot, err, strings.TrimSpace(stderr.String()))
	}
	if b.built == nil {
		b.built = map[string]string{}
	}
	b.built[pkg] = dir
	return dir, nil
}

package cdkgo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"golang.org/x/mod/modfile"
)

// AddMain registers a generated main package: pkg is its directory
// relative to the module root (as Build takes packages), which must not
// exist, and source is the text of its main.go. Build and StartBuildAll
// then compile it with `go build -overlay`, which reads main.go from the
// builder's output directory as if it were in pkg, so nothing is written
// into the source tree. The package belongs to the app's module, so it
// may import the app's packages, internal ones too when pkg sits where
// Go allows that. Registering a package again with the same source does
// nothing; with other source it is an error.
func (b *Builder) AddMain(pkg, source string) error {
	rel, err := packageDir(pkg)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(b.ModuleRoot, rel)); !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("generated main %s: the directory exists in the source tree (%v); a generated package must not", pkg, err)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.mains[pkg]; ok && old != source {
		return fmt.Errorf("generated main %s: registered already with other source", pkg)
	}
	if b.mains == nil {
		b.mains = map[string]string{}
	}
	b.mains[pkg] = source
	return nil
}

// MainSource is the source of a generated main package's main.go, and
// false for a package of the source tree.
func (b *Builder) MainSource(pkg string) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	source, ok := b.mains[pkg]
	return source, ok
}

// overlayFor writes the overlay file of go build's -overlay flag for the
// generated packages among pkgs and returns its path, "" when there are
// none. Files are named by their content, so builds running side by side
// never write one another's. Must hold b.mu.
func (b *Builder) overlayFor(pkgs ...string) (string, error) {
	replace := map[string]string{}
	for _, pkg := range pkgs {
		source, ok := b.mains[pkg]
		if !ok {
			continue
		}
		rel, err := packageDir(pkg)
		if err != nil {
			return "", err
		}
		file, err := b.writeOverlayFile([]byte(source), ".go")
		if err != nil {
			return "", err
		}
		replace[filepath.Join(b.ModuleRoot, rel, "main.go")] = file
	}
	if len(replace) == 0 {
		return "", nil
	}
	doc, err := json.Marshal(struct{ Replace map[string]string }{replace})
	if err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	return b.writeOverlayFile(doc, ".json")
}

// writeOverlayFile writes data under OutDir/.overlay, named by its hash,
// unless it is there already, and returns its path.
func (b *Builder) writeOverlayFile(data []byte, ext string) (string, error) {
	sum := sha256.Sum256(data)
	path := filepath.Join(b.OutDir, ".overlay", hex.EncodeToString(sum[:12])+ext)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".writing-")
	if err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("overlay: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("overlay: %w", err)
	}
	return path, nil
}

// ImportPath is the import path of pkg, a package path relative to the
// module root: the module's path (its go.mod) joined with pkg's directory.
// A generated main imports the app's packages by it.
func (b *Builder) ImportPath(pkg string) (string, error) {
	rel, err := packageDir(pkg)
	if err != nil {
		return "", err
	}
	gomod, err := os.ReadFile(filepath.Join(b.ModuleRoot, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("import path of %s: %w", pkg, err)
	}
	module := modfile.ModulePath(gomod)
	if module == "" {
		return "", fmt.Errorf("import path of %s: %s names no module", pkg, filepath.Join(b.ModuleRoot, "go.mod"))
	}
	return path.Join(module, filepath.ToSlash(rel)), nil
}

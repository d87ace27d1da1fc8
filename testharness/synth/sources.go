package synth

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
)

// Stale tells whether the assembly in dir is missing or older than any of
// the app's sources: its cdk.json and cdk.context.json, its module's
// go.mod and go.sum, and the files cdk.json's "watch" names or, without
// it, the Go files of its module and of the local modules go.mod replaces
// it with (tests and testdata aside, which do not make the assembly).
func (a *App) Stale(dir string) (bool, error) {
	manifest, err := os.Stat(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read cloud assembly: %w", err)
	}
	newest, err := a.newestSource()
	if err != nil {
		return false, err
	}
	return newest.After(manifest.ModTime()), nil
}

// newest keeps the latest modification time it is shown.
type newest struct{ t time.Time }

func (n *newest) consider(path string) {
	if info, err := os.Stat(path); err == nil && info.ModTime().After(n.t) {
		n.t = info.ModTime()
	}
}

func (a *App) newestSource() (time.Time, error) {
	var n newest
	for _, f := range []string{filepath.Join(a.Dir, "cdk.json"), filepath.Join(a.Dir, "cdk.context.json"),
		filepath.Join(a.ModuleRoot, "go.mod"), filepath.Join(a.ModuleRoot, "go.sum")} {
		n.consider(f)
	}
	var err error
	if a.Watch != nil {
		err = a.walkWatched(&n)
	} else {
		err = a.walkModules(&n)
	}
	return n.t, err
}

// walkModules considers the Go files of the app's module and of the local
// directories its go.mod replaces modules with.
func (a *App) walkModules(n *newest) error {
	roots := []string{a.ModuleRoot}
	raw, err := os.ReadFile(filepath.Join(a.ModuleRoot, "go.mod"))
	if err != nil {
		return fmt.Errorf("read go.mod: %w", err)
	}
	mod, err := modfile.Parse("go.mod", raw, nil)
	if err != nil {
		return fmt.Errorf("read go.mod: %w", err)
	}
	for _, r := range mod.Replace {
		if r.New.Version == "" && modfile.IsDirectoryPath(r.New.Path) {
			dir := r.New.Path
			if !filepath.IsAbs(dir) {
				dir = filepath.Join(a.ModuleRoot, dir)
			}
			roots = append(roots, dir)
		}
	}
	for _, root := range roots {
		err := walkSources(root, func(dir string) bool { return dir != root && exists(filepath.Join(dir, "go.mod")) },
			func(p string) {
				if strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") {
					n.consider(p)
				}
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// walkWatched considers the files cdk.json's watch includes and does not
// exclude, matched on their paths relative to the app's folder ("**" is
// any number of folders; a pattern that matches a folder matches what is
// in it).
func (a *App) walkWatched(n *newest) error {
	seen := map[string]bool{}
	for _, inc := range a.Watch.Include {
		root := filepath.Join(a.Dir, filepath.FromSlash(staticPrefix(inc)))
		if seen[root] {
			continue
		}
		seen[root] = true
		err := walkSources(root, func(string) bool { return false }, func(p string) {
			rel, err := filepath.Rel(a.Dir, p)
			if err != nil {
				return
			}
			rel = filepath.ToSlash(rel)
			if matchesAny(a.Watch.Include, rel) && !matchesAny(a.Watch.Exclude, rel) {
				n.consider(p)
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// walkSources calls file for every file under root, leaving out hidden
// folders, node_modules, testdata, cloud assemblies (cdk.*.out) and the
// folders skip names. A root that does not exist has no files.
func walkSources(root string, skip func(dir string) bool, file func(path string)) error {
	err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			name := e.Name()
			if p != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || isAssemblyDir(name) || skip(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		file(p)
		return nil
	})
	if err != nil {
		return fmt.Errorf("scan the app's sources under %s: %w", root, err)
	}
	return nil
}

// isAssemblyDir tells whether a folder's name is one of a cloud assembly
// (cdk.out, cdk.local.out), whose files are outputs, not sources.
func isAssemblyDir(name string) bool {
	return strings.HasPrefix(name, "cdk.") && strings.HasSuffix(name, ".out")
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// staticPrefix is the leading folders of a glob that hold no pattern:
// where to start looking for its files.
func staticPrefix(glob string) string {
	segs := strings.Split(glob, "/")
	i := 0
	for i < len(segs)-1 && !strings.ContainsAny(segs[i], "*?[") {
		i++
	}
	if i == len(segs)-1 && !strings.ContainsAny(segs[i], "*?[") {
		return path.Dir(glob) // a file
	}
	return strings.Join(segs[:i], "/")
}

func matchesAny(globs []string, rel string) bool {
	for _, g := range globs {
		// A glob matches a path or any folder it is in.
		for p := rel; p != "." && p != "/" && p != ""; p = path.Dir(p) {
			if matchGlob(strings.Split(path.Clean(g), "/"), strings.Split(p, "/")) {
				return true
			}
		}
	}
	return false
}

// matchGlob matches path segments against glob segments, "**" standing for
// any number of segments and the others matched by path.Match.
func matchGlob(glob, segs []string) bool {
	if len(glob) == 0 {
		return len(segs) == 0
	}
	if glob[0] == "**" {
		for i := 0; i <= len(segs); i++ {
			if matchGlob(glob[1:], segs[i:]) {
				return true
			}
		}
		return false
	}
	if len(segs) == 0 {
		return false
	}
	ok, err := path.Match(glob[0], segs[0])
	return err == nil && ok && matchGlob(glob[1:], segs[1:])
}

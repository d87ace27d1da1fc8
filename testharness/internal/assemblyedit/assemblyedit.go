// Package assemblyedit makes broken copies of a synthesized cloud assembly
// for tests that prove a wrong configuration fails as it would on AWS: a
// filter removed, a rule pointed at another bucket, a permission dropped.
package assemblyedit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Template is a CloudFormation template as decoded JSON.
type Template map[string]any

// Resources returns the template's Resources section.
func (t Template) Resources() map[string]any {
	r, _ := t["Resources"].(map[string]any)
	return r
}

// ResourcesOfType returns the logical ids and bodies of the resources of a
// type; a test that edits one fails when there is none.
func (t Template) ResourcesOfType(tb testing.TB, typ string) map[string]map[string]any {
	tb.Helper()
	out := map[string]map[string]any{}
	for id, r := range t.Resources() {
		if body, ok := r.(map[string]any); ok && body["Type"] == typ {
			out[id] = body
		}
	}
	if len(out) == 0 {
		tb.Fatalf("the template has no %s resource", typ)
	}
	return out
}

// Copy copies the assembly in src to a temporary directory of the test,
// lets edit change each stack template, and returns the copy's directory.
// Asset directories are linked, not copied.
func Copy(tb testing.TB, src string, edit func(Template)) string {
	tb.Helper()
	dst := tb.TempDir()
	if err := CopyTo(src, dst, edit); err != nil {
		tb.Fatal(err)
	}
	return dst
}

// CopyTo is Copy into a directory of the caller's, for a TestMain that
// prepares one copy for a whole package.
func CopyTo(src, dst string, edit func(Template)) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("read cloud assembly: %w", err)
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		info, err := os.Stat(from) // through links: a copy's assets are links
		if err != nil {
			return fmt.Errorf("read cloud assembly: %w", err)
		}
		switch {
		case info.IsDir():
			target, err := filepath.EvalSymlinks(from)
			if err == nil {
				target, err = filepath.Abs(target)
			}
			if err == nil {
				err = os.Symlink(target, to)
			}
			if err != nil {
				return fmt.Errorf("link asset %s: %w", e.Name(), err)
			}
		case strings.HasSuffix(e.Name(), ".template.json"):
			if err := copyTemplate(from, to, edit); err != nil {
				return err
			}
		default:
			data, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile(to, data, 0o644)
			}
			if err != nil {
				return fmt.Errorf("copy %s: %w", e.Name(), err)
			}
		}
	}
	return nil
}

// Read reads the one stack template of the assembly in dir.
func Read(tb testing.TB, dir string) Template {
	tb.Helper()
	matches, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil || len(matches) != 1 {
		tb.Fatalf("want one template in %s, found %v (%v)", dir, matches, err)
	}
	t, err := readTemplate(matches[0])
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

func readTemplate(file string) (Template, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	var t Template
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode template %s: %w", file, err)
	}
	return t, nil
}

func copyTemplate(from, to string, edit func(Template)) error {
	t, err := readTemplate(from)
	if err != nil {
		return err
	}
	edit(t)
	out, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		return fmt.Errorf("encode template: %w", err)
	}
	if err := os.WriteFile(to, out, 0o644); err != nil {
		return fmt.Errorf("write template: %w", err)
	}
	return nil
}

// RemoveResourcesOfType deletes every resource of a type, such as the
// deploy-time test run, which no other resource may depend on.
func (t Template) RemoveResourcesOfType(typ string) {
	for id, r := range t.Resources() {
		if body, ok := r.(map[string]any); ok && body["Type"] == typ {
			delete(t.Resources(), id)
		}
	}
}

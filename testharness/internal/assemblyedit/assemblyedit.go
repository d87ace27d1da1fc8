// Package assemblyedit makes broken copies of a synthesized cloud assembly
// for tests that prove a wrong configuration fails as it would on AWS: a
// filter removed, a rule pointed at another bucket, a permission dropped.
package assemblyedit

import (
	"bytes"
	"encoding/json"
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

// Copy copies the assembly in src to a temporary directory, lets edit
// change each stack template, and returns the copy's directory. Asset
// directories are linked, not copied.
func Copy(tb testing.TB, src string, edit func(Template)) string {
	tb.Helper()
	dst := tb.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		tb.Fatalf("read cloud assembly: %v", err)
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		switch {
		case e.IsDir():
			abs, err := filepath.Abs(from)
			if err == nil {
				err = os.Symlink(abs, to)
			}
			if err != nil {
				tb.Fatalf("link asset %s: %v", e.Name(), err)
			}
		case strings.HasSuffix(e.Name(), ".template.json"):
			copyTemplate(tb, from, to, edit)
		default:
			data, err := os.ReadFile(from)
			if err == nil {
				err = os.WriteFile(to, data, 0o644)
			}
			if err != nil {
				tb.Fatalf("copy %s: %v", e.Name(), err)
			}
		}
	}
	return dst
}

func copyTemplate(tb testing.TB, from, to string, edit func(Template)) {
	tb.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		tb.Fatalf("read template: %v", err)
	}
	var t Template
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&t); err != nil {
		tb.Fatalf("decode template %s: %v", from, err)
	}
	edit(t)
	out, err := json.MarshalIndent(t, "", " ")
	if err != nil {
		tb.Fatalf("encode template: %v", err)
	}
	if err := os.WriteFile(to, out, 0o644); err != nil {
		tb.Fatalf("write template: %v", err)
	}
}

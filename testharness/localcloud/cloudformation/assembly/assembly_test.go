package assembly

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hash = "3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"

func TestLoad(t *testing.T) {
	a, err := Load("../testdata/assembly")
	if err != nil {
		t.Fatal(err)
	}
	s, err := a.Stack("")
	if err != nil || s.Name != "App" || s.DisplayName != "App" || !strings.Contains(string(s.Template), "Handler886CB40B") {
		t.Fatalf("stack %+v: %v", s, err)
	}
	if _, err := a.Stack("Other"); err == nil || !strings.Contains(err.Error(), `has no stack "Other" (stacks: App)`) {
		t.Errorf("unknown stack: %v", err)
	}
	want := filepath.Join(a.Dir, "asset."+hash)
	if got := a.Assets["cdk-hnb659fds-assets-000000000000-us-east-1/"+hash+".zip"]; got != want {
		t.Errorf("assets = %v, want %s", a.Assets, want)
	}
}

func TestLoadStackNameAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "manifest.json") {
		t.Errorf("missing manifest: %v", err)
	}
	write("manifest.json", `{"version": "48.0.0", "artifacts": {
		"A": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "A.template.json", "stackName": "named-a"}},
		"B": {"type": "aws:cloudformation:stack", "properties": {"templateFile": "B.template.json"}}}}`)
	write("A.template.json", `{"Resources": {}}`)
	write("B.template.json", `{"Resources": {}}`)
	a, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := a.Stack("A"); err != nil || s.Name != "named-a" {
		t.Errorf("stack A: %+v %v", s, err)
	}
	if _, err := a.Stack(""); err == nil || !strings.Contains(err.Error(), "has 2 stacks (named-a, B)") {
		t.Errorf("ambiguous: %v", err)
	}
}

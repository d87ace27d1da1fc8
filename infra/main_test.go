package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// The app is synthesized once per test run: jsii start-up and synthesis take
// seconds, and every test reads the same template.
var (
	synthStack    *AppStack
	synthAssembly cxapi.CloudAssembly
	synthTemplate template
)

// template is the synthesized CloudFormation template as plain JSON values.
type template struct {
	Resources map[string]resource
	Outputs   map[string]map[string]any
}

type resource struct {
	Type       string
	Properties map[string]any
	Metadata   map[string]any
	DependsOn  []string
}

func TestMain(m *testing.M) {
	code, err := synthesizeForTests(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "infra tests:", err)
		code = 1
	}
	jsii.Close()
	os.Exit(code)
}

func synthesizeForTests(m *testing.M) (int, error) {
	root, err := cdkgo.ModuleRoot()
	if err != nil {
		return 0, err
	}
	tmp, err := os.MkdirTemp("", "tracebridge-infra-test-")
	if err != nil {
		return 0, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(tmp)
	builder := &cdkgo.Builder{ModuleRoot: root, OutDir: filepath.Join(tmp, "build")}
	synthStack, synthAssembly, err = synthesize(filepath.Join(tmp, "cdk.out"), builder)
	if err != nil {
		return 0, fmt.Errorf("synthesize: %w", err)
	}
	artifact := synthAssembly.GetStackArtifact(synthStack.ArtifactId())
	raw, err := os.ReadFile(*artifact.TemplateFullPath())
	if err != nil {
		return 0, fmt.Errorf("read template: %w", err)
	}
	if err := json.Unmarshal(raw, &synthTemplate); err != nil {
		return 0, fmt.Errorf("decode template: %w", err)
	}
	return m.Run(), nil
}

// normalize turns a Go value into the plain JSON values a template decodes
// to, so expected values built in Go compare with reflect.DeepEqual.
func normalize(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %#v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("unmarshal %s: %v", raw, err)
	}
	return out
}

// resolved is v as it appears in the template: CDK tokens (bucket names,
// ARNs) become Ref and Fn::GetAtt.
func resolved(t *testing.T, v any) any {
	t.Helper()
	return normalize(t, synthStack.Resolve(v))
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	return reflect.DeepEqual(normalize(t, a), normalize(t, b))
}

func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	if !equalJSON(t, got, want) {
		gj, _ := json.MarshalIndent(got, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s:\n got %s\nwant %s", what, gj, wj)
	}
}

// resourcesOfType returns the template's resources of one type by logical id.
func resourcesOfType(typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range synthTemplate.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// onlyResource returns the single resource of typ, failing if there is not
// exactly one.
func onlyResource(t *testing.T, typ string) resource {
	t.Helper()
	rs := resourcesOfType(typ)
	if len(rs) != 1 {
		t.Fatalf("want exactly one %s, got %d", typ, len(rs))
	}
	var only resource
	for _, r := range rs {
		only = r
	}
	return only
}

// resourceOf returns the template resource of an L2 construct.
func resourceOf(t *testing.T, c constructs.IConstruct) resource {
	t.Helper()
	return resourceByID(t, cdkgo.LogicalID(c))
}

func resourceByID(t *testing.T, id string) resource {
	t.Helper()
	r, ok := synthTemplate.Resources[id]
	if !ok {
		t.Fatalf("resource %s not in the template", id)
	}
	return r
}

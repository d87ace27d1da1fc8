package lambda

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// The assets of testdata/assembly, by the hash its manifests name them
// with: a directory holding a bootstrap (Code.fromAsset of a folder), a
// .zip holding one (Code.fromAsset of a zip), and a directory holding a
// bootstrap for the architecture the host is not (a GoFunction bundled
// for arm64 on an amd64 machine).
const (
	dirAsset     = "5a1f0c3e9b7d2a4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f2a3b5c7d9e1f3a5b7c9d"
	zipAsset     = "7c2e4a6b8d0f1e3a5c7b9d1f2e4a6c8b0d2f4e6a8c1b3d5f7e9a2c4b6d8f0e1a"
	foreignAsset = "9e4b6d8f0a2c1e3b5d7f9a1c3e5b7d9f0b2d4f6a8c0e1b3d5f7a9c2e4b6d8f1a"
)

// testAssembly copies testdata/assembly and stages its assets, made from
// the test program as `cdk synth` stages a team's built functions.
func testAssembly(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("testdata/assembly")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join("testdata/assembly", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, e.Name()), data, 0o644)
	}
	bootstrap := testBootstrap(t)
	writeFile(t, filepath.Join(dir, "asset."+dirAsset, "bootstrap"), bootstrap.data, 0o755)
	writeFile(t, filepath.Join(dir, "asset."+zipAsset+".zip"), zipOf(t, bootstrap), 0o644)
	writeFile(t, filepath.Join(dir, "asset."+foreignAsset, "bootstrap"), foreignBootstrap(t).data, 0o755)
	return dir
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
}

// deployStack deploys one stack of an assembly with the CloudFormation
// engine over the harness's Lambda service.
func (h *harness) deployStack(t *testing.T, assemblyDir, stack string) (*cloudformation.StackResult, error) {
	t.Helper()
	engine := cloudformation.New(cloudformation.Options{Clock: clock.Real{}, Provisioners: h.svc.Provisioners()})
	t.Cleanup(engine.Close)
	return engine.Deploy(context.Background(), assemblyDir, cloudformation.DeployOptions{StackName: stack})
}

func TestAssemblyFunctionsRunTheirAssets(t *testing.T) {
	h := newHarness(t, clock.Real{})
	dir := testAssembly(t)
	res, err := h.deployStack(t, dir, "App")
	if err != nil {
		t.Fatal(err)
	}
	for output, wantRoot := range map[string]string{
		"DirFunctionName": filepath.Join(dir, "asset."+dirAsset),
		"ZipFunctionName": "", // unpacked, under the zip's hash
	} {
		out := invoke(t, h, res.Outputs[output], `{"message":"asset"}`)
		got := decode[echo](t, out.Payload)
		if out.FunctionError != nil || got.Message != "asset" || got.Env["STAGE"] != "local" {
			t.Fatalf("%s: %s", output, out.Payload)
		}
		root := got.Env["LAMBDA_TASK_ROOT"]
		if wantRoot == "" {
			zip, err := os.ReadFile(filepath.Join(dir, "asset."+zipAsset+".zip"))
			if err != nil {
				t.Fatal(err)
			}
			wantRoot = filepath.Join(filepath.Dir(root), hexSHA256(zip))
		}
		if root != wantRoot {
			t.Errorf("%s runs in %s, want %s", output, root, wantRoot)
		}
	}
}

// failedReason deploys a stack that must fail and returns the reason its
// one function failed with.
func failedReason(t *testing.T, h *harness, dir, stack, logicalID string) string {
	t.Helper()
	res, err := h.deployStack(t, dir, stack)
	var deployErr *cloudformation.DeployError
	if !errors.As(err, &deployErr) || res.Status != cloudformation.StatusRollbackComplete {
		t.Fatalf("deploy %s = %+v, %v; want a rolled back deployment", stack, res, err)
	}
	reason, ok := deployErr.FailedResources[logicalID]
	if !ok {
		t.Fatalf("failed resources %v, want %s", deployErr.FailedResources, logicalID)
	}
	return reason
}

func TestAssemblyFunctionOfAnotherRuntimeFailsItsDeployment(t *testing.T) {
	h := newHarness(t, clock.Real{})
	reason := failedReason(t, h, testAssembly(t), "Node", "NodeFunction4C3B2A1D")
	want := `Resource handler returned message: "NodeFunction4C3B2A1D: the local cloud runs provided.* runtimes with a bootstrap; nodejs20.x is not supported locally"`
	if reason != want {
		t.Errorf("reason %q, want %q", reason, want)
	}
}

func TestAssemblyBootstrapForAnotherArchitecture(t *testing.T) {
	h := newHarness(t, clock.Real{})
	dir := testAssembly(t)
	arch, _ := foreignArch()
	reason := failedReason(t, h, dir, "Foreign", "GoFunction7A6B5C4D")
	for _, part := range []string{
		"GoFunction7A6B5C4D: its bootstrap is a linux/" + arch + " executable and this host is " + hostPlatform,
		"give the resource the Metadata tracebridge:go-package",
		"or build the asset for " + hostPlatform,
	} {
		if !strings.Contains(reason, part) {
			t.Errorf("reason %q does not say %q", reason, part)
		}
	}

	// With the Go package named, the function is built for the host.
	res, err := h.deployStack(t, dir, "Rebuilt")
	if err != nil {
		t.Fatal(err)
	}
	if got := decode[echo](t, invoke(t, h, res.Outputs["FunctionName"], `{"message":"rebuilt"}`).Payload); got.Message != "rebuilt" {
		t.Fatalf("echo = %+v", got)
	}
}

// A function built from a generated main package (the harness functions'
// mains) names the package, which does not exist, and carries its
// main.go: the local cloud builds it for the host with go build -overlay.
func TestGeneratedMainFunctionIsBuiltFromItsSource(t *testing.T) {
	h := newHarness(t, clock.Real{})
	const main = `package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(context.Context, map[string]any) (map[string]string, error) {
		return map[string]string{"from": "generated main"}, nil
	})
}
`
	res, err := h.svc.Provisioners()["AWS::Lambda::Function"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "Generated", Type: "AWS::Lambda::Function",
		Properties: map[string]any{"Role": "arn:aws:iam::000000000000:role/fn-role", "Runtime": "provided.al2023", "Handler": "bootstrap"},
		Metadata: map[string]any{
			MetadataGoPackage: "./testharness/localcloud/lambda/testdata/_generated/fn",
			MetadataGoMain:    main,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	out := invoke(t, h, res.RefValue(), `{}`)
	if got := decode[map[string]string](t, out.Payload); out.FunctionError != nil || got["from"] != "generated main" {
		t.Errorf("invocation: %s", out.Payload)
	}
}

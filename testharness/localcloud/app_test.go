package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"os"
	"path"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// These tests deploy the app's real synthesized template, synthesized once
// per package run, and drive it through the real SDK clients.

var (
	moduleRoot string
	// assemblyDir is the synthesized app, with the deploy-time test run.
	assemblyDir string
	// appAssemblyDir is a copy without the test run: tests that drive the
	// app's flows themselves deploy it, and see only their own data.
	appAssemblyDir string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	if err := prepareAssembly(); err != nil {
		fmt.Fprintln(os.Stderr, "localcloud tests:", err)
		return 1
	}
	defer os.RemoveAll(appAssemblyDir)
	return m.Run()
}

// prepareAssembly synthesizes the app once and makes appAssemblyDir.
func prepareAssembly() error {
	root, err := synth.ModuleRoot(".")
	if err != nil {
		return err
	}
	synthesized := synth.DefaultAssemblyDir(root)
	if err := synth.Ensure(context.Background(), root, synthesized, os.Stderr); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "localcloud-app-")
	if err != nil {
		return err
	}
	moduleRoot, assemblyDir, appAssemblyDir = root, synthesized, dir
	return assemblyedit.CopyTo(synthesized, dir, func(t assemblyedit.Template) {
		t.RemoveResourcesOfType(testharness.TestRunResourceType)
	})
}

// app is the local cloud with one deployment of an assembly.
type app struct {
	cloud *localcloud.Cloud
	stack *cloudformation.StackResult
	cfg   aws.Config
}

// deployApp starts a local cloud and deploys dir, failing the test when
// the deployment fails.
func deployApp(t *testing.T, dir string) *app {
	t.Helper()
	return deployAppWith(t, dir, localcloud.Options{})
}

// deployAppWith is deployApp on a cloud started with opts.
func deployAppWith(t *testing.T, dir string, opts localcloud.Options) *app {
	t.Helper()
	opts.SourceRoot = moduleRoot
	cloud := localcloud.RunT(t, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, dir)
	if err != nil {
		t.Fatalf("deploy %s: %v", dir, err)
	}
	return &app{cloud: cloud, stack: stack, cfg: awstest.Config(t, cloud.Endpoint())}
}

func (a *app) output(t *testing.T, key string) string {
	t.Helper()
	v, ok := a.stack.Outputs[key]
	if !ok {
		t.Fatalf("stack has no output %s (outputs: %v)", key, a.stack.Outputs)
	}
	return v
}

func (a *app) s3Client() *s3.Client {
	return s3.NewFromConfig(a.cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// awaitEvents subscribes to a bus and returns the envelopes put on it.
func (a *app) awaitEvents(t *testing.T, bus string) <-chan []byte {
	t.Helper()
	ch := make(chan []byte, 64)
	cancel := a.cloud.EventBridge.Subscribe(bus, func(envelope []byte) {
		select {
		case ch <- envelope:
		default:
			t.Errorf("event subscriber of %s fell behind; dropped %s", bus, envelope)
		}
	})
	t.Cleanup(cancel)
	return ch
}

// envelope is the part of an EventBridge event these tests read.
type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

// nextEvent waits for the first event on ch that keep accepts.
func nextEvent(t *testing.T, ch <-chan []byte, what string, keep func(envelope) bool) envelope {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case raw := <-ch:
			var e envelope
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("event is not JSON: %v: %s", err, raw)
			}
			if keep(e) {
				return e
			}
		case <-deadline:
			t.Fatalf("no %s within 30s", what)
		}
	}
}

// pngOf returns a PNG image of the given size.
func pngOf(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestImageFlowWritesDimensionsAndCompletes(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	bucket := a.output(t, schemas.OutputBucketName)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))
	ctx := context.Background()

	key := "uploads/a photo ü.png"
	_, err := a.s3Client().PutObject(ctx, &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, Body: bytes.NewReader(pngOf(t, 172, 178)),
		ContentType: aws.String("image/png"),
		Metadata:    map[string]string{schemas.S3UserMetadataCorrelationID: "corr-image-1", "owner": "ada"},
	})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	e := nextEvent(t, completions, "ImageMetadataWritten", func(e envelope) bool {
		return e.Source == schemas.AppEventSource && bytes.Contains(e.Detail, []byte(`"corr-image-1"`))
	})
	if e.DetailType != schemas.DetailTypeImageMetadataWritten {
		t.Fatalf("completion %s: %s", e.DetailType, e.Detail)
	}
	var written schemas.ImageMetadataWritten
	if err := json.Unmarshal(e.Detail, &written); err != nil {
		t.Fatal(err)
	}
	if written.Bucket != bucket || written.Key != key || written.Width != 172 || written.Height != 178 || written.Format != "png" {
		t.Errorf("ImageMetadataWritten = %+v", written)
	}

	head, err := a.s3Client().HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("HeadObject: %v", err)
	}
	want := map[string]string{
		schemas.S3UserMetadataImageWidth: "172", schemas.S3UserMetadataImageHeight: "178",
		schemas.S3UserMetadataCorrelationID: "corr-image-1", "owner": "ada",
	}
	for k, v := range want {
		if head.Metadata[k] != v {
			t.Errorf("metadata %s = %q, want %q (all: %v)", k, head.Metadata[k], v, head.Metadata)
		}
	}
	if len(head.Metadata) != len(want) {
		t.Errorf("metadata = %v, want exactly %v", head.Metadata, want)
	}
	if aws.ToString(head.ContentType) != "image/png" {
		t.Errorf("content type = %q, want image/png", aws.ToString(head.ContentType))
	}
}

// functionLogGroup returns the log group a function of the stack writes
// to, found through the Lambda API as a user would.
func (a *app) functionLogGroup(t *testing.T, goPackage string) string {
	t.Helper()
	logicalID := functionLogicalID(t, goPackage)
	name, ok := a.stack.PhysicalIDs[logicalID]
	if !ok {
		t.Fatalf("stack has no resource %s", logicalID)
	}
	out, err := lambdasdk.NewFromConfig(a.cfg).GetFunction(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: &name})
	if err != nil {
		t.Fatalf("GetFunction %s: %v", name, err)
	}
	if out.Configuration.LoggingConfig == nil || out.Configuration.LoggingConfig.LogGroup == nil {
		t.Fatalf("function %s has no log group", name)
	}
	return *out.Configuration.LoggingConfig.LogGroup
}

// logMessages returns every message of a log group matching pattern.
func (a *app) logMessages(t *testing.T, group, pattern string) []string {
	t.Helper()
	var out []string
	p := cloudwatchlogs.NewFilterLogEventsPaginator(cloudwatchlogs.NewFromConfig(a.cfg), &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: &group, FilterPattern: &pattern,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("FilterLogEvents %s %q: %v", group, pattern, err)
		}
		for _, e := range page.Events {
			out = append(out, aws.ToString(e.Message))
		}
	}
	return out
}

// Go packages of the app's functions, as their template Metadata names them.
const (
	imageFunctionPackage = "./handlers/imagemetadata"
	auditFunctionPackage = "./handlers/auditlog"
)

// functionLogicalID finds the function built from a Go package in the
// app's template, so tests do not depend on CDK's generated ids. It
// compares packages by name (their last element), as roleOwners names
// roles: "teststarter" is the starter's main, which the harness construct
// generates under the suite.
func functionLogicalID(t *testing.T, goPackage string) string {
	t.Helper()
	tmpl := assemblyedit.Read(t, appAssemblyDir)
	for id, r := range tmpl.Resources() {
		body, _ := r.(map[string]any)
		meta, _ := body["Metadata"].(map[string]any)
		pkg, _ := meta[lambda.MetadataGoPackage].(string)
		if body["Type"] == "AWS::Lambda::Function" && pkg != "" && path.Base(pkg) == path.Base(goPackage) {
			return id
		}
	}
	t.Fatalf("no function of the template is built from %s", goPackage)
	return ""
}

// awaitLogMessages waits until a log group holds at least one message
// matching pattern and returns them all, re-checking on every new event.
func (a *app) awaitLogMessages(t *testing.T, group, pattern string) []string {
	t.Helper()
	arrived := make(chan struct{}, 1)
	cancel := a.cloud.Logs.Subscribe(group, func(logs.Event) {
		select {
		case arrived <- struct{}{}:
		default:
		}
	})
	defer cancel()
	deadline := time.After(30 * time.Second)
	for {
		if msgs := a.logMessages(t, group, pattern); len(msgs) > 0 {
			return msgs
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("no message matching %q in %s within 30s", pattern, group)
		}
	}
}

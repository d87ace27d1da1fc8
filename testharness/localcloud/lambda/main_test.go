package lambda

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/build"
)

// testPackage is the handler program the tests run.
const testPackage = "./testharness/localcloud/lambda/testdata/testfn"

var (
	moduleRoot string
	testBinDir string // holds the testfn bootstrap, built once per run
)

func TestMain(m *testing.M) {
	os.Exit(func() int {
		root, err := findModuleRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		moduleRoot = root
		out, err := os.MkdirTemp("", "lambda-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(out)
		bin, err := build.New(root, out).Build(context.Background(), testPackage)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		testBinDir = filepath.Dir(bin)
		return m.Run()
	}())
}

func findModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test directory")
		}
		dir = parent
	}
}

// harness is a Lambda service behind a gateway, with a real SDK client.
type harness struct {
	svc    *Service
	client *lambdasdk.Client
	ids    *identity.Store
	logs   *logRecorder
	dests  *destinationRecorder
	traces *traceRecorder
	// objects are the deployment packages the service finds in "S3".
	objects s3Objects
}

func newHarness(t testing.TB, clk clock.Clock) *harness {
	t.Helper()
	h := &harness{ids: identity.NewStore(), logs: &logRecorder{}, dests: newDestinationRecorder(), traces: &traceRecorder{}, objects: s3Objects{}}
	h.svc = New(Options{
		Clock: clk, Credentials: h.ids, SourceRoot: moduleRoot, Logs: h.logs, Destinations: h.dests, Tracer: h.traces, CodeObjects: h.objects,
		EndpointURL: "http://127.0.0.1:4566", XRayDaemonAddress: "127.0.0.1:2000",
	})
	g := gateway.New(h.ids)
	g.Register(h.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := h.svc.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
		srv.Close()
	})
	h.client = lambdasdk.NewFromConfig(awstest.Config(t, srv.URL))
	return h
}

// deploy creates a function the way CloudFormation would, running the
// test program through tracebridge:code-dir, and returns its name.
func (h *harness) deploy(t testing.TB, logicalID string, properties map[string]any) string {
	t.Helper()
	props := map[string]any{"Role": "arn:aws:iam::000000000000:role/fn-role", "Runtime": "provided.al2023", "Handler": "bootstrap"}
	for k, v := range properties {
		props[k] = v
	}
	res, err := h.svc.Provisioners()["AWS::Lambda::Function"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: logicalID, Type: "AWS::Lambda::Function",
		Properties: props, Metadata: map[string]any{MetadataCodeDir: testBinDir},
	})
	if err != nil {
		t.Fatalf("create %s: %v", logicalID, err)
	}
	return res.RefValue()
}

// waitForTimers waits, without polling, until code under test is blocked
// on n timers of the fake clock.
func waitForTimers(t *testing.T, fake *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForWaiters(ctx, n); err != nil {
		t.Fatalf("waiting for %d timers on the fake clock: %v", n, err)
	}
}

// pids lists a function's live processes.
func (h *harness) pids(t *testing.T, name string) []int {
	t.Helper()
	fn, err := h.svc.lookup(name, "")
	if err != nil {
		t.Fatal(err)
	}
	fn.pool.mu.Lock()
	defer fn.pool.mu.Unlock()
	var out []int
	for proc := range fn.pool.all {
		if proc.alive() {
			out = append(out, proc.pid)
		}
	}
	return out
}

type logRecorder struct {
	mu      sync.Mutex
	events  []recordedLog
	written chan struct{} // closed and replaced on every Write
}

// awaitMessage waits, without polling, until a written message contains
// text.
func (r *logRecorder) awaitMessage(t *testing.T, text string) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		if r.written == nil {
			r.written = make(chan struct{})
		}
		written := r.written
		for _, e := range r.events {
			if strings.Contains(e.message, text) {
				r.mu.Unlock()
				return
			}
		}
		r.mu.Unlock()
		select {
		case <-written:
		case <-deadline:
			t.Fatalf("no log message containing %q within 10s", text)
		}
	}
}

type recordedLog struct{ group, stream, message string }

func (r *logRecorder) Write(_ context.Context, group, stream string, events []LogEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range events {
		r.events = append(r.events, recordedLog{group, stream, e.Message})
	}
	if r.written != nil {
		close(r.written)
		r.written = nil
	}
}

func (r *logRecorder) snapshot() []recordedLog {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recordedLog(nil), r.events...)
}

type destinationRecorder struct {
	records chan sentRecord
}

type sentRecord struct {
	arn    string
	record DestinationRecord
}

func newDestinationRecorder() *destinationRecorder {
	return &destinationRecorder{records: make(chan sentRecord, 16)}
}

func (d *destinationRecorder) SendInvocationRecord(_ context.Context, arn string, rec DestinationRecord) error {
	d.records <- sentRecord{arn, rec}
	return nil
}

type traceRecorder struct {
	mu      sync.Mutex
	records []InvocationRecord
}

func (r *traceRecorder) TraceInvocation(_ context.Context, rec InvocationRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec)
}

func (r *traceRecorder) snapshot() []InvocationRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]InvocationRecord(nil), r.records...)
}

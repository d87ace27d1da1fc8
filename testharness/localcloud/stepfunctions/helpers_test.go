package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

const (
	waitLimit = 5 * time.Second
	roleArn   = "arn:aws:iam::000000000000:role/MachineRole"
)

// fixture is the service behind a gateway, driven by the real sfn client,
// with recording fakes for its integrations.
type fixture struct {
	svc    *Service
	client *sfn.Client
	store  *identity.Store
	gw     *gateway.Gateway
	url    string
	lambda *fakeLambda
	events *fakeEvents
	sdk    *fakeSDK
	tracer *fakeTracer
}

// newFixture builds a fixture; configure may change the options (its
// argument has the fakes already set) before the service is made.
func newFixture(t testing.TB, configure ...func(f *fixture, o *Options)) *fixture {
	t.Helper()
	f := &fixture{store: identity.NewStore(), lambda: &fakeLambda{}, events: &fakeEvents{}, sdk: &fakeSDK{}, tracer: &fakeTracer{}}
	f.gw = gateway.New(f.store)
	srv := httptest.NewServer(f.gw)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	opts := Options{Roles: f.store, Lambda: f.lambda, Events: f.events, AWS: f.sdk, Tracer: f.tracer}
	for _, c := range configure {
		c(f, &opts)
	}
	f.svc = New(opts)
	t.Cleanup(f.svc.Close)
	f.gw.Register(f.svc.Route())
	f.client = sfn.NewFromConfig(awstest.Config(t, srv.URL), func(o *sfn.Options) {
		// StartSyncExecution's "sync-" host prefix cannot reach a loopback
		// endpoint.
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Initialize.Add(middleware.InitializeMiddlewareFunc("noHostPrefix",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
				}), middleware.Before)
		})
	})
	return f
}

// create makes a state machine from a definition and returns its ARN.
func (f *fixture) create(t testing.TB, name, def string, typ types.StateMachineType) string {
	t.Helper()
	out, err := f.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String(name), Definition: aws.String(def), RoleArn: aws.String(roleArn), Type: typ})
	if err != nil {
		t.Fatalf("CreateStateMachine %s: %v", name, err)
	}
	return *out.StateMachineArn
}

// run starts an execution and waits for its end.
func (f *fixture) run(t testing.TB, smArn, input string) ExecutionResult {
	t.Helper()
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String(input)})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	return f.wait(t, *out.ExecutionArn)
}

func (f *fixture) wait(t testing.TB, execArn string) ExecutionResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	r, err := f.svc.WaitExecution(ctx, execArn)
	if err != nil {
		t.Fatalf("WaitExecution: %v", err)
	}
	return r
}

// historyTypes lists an execution's event types through the API.
func (f *fixture) historyTypes(t testing.TB, execArn string) []string {
	t.Helper()
	out, err := f.client.GetExecutionHistory(context.Background(), &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(execArn), MaxResults: 1000})
	if err != nil {
		t.Fatalf("GetExecutionHistory: %v", err)
	}
	names := make([]string, len(out.Events))
	for i, ev := range out.Events {
		names[i] = string(ev.Type)
	}
	return names
}

// wantAPIError checks that err is an API error with code and a message
// containing msg.
func wantAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Fatalf("error = %s: %q, want %s containing %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

// waitForTimers waits, without polling, until code under test is blocked
// on n timers of the fake clock.
func waitForTimers(t testing.TB, fake *clock.Fake, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := fake.WaitForWaiters(ctx, n); err != nil {
		t.Fatalf("waiting for %d timers on the fake clock: %v", n, err)
	}
}

type lambdaCall struct {
	Function  string
	Payload   string
	Opts      LambdaInvokeOptions
	Principal identity.Principal
}

// fakeLambda records invocations and answers with handle (echo by
// default).
type fakeLambda struct {
	mu     sync.Mutex
	calls  []lambdaCall
	handle func(fn string, payload []byte) (LambdaResult, error)
}

func (l *fakeLambda) Invoke(ctx context.Context, fn string, payload []byte, opts LambdaInvokeOptions) (LambdaResult, error) {
	l.mu.Lock()
	l.calls = append(l.calls, lambdaCall{Function: fn, Payload: string(payload), Opts: opts, Principal: identity.FromContext(ctx)})
	h := l.handle
	l.mu.Unlock()
	if h == nil {
		return LambdaResult{Payload: payload}, nil
	}
	return h(fn, payload)
}

func (l *fakeLambda) Calls() []lambdaCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]lambdaCall(nil), l.calls...)
}

// fakeEvents records PutEvents entries and gives each an id.
type fakeEvents struct {
	mu      sync.Mutex
	entries []EventEntry
}

func (e *fakeEvents) PutEvents(_ context.Context, entries []EventEntry) ([]EventResult, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]EventResult, len(entries))
	for i, en := range entries {
		e.entries = append(e.entries, en)
		out[i] = EventResult{EventID: "event-" + string(rune('a'+len(e.entries)-1))}
		if en.Source == "" {
			out[i] = EventResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid."}
		}
	}
	return out, nil
}

type sdkCall struct {
	Service, Action string
	Params          string
	Principal       identity.Principal
}

// fakeSDK records calls and answers with handle.
type fakeSDK struct {
	mu     sync.Mutex
	calls  []sdkCall
	handle func(service, action string, params json.RawMessage) (json.RawMessage, error)
}

func (c *fakeSDK) Call(ctx context.Context, service, action string, params json.RawMessage) (json.RawMessage, error) {
	c.mu.Lock()
	c.calls = append(c.calls, sdkCall{Service: service, Action: action, Params: string(params), Principal: identity.FromContext(ctx)})
	h := c.handle
	c.mu.Unlock()
	if h == nil {
		return json.RawMessage("{}"), nil
	}
	return h(service, action, params)
}

func (c *fakeSDK) Calls() []sdkCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]sdkCall(nil), c.calls...)
}

type fakeTracer struct {
	mu     sync.Mutex
	traces []ExecutionTrace
}

func (tr *fakeTracer) TraceExecution(rec ExecutionTrace) {
	tr.mu.Lock()
	tr.traces = append(tr.traces, rec)
	tr.mu.Unlock()
}

func (tr *fakeTracer) Traces() []ExecutionTrace {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]ExecutionTrace(nil), tr.traces...)
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func lambdaNotFound() error {
	return awsproto.Errorf("ResourceNotFoundException", 404, "Function not found: fn")
}

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// autoClock runs the service on a fake clock that jumps to each pending
// deadline, so Wait states and retry intervals take no real time.
func autoClock(t testing.TB) func(*fixture, *Options) {
	return func(_ *fixture, o *Options) {
		c := clock.NewFake(t0)
		ctx, cancel := context.WithCancel(context.Background())
		t.Cleanup(cancel)
		go c.AutoAdvance(ctx)
		o.Clock = c
	}
}

func fmtDef(format string, args ...any) string { return fmt.Sprintf(format, args...) }

var sfntypesTracing = types.TracingConfiguration{Enabled: true}

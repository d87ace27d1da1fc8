package pipes

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/pipes"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

const (
	roleARN   = "arn:aws:iam::000000000000:role/PipeRole"
	fnARN     = "arn:aws:lambda:us-east-1:000000000000:function:audit"
	dlqARN    = "arn:aws:sqs:us-east-1:000000000000:pipe-dlq"
	busARN    = "arn:aws:events:us-east-1:000000000000:event-bus/app"
	smARN     = "arn:aws:states:us-east-1:000000000000:stateMachine:audit"
	deadline  = 5 * time.Second
	tableName = "Users"
)

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// armedClock is a fake clock that reports every timer a pipe arms, so a
// test advances time exactly when the pipe waits on it.
type armedClock struct {
	*clock.Fake
	armed chan time.Duration
}

func (c *armedClock) After(d time.Duration) <-chan time.Time {
	ch := c.Fake.After(d)
	c.armed <- d
	return ch
}

func (c *armedClock) Timer(d time.Duration) (<-chan time.Time, func()) {
	ch, stop := c.Fake.Timer(d)
	c.armed <- d
	return ch, stop
}

// call is one invocation a fake received.
type call struct {
	arn       string
	payload   []byte
	async     bool
	principal identity.Principal
}

// fakeFunctions records invocations and answers with respond.
type fakeFunctions struct {
	calls   chan call
	mu      sync.Mutex
	respond func(payload []byte) InvokeResult
}

func (f *fakeFunctions) Invoke(ctx context.Context, a string, payload []byte) (InvokeResult, error) {
	f.calls <- call{arn: a, payload: payload, principal: identity.FromContext(ctx)}
	f.mu.Lock()
	respond := f.respond
	f.mu.Unlock()
	if respond == nil {
		return InvokeResult{Payload: []byte("null")}, nil
	}
	return respond(payload), nil
}

func (f *fakeFunctions) InvokeAsync(ctx context.Context, a string, payload []byte) error {
	f.calls <- call{arn: a, payload: payload, async: true, principal: identity.FromContext(ctx)}
	return nil
}

type fakeQueues struct{ sent chan string }

func (q *fakeQueues) SendMessage(_ context.Context, a, body string) error {
	q.sent <- body
	return nil
}

type fakeEvents struct{ put chan []EventEntry }

func (e *fakeEvents) PutEvents(_ context.Context, entries []EventEntry) error {
	e.put <- entries
	return nil
}

type fakeExecutions struct{ calls chan call }

func (x *fakeExecutions) StartExecution(ctx context.Context, a string, input []byte) error {
	x.calls <- call{arn: a, payload: input, async: true}
	return nil
}

func (x *fakeExecutions) StartSyncExecution(ctx context.Context, a string, input []byte) ([]byte, bool, error) {
	x.calls <- call{arn: a, payload: input}
	return []byte(`{}`), false, nil
}

type fixture struct {
	svc       *Service
	streams   *dynamodbstreams.Service
	clock     *armedClock
	functions *fakeFunctions
	queues    *fakeQueues
	events    *fakeEvents
	exec      *fakeExecutions
	streamARN string
	client    *pipes.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fc := &armedClock{Fake: clock.NewFake(epoch), armed: make(chan time.Duration, 100)}
	streams := dynamodbstreams.New(dynamodbstreams.Options{Clock: fc.Fake})
	streamARN, err := streams.EnableStream(context.Background(), dynamodbstreams.StreamSpec{TableName: tableName, StreamViewType: dynamodbstreams.NewAndOldImages})
	if err != nil {
		t.Fatal(err)
	}
	ids := identity.NewStore()
	f := &fixture{streams: streams, clock: fc, streamARN: streamARN,
		functions: &fakeFunctions{calls: make(chan call, 100)},
		queues:    &fakeQueues{sent: make(chan string, 100)},
		events:    &fakeEvents{put: make(chan []EventEntry, 100)},
		exec:      &fakeExecutions{calls: make(chan call, 100)}}
	f.svc = New(Options{Clock: fc, Streams: streams, Functions: f.functions, Queues: f.queues,
		Events: f.events, Executions: f.exec, Roles: ids})
	t.Cleanup(f.svc.Close)
	g := gateway.New(ids)
	g.Register(f.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	f.client = pipes.NewFromConfig(awstest.Config(t, srv.URL))
	return f
}

// spec is a pipe from the fixture's stream to the audit function.
func (f *fixture) spec(name string, filters ...string) Spec {
	s := Spec{Name: name, RoleArn: roleARN, Source: f.streamARN, Target: fnARN,
		SourceParameters: &SourceParameters{DynamoDBStreamParameters: &DynamoDBStreamParameters{StartingPosition: "TRIM_HORIZON"}}}
	for _, p := range filters {
		if s.SourceParameters.FilterCriteria == nil {
			s.SourceParameters.FilterCriteria = &FilterCriteria{}
		}
		s.SourceParameters.FilterCriteria.Filters = append(s.SourceParameters.FilterCriteria.Filters, Filter{Pattern: p})
	}
	return s
}

func (f *fixture) create(t *testing.T, s Spec) Description {
	t.Helper()
	d, err := f.svc.CreatePipe(context.Background(), s)
	if err != nil {
		t.Fatalf("CreatePipe: %v", err)
	}
	return d
}

func (f *fixture) write(t *testing.T, event, pk string) {
	t.Helper()
	keys := `{"PK":{"S":"` + pk + `"},"SK":{"S":"PROFILE"}}`
	img := `{"PK":{"S":"` + pk + `"},"SK":{"S":"PROFILE"},"correlationId":{"S":"c-1"}}`
	c := dynamodbstreams.Change{StreamARN: f.streamARN, EventName: event, Keys: []byte(keys), SizeBytes: 60}
	if event != "REMOVE" {
		c.NewImage = []byte(img)
	}
	if event != "INSERT" {
		c.OldImage = []byte(img)
	}
	if err := f.streams.Append(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next invocation of the fake functions.
func (f *fixture) next(t *testing.T) call {
	t.Helper()
	select {
	case c := <-f.functions.calls:
		return c
	case <-time.After(deadline):
		t.Fatal("no invocation before the deadline")
		return call{}
	}
}

// batch decodes an invocation payload, which must be a bare JSON array.
func batch(t *testing.T, c call) []map[string]any {
	t.Helper()
	var recs []map[string]any
	if err := json.Unmarshal(c.payload, &recs); err != nil {
		t.Fatalf("payload is not a JSON array: %v: %s", err, c.payload)
	}
	return recs
}

func pkOf(r map[string]any) string {
	return r["dynamodb"].(map[string]any)["Keys"].(map[string]any)["PK"].(map[string]any)["S"].(string)
}

func pks(t *testing.T, c call) []string {
	var out []string
	for _, r := range batch(t, c) {
		out = append(out, pkOf(r))
	}
	return out
}

// advanceWhenArmed waits for the pipe to arm a timer and moves the clock
// past it.
func (f *fixture) advanceWhenArmed(t *testing.T) time.Duration {
	t.Helper()
	select {
	case d := <-f.clock.armed:
		f.clock.Advance(d)
		return d
	case <-time.After(deadline):
		t.Fatal("the pipe armed no timer before the deadline")
		return 0
	}
}

func (f *fixture) noInvocation(t *testing.T) {
	t.Helper()
	select {
	case c := <-f.functions.calls:
		t.Fatalf("unexpected invocation %s", c.payload)
	default:
	}
}

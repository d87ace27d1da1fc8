package eventbridge

import (
	"context"
	"errors"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

const waitLimit = 5 * time.Second

var t0 = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// fixture is a service behind a gateway, a real SDK client, recorders for
// its targets and a fake clock.
type fixture struct {
	svc      *Service
	client   *eventbridge.Client
	clock    *clock.Fake
	lambda   *lambdaRecorder
	sqs      *queueRecorder
	failures chan DeliveryFailure
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureWith(t, Options{})
}

// newFixtureWith is newFixture with o's limits and faults.
func newFixtureWith(t *testing.T, o Options) *fixture {
	t.Helper()
	f := &fixture{clock: clock.NewFake(t0), lambda: newLambdaRecorder(), sqs: &queueRecorder{msgs: make(chan queueCall, 100)},
		failures: make(chan DeliveryFailure, 100)}
	f.svc = New(Options{Clock: f.clock, Lambda: f.lambda, SQS: f.sqs, MaxArchiveBytes: o.MaxArchiveBytes, Faults: o.Faults,
		OnDeliveryFailure: func(d DeliveryFailure) { f.failures <- d }})
	t.Cleanup(f.svc.Close)
	g := gateway.New(identity.NewStore())
	g.Register(f.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	f.client = eventbridge.NewFromConfig(awstest.Config(t, srv.URL))
	return f
}

type lambdaCall struct {
	ARN     string
	Payload string
	Opts    AsyncInvokeOptions
}

// lambdaRecorder records invocations; fail, when set, decides each
// invocation's error.
type lambdaRecorder struct {
	calls chan lambdaCall
	mu    sync.Mutex
	fail  func(arn string) error
}

func newLambdaRecorder() *lambdaRecorder { return &lambdaRecorder{calls: make(chan lambdaCall, 1000)} }

func (l *lambdaRecorder) failWith(fn func(arn string) error) {
	l.mu.Lock()
	l.fail = fn
	l.mu.Unlock()
}

func (l *lambdaRecorder) InvokeAsync(_ context.Context, arn string, payload []byte, opts AsyncInvokeOptions) error {
	l.calls <- lambdaCall{ARN: arn, Payload: string(payload), Opts: opts}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail != nil {
		return l.fail(arn)
	}
	return nil
}

type queueCall struct {
	ARN string
	Msg QueueMessage
}

type queueRecorder struct{ msgs chan queueCall }

func (q *queueRecorder) SendMessage(_ context.Context, arn string, m QueueMessage) error {
	q.msgs <- queueCall{ARN: arn, Msg: m}
	return nil
}

// recv waits for a value with a deadline.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		var zero T
		t.Fatalf("nothing received within %v", waitLimit)
		return zero
	}
}

// none checks that a channel holds nothing; call it after Flush.
func none[T any](t *testing.T, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("unexpected %s: %+v", what, v)
	default:
	}
}

// eventually waits until cond holds, with a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		runtime.Gosched()
		<-time.After(100 * time.Microsecond)
	}
}

func (f *fixture) flush(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := f.svc.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

// rule creates a rule on bus with one target.
func (f *fixture) rule(t *testing.T, bus, name, pattern string, target types.Target) string {
	t.Helper()
	ctx := context.Background()
	out, err := f.client.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(name), EventBusName: aws.String(bus),
		EventPattern: aws.String(pattern)})
	if err != nil {
		t.Fatalf("PutRule %s: %v", name, err)
	}
	if target.Id == nil {
		return *out.RuleArn
	}
	res, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String(name), EventBusName: aws.String(bus),
		Targets: []types.Target{target}})
	if err != nil || res.FailedEntryCount != 0 {
		t.Fatalf("PutTargets %s: %v %+v", name, err, res)
	}
	return *out.RuleArn
}

func (f *fixture) put(t *testing.T, entries ...types.PutEventsRequestEntry) *eventbridge.PutEventsOutput {
	t.Helper()
	out, err := f.client.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		t.Fatalf("PutEvents: %v", err)
	}
	return out
}

// apiError asserts err is an AWS error with code and message.
func apiError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an API error, want %s", err, code)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("error = %s: %q, want %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

func entry(source, detailType, detail string) types.PutEventsRequestEntry {
	return types.PutEventsRequestEntry{Source: aws.String(source), DetailType: aws.String(detailType), Detail: aws.String(detail)}
}

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"

func lambdaTarget(id string) types.Target {
	return types.Target{Id: aws.String(id), Arn: aws.String(fnARN)}
}

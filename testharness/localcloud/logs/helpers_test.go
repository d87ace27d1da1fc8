package logs_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// start is the fake clock's time in every test.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	svc    *logs.Service
	client *cwl.Client
	clock  *clock.Fake
	ctx    context.Context
}

// newEnv starts the service behind a gateway on an httptest server and
// returns a real SDK client for it.
func newEnv(t testing.TB, opts logs.Options) *env {
	t.Helper()
	fake := clock.NewFake(start)
	opts.Clock = fake
	svc, client := serve(t, opts)
	return &env{svc: svc, client: client, clock: fake, ctx: context.Background()}
}

// serve starts a service on opts behind a gateway.
func serve(t testing.TB, opts logs.Options) (*logs.Service, *cwl.Client) {
	t.Helper()
	svc := logs.New(opts)
	g := gateway.New(identity.NewStore())
	g.Register(svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return svc, cwl.NewFromConfig(awstest.Config(t, srv.URL))
}

// ms is the fake clock's time plus d, in epoch milliseconds.
func ms(d time.Duration) int64 { return start.Add(d).UnixMilli() }

func (e *env) mustGroupStream(t testing.TB, group string, streams ...string) {
	t.Helper()
	if _, err := e.client.CreateLogGroup(e.ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatalf("CreateLogGroup %s: %v", group, err)
	}
	for _, s := range streams {
		if _, err := e.client.CreateLogStream(e.ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatalf("CreateLogStream %s: %v", s, err)
		}
	}
}

// put writes events given as (offset from start, message) pairs.
func (e *env) put(t testing.TB, group, stream string, events ...types.InputLogEvent) *cwl.PutLogEventsOutput {
	t.Helper()
	out, err := e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String(group),
		LogStreamName: aws.String(stream), LogEvents: events})
	if err != nil {
		t.Fatalf("PutLogEvents: %v", err)
	}
	return out
}

func ev(offset time.Duration, msg string) types.InputLogEvent {
	return types.InputLogEvent{Timestamp: aws.Int64(ms(offset)), Message: aws.String(msg)}
}

// wantAPIError checks an SDK error's code and, when msg is not "", its
// message.
func wantAPIError(t testing.TB, err error, code, msg string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want %s error, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || (msg != "" && apiErr.ErrorMessage() != msg) {
		t.Fatalf("got %s: %q; want %s: %q", apiErr.ErrorCode(), apiErr.ErrorMessage(), code, msg)
	}
}

func messages(events []types.OutputLogEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = aws.ToString(e.Message)
	}
	return out
}

func filteredMessages(events []types.FilteredLogEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = aws.ToString(e.Message)
	}
	return out
}

func asStatus(err error, target *interface{ HTTPStatusCode() int }) bool {
	return errors.As(err, target)
}

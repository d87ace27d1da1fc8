package sqs_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sqs"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// watchedClock is a fake clock that reports each timer taken, so a test
// knows a long poll is blocked before it acts.
type watchedClock struct {
	*clock.Fake
	timers chan time.Duration
}

func (c *watchedClock) After(d time.Duration) <-chan time.Time {
	ch := c.Fake.After(d)
	select {
	case c.timers <- d:
	default:
	}
	return ch
}

// awaitTimer waits until the service has taken a timer of d.
func (c *watchedClock) awaitTimer(t *testing.T, d time.Duration) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case got := <-c.timers:
			if got == d {
				return
			}
		case <-deadline:
			t.Fatalf("no timer of %v taken", d)
		}
	}
}

type env struct {
	svc    *sqs.Service
	client *awssqs.Client
	clock  *watchedClock
	url    string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{clock: &watchedClock{Fake: clock.NewFake(start), timers: make(chan time.Duration, 16)}}
	e.svc = sqs.New(sqs.Options{Clock: e.clock, Endpoint: "http://localhost:4566"})
	g := gateway.New(identity.NewStore())
	g.Register(e.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = awssqs.NewFromConfig(awstest.Config(t, srv.URL))
	return e
}

func (e *env) queue(t testing.TB, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.client.CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want error %s, got %s: %s", code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

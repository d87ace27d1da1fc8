package xray

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	awsxray "github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// env is a local X-Ray behind a gateway, with a real SDK client.
type env struct {
	svc    *Service
	client *awsxray.Client
}

func newEnv(t *testing.T, c clock.Clock) *env {
	t.Helper()
	return newEnvWith(t, Options{Clock: c})
}

func newEnvWith(t *testing.T, o Options) *env {
	t.Helper()
	svc := New(o)
	t.Cleanup(func() { _ = svc.Close() })
	g := gateway.New(identity.NewStore())
	g.Register(svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return &env{svc: svc, client: awsxray.NewFromConfig(awstest.Config(t, srv.URL))}
}

// awaiter collects OnSegment notifications so a test waits for documents
// instead of sleeping.
type awaiter struct {
	ch     chan string
	cancel func()
}

func (e *env) await(t *testing.T) *awaiter {
	t.Helper()
	a := &awaiter{ch: make(chan string, 1<<16)}
	a.cancel = e.svc.OnSegment(func(id string) {
		select {
		case a.ch <- id:
		default:
		}
	})
	t.Cleanup(a.cancel)
	return a
}

// wait blocks until cond holds, re-checking after each stored document,
// or fails the test after a deadline.
func (a *awaiter) wait(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for !cond() {
		select {
		case <-a.ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// window is a GetTraceSummaries time window around now.
func window() (start, end *time.Time) {
	s, e := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	return &s, &e
}

func ctx() context.Context { return context.Background() }

package eventschemas_test

import (
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	awsschemas "github.com/aws/aws-sdk-go-v2/service/schemas"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventschemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	svc    *eventschemas.Service
	client *awsschemas.Client
	clock  *clock.Fake
	url    string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{clock: clock.NewFake(start)}
	e.svc = eventschemas.New(eventschemas.Options{Clock: e.clock})
	g := gateway.New(identity.NewStore())
	g.Register(e.svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = awsschemas.NewFromConfig(awstest.Config(t, srv.URL))
	return e
}

// wantError checks an API error's code and, when message is not "", its
// exact message.
func wantError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || message != "" && apiErr.ErrorMessage() != message {
		t.Fatalf("want %s %q, got %s %q", code, message, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

package s3_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
)

// recorder is the EventPublisher of the tests: it keeps what S3 sent.
type recorder struct {
	mu     sync.Mutex
	events []s3.Event
}

func (r *recorder) PublishEvent(_ context.Context, e s3.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	return nil
}

func (r *recorder) take() []s3.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

type env struct {
	svc    *s3.Service
	client *awss3.Client
	events *recorder
	clock  *clock.Fake
	url    string
}

// newEnv serves a fresh S3 behind the gateway and returns a path-style
// SDK client for it.
func newEnv(t testing.TB) *env { return serveEnv(t, false) }

// newSignedEnv is newEnv with SigV4 verification on, as the local cloud
// serves S3, for tests of what a signed request may cost the server.
func newSignedEnv(t testing.TB) *env { return serveEnv(t, true) }

func serveEnv(t testing.TB, signed bool) *env {
	t.Helper()
	e := &env{events: &recorder{}, clock: clock.NewFake(start)}
	e.svc = s3.New(s3.Options{Clock: e.clock, Events: e.events})
	store := identity.NewStore()
	g := gateway.New(store)
	g.Register(e.svc.Route())
	if signed {
		g.Secure(gateway.Security{Keys: store, Region: arn.Region})
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = awss3.NewFromConfig(awstest.Config(t, srv.URL), func(o *awss3.Options) { o.UsePathStyle = true; o.DisableLogOutputChecksumValidationSkipped = true })
	return e
}

func (e *env) bucket(t testing.TB, name string) {
	t.Helper()
	if _, err := e.client.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// wantCode asserts err is the AWS error code, from the SDK or the Go API.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var local *awsproto.Error
	if errors.As(err, &local) {
		if local.Code != code {
			t.Fatalf("want error %s, got %v", code, err)
		}
		return
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code {
		t.Fatalf("want error %s, got %s: %s", code, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
}

func decodeCDKNotification(js string) (s3.NotificationConfiguration, error) {
	var cfg s3.NotificationConfiguration
	err := json.Unmarshal([]byte(js), &cfg)
	return cfg, err
}

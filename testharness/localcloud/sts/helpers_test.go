package sts_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssts "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sts"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// roles is a RoleLookup over a fixed set of role ARNs.
type roles map[string]bool

func (r roles) RoleExists(_ context.Context, roleARN string) bool { return r[roleARN] }

const (
	appRole     = "arn:aws:iam::000000000000:role/AppFunctionRole"
	servicePath = "arn:aws:iam::000000000000:role/service-role/PipeRole"
)

type env struct {
	svc    *sts.Service
	client *awssts.Client
	cfg    aws.Config
}

func newEnv(t testing.TB) *env {
	t.Helper()
	store := identity.NewStore()
	svc := sts.New(sts.Options{Clock: clock.NewFake(start), Identities: store, Roles: roles{appRole: true, servicePath: true}})
	g := gateway.New(store)
	g.Register(svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	cfg := awstest.Config(t, srv.URL)
	return &env{svc: svc, client: awssts.NewFromConfig(cfg), cfg: cfg}
}

// as returns a client that signs with credentials the local STS issued.
func (e *env) as(c identity.Credentials) *awssts.Client {
	return awssts.NewFromConfig(e.cfg, func(o *awssts.Options) { o.Credentials = awstest.Static(c) })
}

func credentialsOf(out *awssts.AssumeRoleOutput) identity.Credentials {
	return identity.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken), Expiration: aws.ToTime(out.Credentials.Expiration)}
}

// wantError checks an API error's code, exact message and HTTP status.
func wantError(t *testing.T, err error, code, message string, status int) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want error %s, got %v", code, err)
	}
	if apiErr.ErrorCode() != code || apiErr.ErrorMessage() != message {
		t.Fatalf("want %s %q\n got %s %q", code, message, apiErr.ErrorCode(), apiErr.ErrorMessage())
	}
	var respErr *smithyhttp.ResponseError
	if !errors.As(err, &respErr) || respErr.HTTPStatusCode() != status {
		t.Fatalf("want HTTP %d, got %v", status, err)
	}
}

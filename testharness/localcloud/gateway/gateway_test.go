package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// recorder is a service that answers every request with an error naming
// itself, so a test sees which service the gateway chose.
func recorder(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := awsproto.Errorf("Routed", http.StatusBadRequest, "%s as %s", name, identity.FromContext(r.Context()).ARN)
		switch name {
		case "s3", "internal":
			awsproto.WriteS3Error(r.Context(), w, r, err)
			return
		case "sts":
			awsproto.WriteQueryError(r.Context(), w, "https://sts.amazonaws.com/doc/2011-06-15/", err)
			return
		}
		awsproto.WriteJSONError(r.Context(), w, "application/x-amz-json-1.0", err)
	})
}

func newGateway(t *testing.T) string {
	g := gateway.New(identity.NewStore())
	g.Register(gateway.Route{Service: "dynamodbstreams", TargetPrefixes: []string{"DynamoDBStreams_20120810"}, Handler: recorder("dynamodbstreams")})
	g.Register(gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"}, Handler: recorder("dynamodb")})
	g.Register(gateway.Route{Service: "events", SigningNames: []string{"events"}, Handler: recorder("events")})
	g.Register(gateway.Route{Service: "s3", SigningNames: []string{"s3"}, Fallback: true, Handler: recorder("s3")})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

func routedTo(t *testing.T, err error) string {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "Routed" {
		t.Fatalf("want a Routed error from the recorder, got %v", err)
	}
	return apiErr.ErrorMessage()
}

func TestRoutesBySigningNameThenTarget(t *testing.T) {
	cfg := awstest.Config(t, newGateway(t))
	ctx := context.Background()
	root := identity.Root().ARN

	_, err := dynamodb.NewFromConfig(cfg).ListTables(ctx, &dynamodb.ListTablesInput{})
	if got, want := routedTo(t, err), "dynamodb as "+root; got != want {
		t.Errorf("ListTables routed to %q, want %q", got, want)
	}
	_, err = dynamodbstreams.NewFromConfig(cfg).ListStreams(ctx, &dynamodbstreams.ListStreamsInput{})
	if got, want := routedTo(t, err), "dynamodbstreams as "+root; got != want {
		t.Errorf("ListStreams routed to %q, want %q", got, want)
	}
	_, err = eventbridge.NewFromConfig(cfg).ListRules(ctx, &eventbridge.ListRulesInput{})
	if got, want := routedTo(t, err), "events as "+root; got != want {
		t.Errorf("ListRules routed to %q, want %q", got, want)
	}
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).ListBuckets(ctx, &s3.ListBucketsInput{})
	if got, want := routedTo(t, err), "s3 as "+root; got != want {
		t.Errorf("ListBuckets routed to %q, want %q", got, want)
	}
}

func TestUnsignedRequestFallsBackToS3(t *testing.T) {
	resp, err := http.Get(newGateway(t) + "/some-bucket/some-key")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("status %d, request id %q: want the S3 recorder's 400 with S3's request id header",
			resp.StatusCode, resp.Header.Get("X-Amz-Request-Id"))
	}
}

func TestRoleSessionKeysActAsTheRole(t *testing.T) {
	store := identity.NewStore()
	g := gateway.New(store)
	g.Register(gateway.Route{Service: "events", SigningNames: []string{"events"}, Handler: recorder("events")})
	srv := httptest.NewServer(g)
	defer srv.Close()

	creds := store.AssumeRole("arn:aws:iam::000000000000:role/fn-role", "my-function", time.Now(), time.Hour)
	cfg := awstest.Config(t, srv.URL)
	cfg.Credentials = awstest.Static(creds)
	_, err := eventbridge.NewFromConfig(cfg).ListRules(context.Background(), &eventbridge.ListRulesInput{})
	want := "events as arn:aws:sts::000000000000:assumed-role/fn-role/my-function"
	if got := routedTo(t, err); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestTraceHeaderReachesTheService: every request's X-Amzn-Trace-Id is in
// the context the service's handler gets.
func TestTraceHeaderReachesTheService(t *testing.T) {
	seen := make(chan string, 2)
	g := gateway.New(identity.NewStore())
	g.Register(gateway.Route{Service: "s3", Fallback: true, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- awsproto.TraceHeader(r.Context())
	})})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	for _, header := range []string{"Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1", ""} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/b/k", nil)
		if header != "" {
			req.Header.Set("X-Amzn-Trace-Id", header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := <-seen; got != header {
			t.Errorf("service saw trace header %q, want %q", got, header)
		}
	}
}

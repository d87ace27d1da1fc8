package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// bodyRecorder is the S3 recorder that reads the body first, so that a
// body that does not match its signed hash fails the read.
func bodyRecorder(w http.ResponseWriter, r *http.Request) {
	if _, err := io.ReadAll(r.Body); err != nil {
		awsproto.WriteS3Error(r.Context(), w, r, err)
		return
	}
	recorder("s3").ServeHTTP(w, r)
}

// secureGateway serves S3 (restXml), DynamoDB (awsJson), STS (query) and
// Lambda (restJson) recorders behind SigV4 verification at the time now
// returns, plus an unsigned path.
func secureGateway(t *testing.T, store *identity.Store, now func() time.Time) string {
	t.Helper()
	g := gateway.New(store)
	g.Register(gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"}, TargetPrefixes: []string{"DynamoDB_20120810"},
		Auth: sigv4.JSON, Handler: recorder("dynamodb")})
	g.Register(gateway.Route{Service: "sts", SigningNames: []string{"sts"}, Auth: sigv4.Query,
		QueryNamespace: "https://sts.amazonaws.com/doc/2011-06-15/", Handler: recorder("sts")})
	g.Register(gateway.Route{Service: "lambda", SigningNames: []string{"lambda"}, Auth: sigv4.RESTJSON, Handler: recorder("lambda")})
	g.Register(gateway.Route{Service: "internal", PathPrefixes: []string{"/_internal/"}, UnsignedPaths: []string{"/_internal/"},
		Auth: sigv4.Query, Handler: recorder("internal")})
	g.Register(gateway.Route{Service: "s3", SigningNames: []string{"s3"}, Fallback: true, Auth: sigv4.S3, Handler: http.HandlerFunc(bodyRecorder)})
	g.Secure(gateway.Security{Keys: store, Now: now})
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

func apiError(t *testing.T, err error) smithy.APIError {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an API error, got %v", err)
	}
	return apiErr
}

func wantCode(t *testing.T, what string, err error, code, inMessage string) {
	t.Helper()
	e := apiError(t, err)
	if e.ErrorCode() != code || !strings.Contains(e.ErrorMessage(), inMessage) {
		t.Errorf("%s: %s %q, want %s containing %q", what, e.ErrorCode(), e.ErrorMessage(), code, inMessage)
	}
}

// clients are the four protocol families' SDK clients for one config.
type clients struct {
	s3     *s3.Client
	ddb    *dynamodb.Client
	sts    *sts.Client
	lambda *lambda.Client
}

func newClients(cfg aws.Config) clients {
	return clients{s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }),
		dynamodb.NewFromConfig(cfg), sts.NewFromConfig(cfg), lambda.NewFromConfig(cfg)}
}

// call makes one request of each family and returns their errors.
func (c clients) call() (s3Err, ddbErr, stsErr, lambdaErr error) {
	ctx := context.Background()
	_, s3Err = c.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	_, ddbErr = c.ddb.ListTables(ctx, &dynamodb.ListTablesInput{})
	_, stsErr = c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	_, lambdaErr = c.lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	return
}

func TestValidSignaturesReachTheServiceAsTheirPrincipal(t *testing.T) {
	store := identity.NewStore()
	url := secureGateway(t, store, nil)
	s3Err, ddbErr, stsErr, lambdaErr := newClients(awstest.Config(t, url)).call()
	for _, err := range []error{s3Err, ddbErr, stsErr, lambdaErr} {
		routedTo(t, err)
	}

	creds := store.AssumeRole("arn:aws:iam::000000000000:role/r", "s", time.Now(), time.Hour)
	cfg := awstest.Config(t, url)
	cfg.Credentials = awstest.Static(creds)
	_, err := dynamodb.NewFromConfig(cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{})
	if got := routedTo(t, err); !strings.HasSuffix(got, "assumed-role/r/s") {
		t.Errorf("role session routed as %q", got)
	}
}

func TestWrongSecretIsSignatureDoesNotMatch(t *testing.T) {
	cfg := awstest.Config(t, secureGateway(t, identity.NewStore(), nil))
	cfg.Credentials = awstest.Static(identity.Credentials{AccessKeyID: "test", SecretAccessKey: "not-the-secret"})
	s3Err, ddbErr, stsErr, lambdaErr := newClients(cfg).call()
	wantCode(t, "S3", s3Err, "SignatureDoesNotMatch", "Check your key and signing method.")
	wantCode(t, "DynamoDB", ddbErr, "InvalidSignatureException", "Check your AWS Secret Access Key and signing method.")
	wantCode(t, "STS", stsErr, "SignatureDoesNotMatch", "Check your AWS Secret Access Key and signing method.")
	wantCode(t, "Lambda", lambdaErr, "InvalidSignatureException", "Check your AWS Secret Access Key and signing method.")
}

func TestUnknownKeyIsRejected(t *testing.T) {
	cfg := awstest.Config(t, secureGateway(t, identity.NewStore(), nil))
	cfg.Credentials = awstest.Static(identity.Credentials{AccessKeyID: "AKIANOTISSUED", SecretAccessKey: "x"})
	s3Err, ddbErr, stsErr, lambdaErr := newClients(cfg).call()
	wantCode(t, "S3", s3Err, "InvalidAccessKeyId", "does not exist in our records")
	wantCode(t, "DynamoDB", ddbErr, "UnrecognizedClientException", "The security token included in the request is invalid.")
	wantCode(t, "STS", stsErr, "InvalidClientTokenId", "The security token included in the request is invalid.")
	wantCode(t, "Lambda", lambdaErr, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

func TestSessionKeyWithoutItsTokenIsRejected(t *testing.T) {
	store := identity.NewStore()
	creds := store.AssumeRole("arn:aws:iam::000000000000:role/r", "s", time.Now(), time.Hour)
	creds.SessionToken = ""
	cfg := awstest.Config(t, secureGateway(t, store, nil))
	cfg.Credentials = awstest.Static(creds)
	s3Err, ddbErr, _, _ := newClients(cfg).call()
	wantCode(t, "S3", s3Err, "InvalidToken", "The provided token is malformed or otherwise invalid.")
	wantCode(t, "DynamoDB", ddbErr, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

func TestSkewedClockIsRejected(t *testing.T) {
	ahead := func() time.Time { return time.Now().Add(20 * time.Minute) }
	s3Err, ddbErr, stsErr, lambdaErr := newClients(awstest.Config(t, secureGateway(t, identity.NewStore(), ahead))).call()
	wantCode(t, "S3", s3Err, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.")
	wantCode(t, "DynamoDB", ddbErr, "InvalidSignatureException", "Signature expired:")
	wantCode(t, "STS", stsErr, "SignatureDoesNotMatch", "Signature expired:")
	wantCode(t, "Lambda", lambdaErr, "InvalidSignatureException", "Signature expired:")
}

// presign returns a presigned GET URL of an object, signed at signedAt
// for 60 seconds.
func presign(t *testing.T, base string, signedAt time.Time) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/bucket/key.png?X-Amz-Expires=60", nil)
	if err != nil {
		t.Fatal(err)
	}
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, sigv4.UnsignedPayload, "s3", "us-east-1", signedAt)
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// s3ErrorOf fetches url and returns the S3 error's status and body.
func s3ErrorOf(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestPresignedURLs(t *testing.T) {
	base := secureGateway(t, identity.NewStore(), nil)
	now := time.Now()

	// A fresh URL reaches the service as the signer.
	if status, body := s3ErrorOf(t, presign(t, base, now)); status != http.StatusBadRequest || !strings.Contains(body, "<Code>Routed</Code>") {
		t.Errorf("fresh presigned URL: %d %s", status, body)
	}
	// Signed two minutes ago for 60 seconds: expired.
	status, body := s3ErrorOf(t, presign(t, base, now.Add(-2*time.Minute)))
	if status != http.StatusForbidden || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "Request has expired") {
		t.Errorf("expired presigned URL: %d %s", status, body)
	}
	// A tampered signature.
	url := presign(t, base, now)
	i := strings.Index(url, "X-Amz-Signature=") + len("X-Amz-Signature=")
	flipped := "0"
	if url[i] == '0' {
		flipped = "1"
	}
	status, body = s3ErrorOf(t, url[:i]+flipped+url[i+1:])
	if status != http.StatusForbidden || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned URL: %d %s", status, body)
	}
}

func TestTamperedBodyFailsAsItIsRead(t *testing.T) {
	cfg := awstest.Config(t, secureGateway(t, identity.NewStore(), nil))
	// Change the body after it was signed.
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.HTTPClient = tamperingClient{}
	})
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k"),
		Body: bytes.NewReader([]byte("signed content"))})
	wantCode(t, "S3", err, "XAmzContentSHA256Mismatch", "does not match what was computed")
}

// tamperingClient replaces each request body with another of the same
// length after signing.
type tamperingClient struct{}

func (tamperingClient) Do(r *http.Request) (*http.Response, error) {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(bytes.Repeat([]byte("x"), len(b))))
	return http.DefaultClient.Do(r)
}

func TestUnsignedRequests(t *testing.T) {
	base := secureGateway(t, identity.NewStore(), nil)
	// S3 serves an unsigned request as the anonymous principal (denied
	// or allowed by policy, which this gateway has no authorizer for).
	status, body := s3ErrorOf(t, base+"/bucket/key")
	if status != http.StatusBadRequest || !strings.Contains(body, "s3 as anonymous") {
		t.Errorf("unsigned S3 request: %d %s", status, body)
	}
	// Other services refuse it.
	req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body2, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned DynamoDB request: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body2)
	}
	// The internal path stands for a presigned URL and is served unsigned.
	status, body = s3ErrorOf(t, base+"/_internal/token")
	if status != http.StatusBadRequest || !strings.Contains(body, "internal as anonymous") {
		t.Errorf("unsigned internal path: %d %s", status, body)
	}
}

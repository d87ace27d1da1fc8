package sigv4

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// verifyingServer answers every request after verifying it as the gateway
// would, and remembers the payload hashes it saw and the bodies it read.
type verifyingServer struct {
	family Family
	mu     sync.Mutex
	hashes []string
	bodies []string
}

func (s *verifyingServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := awsproto.WithRequestID(r.Context(), awsproto.NewRequestID())
	v := Verifier{Family: s.family, Lookup: lookup}
	var body []byte
	payload := Streamed()
	if s.family != S3 {
		body, _ = io.ReadAll(r.Body)
		payload = Body(body)
	}
	res, err := v.Verify(r, payload, time.Now())
	if err == nil && s.family == S3 {
		body, err = io.ReadAll(res.Body(r.Body))
	}
	if err != nil {
		if s.family == S3 {
			awsproto.WriteS3Error(ctx, w, r, err)
		} else {
			awsproto.WriteJSONError(ctx, w, "application/x-amz-json-1.0", err)
		}
		return
	}
	s.mu.Lock()
	s.hashes = append(s.hashes, res.PayloadHash)
	s.bodies = append(s.bodies, string(body))
	s.mu.Unlock()
	switch {
	case s.family != S3:
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		_, _ = io.WriteString(w, "{}")
	case r.Method == http.MethodPut:
		w.Header().Set("ETag", `"etag"`)
	default:
		_, _ = io.WriteString(w, "object body")
	}
}

func sdkConfig(endpoint string, creds aws.Credentials) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken)}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestSDKDynamoDBClient(t *testing.T) {
	srv := httptest.NewServer(&verifyingServer{family: JSON})
	defer srv.Close()
	ctx := context.Background()
	in := &dynamodb.ListTablesInput{}
	if _, err := dynamodb.NewFromConfig(sdkConfig(srv.URL, roleKey)).ListTables(ctx, in); err != nil {
		t.Fatalf("role session: %v", err)
	}
	wrong := aws.Credentials{AccessKeyID: "AKIDUSER", SecretAccessKey: "guess"}
	if _, err := dynamodb.NewFromConfig(sdkConfig(srv.URL, wrong)).ListTables(ctx, in); apiCode(err) != "InvalidSignatureException" {
		t.Errorf("wrong secret: %v", err)
	}
	unknown := aws.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}
	if _, err := dynamodb.NewFromConfig(sdkConfig(srv.URL, unknown)).ListTables(ctx, in); apiCode(err) != "UnrecognizedClientException" {
		t.Errorf("unknown key: %v", err)
	}
}

func TestSDKS3Client(t *testing.T) {
	vs := &verifyingServer{family: S3}
	srv := httptest.NewServer(vs)
	defer srv.Close()
	ctx := context.Background()
	client := s3.NewFromConfig(sdkConfig(srv.URL, userKey), func(o *s3.Options) { o.UsePathStyle = true })
	for _, key := range []string{"plain.txt", "dir/a b+c~d=e&f.png", "ümlaut/ключ"} {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key),
			Body: strings.NewReader("object body"), ContentType: aws.String("text/plain")})
		if err != nil {
			t.Fatalf("PutObject %q: %v", key, err)
		}
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %q: %v", key, err)
		}
		_ = out.Body.Close()
	}
	if len(vs.hashes) != 6 || !strings.Contains(vs.bodies[0], "object body") {
		t.Errorf("server saw %v / %q", vs.hashes, vs.bodies)
	}

	wrong := s3.NewFromConfig(sdkConfig(srv.URL, aws.Credentials{AccessKeyID: "AKIDUSER", SecretAccessKey: "guess"}),
		func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := wrong.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("k")}); apiCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestSDKS3PresignClient(t *testing.T) {
	srv := httptest.NewServer(&verifyingServer{family: S3})
	defer srv.Close()
	client := s3.NewFromConfig(sdkConfig(srv.URL, roleKey), func(o *s3.Options) { o.UsePathStyle = true })
	req, err := s3.NewPresignClient(client).PresignGetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/photo 1.png")}, s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(req.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "object body" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, body)
	}
	tampered := strings.Replace(req.URL, "photo", "photos", 1)
	resp, err = http.Get(tampered)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned GET: %d %s", resp.StatusCode, body)
	}
}

// presigned returns a URL presigned at signedAt for expires seconds.
func presigned(t *testing.T, expires string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/bucket/key?X-Amz-Expires="+expires, nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), roleKey, r, UnsignedPayload, "s3", "us-east-1", signedAt,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewRequest(http.MethodGet, u, nil)
}

func TestPresignedExpiry(t *testing.T) {
	v := Verifier{Family: S3, Lookup: lookup}
	res, err := v.Verify(presigned(t, "900"), Body(nil), signedAt.Add(900*time.Second))
	if err != nil {
		t.Fatalf("at the last valid second: %v", err)
	}
	if !res.Presigned || res.PayloadHash != UnsignedPayload || res.SessionToken != "role-token" {
		t.Errorf("result %+v", res)
	}
	_, err = v.Verify(presigned(t, "900"), Body(nil), signedAt.Add(901*time.Second))
	e := asAWSError(t, err)
	if e.Code != "AccessDenied" || e.Message != "Request has expired" || e.Status != 403 ||
		e.Fields["X-Amz-Expires"] != "900" || e.Fields["Expires"] != "2026-01-01T00:15:00Z" || e.Fields["ServerTime"] != "2026-01-01T00:15:01Z" {
		t.Errorf("expired: %v %v", e, e.Fields)
	}
	// A presigned URL is not subject to the 15-minute skew while valid.
	if _, err := v.Verify(presigned(t, "604800"), Body(nil), signedAt.Add(6*24*time.Hour)); err != nil {
		t.Errorf("six days into a week-long URL: %v", err)
	}
	for expires, msg := range map[string]string{
		"604801": "X-Amz-Expires must be less than a week (in seconds) that is 604800",
		"-1":     "X-Amz-Expires must be non-negative",
	} {
		_, err := v.Verify(presigned(t, expires), Body(nil), signedAt)
		if e := asAWSError(t, err); e.Code != "AuthorizationQueryParametersError" || e.Message != msg {
			t.Errorf("X-Amz-Expires=%s: %v", expires, e)
		}
	}
	if _, err := v.Verify(presigned(t, "900"), Body(nil), signedAt.Add(-16*time.Minute)); errorCode(err) != "RequestTimeTooSkewed" {
		t.Errorf("signed in the future: %v", err)
	}
}

package gateway_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// limitedGateway serves a DynamoDB recorder whose bodies may be 1 KiB,
// a route whose handler reads its body and then answers only after three
// body idle timeouts (a long poll), and S3, with a body idle timeout of
// idle, in region us-east-1.
func limitedGateway(t *testing.T, idle time.Duration) string {
	t.Helper()
	store := identity.NewStore()
	g := gateway.New(store)
	g.Register(gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"}, TargetPrefixes: []string{"DynamoDB_20120810"},
		Auth: sigv4.JSON, MaxBodyBytes: 1024, Handler: recorder("dynamodb")})
	g.Register(gateway.Route{Service: "sqs", SigningNames: []string{"sqs"}, TargetPrefixes: []string{"AmazonSQS"}, Auth: sigv4.JSON,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			select {
			case <-time.After(3 * idle):
				fmt.Fprintf(w, "waited after reading %q", body)
			case <-r.Context().Done():
				t.Errorf("the long poll's context ended: %v", r.Context().Err())
			}
		})})
	g.Register(gateway.Route{Service: "s3", SigningNames: []string{"s3"}, Fallback: true, Auth: sigv4.S3, Handler: http.HandlerFunc(bodyRecorder)})
	g.Secure(gateway.Security{Keys: store, Region: "us-east-1"})
	g.SetBodyIdleTimeout(idle)
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv.URL
}

// rawExchange writes head (a request's header block and the start of its
// body) on a new connection and returns the response, which must come
// while the rest of the body is still owed.
func rawExchange(t *testing.T, base, head string) (*http.Response, string, net.Conn) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	// Guards against a server that waits for the body: the test then fails
	// instead of hanging.
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no response while the body is owed: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body), conn
}

// signedHead signs a DynamoDB request for service in region, claiming a
// body of contentLength bytes, and returns its header block.
func signedHead(t *testing.T, base, service, region string, contentLength int64) string {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPost, base+"/", nil)
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256(nil)
	err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		r, hex.EncodeToString(sum[:]), service, region, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n", r.Host, contentLength)
	for name, values := range r.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", name, values[0])
	}
	b.WriteString("\r\n{")
	return b.String()
}

func TestUnsignedRequestIsRefusedBeforeItsBodyIsRead(t *testing.T) {
	base := limitedGateway(t, time.Minute)
	resp, body, _ := rawExchange(t, base, "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"+
		"Content-Type: application/x-amz-json-1.0\r\nContent-Length: 62914560\r\n\r\n{")
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned 60 MiB PutItem: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}
}

func TestBodyOverTheRouteLimitIs413BeforeItIsRead(t *testing.T) {
	base := limitedGateway(t, time.Minute)
	// Declared: refused before the body comes.
	resp, _, _ := rawExchange(t, base, signedHead(t, base, "dynamodb", "us-east-1", 200<<20))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("signed 200 MB PutItem: status %d, want 413", resp.StatusCode)
	}
	// Sent: the SDK's 2 KiB body is over the route's 1 KiB.
	_, err := dynamodb.NewFromConfig(awstest.Config(t, base)).PutItem(context.Background(), &dynamodb.PutItemInput{
		TableName: aws.String("T"), Item: map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: strings.Repeat("k", 2048)}}})
	if status := httpStatus(t, err); status != http.StatusRequestEntityTooLarge {
		t.Errorf("PutItem of 2 KiB: status %d (%v), want 413", status, err)
	}
}

func TestBodyThatStopsArrivingTimesOut(t *testing.T) {
	base := limitedGateway(t, 50*time.Millisecond)
	resp, body, conn := rawExchange(t, base, signedHead(t, base, "dynamodb", "us-east-1", 100))
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-Errortype") != "RequestTimeout" ||
		!strings.Contains(body, "Idle connections will be closed.") {
		t.Errorf("body stopped after one byte: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}
	if n, err := conn.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("the connection stays open: read %d, %v", n, err)
	}
}

func TestResponseThatWaitsOutlivesTheBodyTimeout(t *testing.T) {
	base := limitedGateway(t, 50*time.Millisecond)
	req, _ := http.NewRequest(http.MethodPost, base+"/", strings.NewReader(`{"WaitTimeSeconds":20}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.ReceiveMessage")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(`{"WaitTimeSeconds":20}`))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		req, hex.EncodeToString(sum[:]), "sqs", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "waited") {
		t.Errorf("long poll: %d %s", resp.StatusCode, body)
	}
}

func TestCredentialScopedToAnotherServiceOrRegionIsRefused(t *testing.T) {
	base := limitedGateway(t, time.Minute)
	resp, body, _ := rawExchange(t, base, signedHead(t, base, "events", "us-east-1", 1))
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("X-Amzn-Errortype") != "InvalidSignatureException" ||
		!strings.Contains(body, "Credential should be scoped to correct service: 'dynamodb'. ") {
		t.Errorf("PutItem signed for events: %d %s %s", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), body)
	}

	cfg := awstest.Config(t, base)
	cfg.Region = "eu-west-1"
	_, err := dynamodb.NewFromConfig(cfg).ListTables(context.Background(), &dynamodb.ListTablesInput{})
	wantCode(t, "DynamoDB in eu-west-1", err, "InvalidSignatureException", "Credential should be scoped to a valid region, not 'eu-west-1'. ")
	_, err = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }).GetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
	wantCode(t, "S3 in eu-west-1", err, "AuthorizationHeaderMalformed",
		"The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'")
}

// httpStatus is the HTTP status of an SDK call's failure.
func httpStatus(t *testing.T, err error) int {
	t.Helper()
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) {
		t.Fatalf("want an HTTP response error, got %v", err)
	}
	return re.HTTPStatusCode()
}

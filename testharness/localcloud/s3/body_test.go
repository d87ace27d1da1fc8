package s3_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// TestClaimedBodySizeCostsOnlyWhatIsSent: a signed PutObject that claims
// 200 MiB (in Content-Length, or in x-amz-decoded-content-length and a
// chunk header) and sends two bytes is answered IncompleteBody having
// allocated about what was sent, not what was claimed; a chunk claiming
// more than an object may hold is EntityTooLarge before it is read.
func TestClaimedBodySizeCostsOnlyWhatIsSent(t *testing.T) {
	const claimed = 200 << 20
	e := newSignedEnv(t)
	e.bucket(t, "claims")
	cases := map[string]struct {
		header map[string]string
		body   string
		code   string
	}{
		"Content-Length": {
			header: map[string]string{"Content-Length": strconv.Itoa(claimed), "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"},
			body:   "ab",
			code:   "IncompleteBody",
		},
		"aws-chunked": {
			header: map[string]string{"Content-Length": strconv.Itoa(claimed + 100), "Content-Encoding": "aws-chunked",
				"X-Amz-Decoded-Content-Length": strconv.Itoa(claimed), "X-Amz-Trailer": "x-amz-checksum-crc32",
				"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
			body: strconv.FormatInt(claimed, 16) + "\r\nab",
			code: "IncompleteBody",
		},
		"aws-chunked, undeclared": {
			header: map[string]string{"Content-Length": strconv.Itoa(2 * claimed), "Content-Encoding": "aws-chunked",
				"X-Amz-Content-Sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
			body: strconv.FormatInt(2*claimed, 16) + "\r\nab",
			code: "EntityTooLarge",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			head := signedPutHead(t, e.url, "/claims/k", c.header)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			status, body := sendAndHalfClose(t, e.url, head+c.body)
			runtime.ReadMemStats(&after)
			if status != http.StatusBadRequest || !strings.Contains(body, "<Code>"+c.code+"</Code>") {
				t.Errorf("2 claimed bytes: %d %s; want 400 %s", status, body, c.code)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
				t.Errorf("a body of %d bytes claiming %d allocated %d bytes", len(c.body), claimed, n)
			}
		})
	}
}

// signedPutHead signs a PUT of path with the default credentials and the
// given headers (x-amz-content-sha256 among them) and returns its header
// block.
func signedPutHead(t *testing.T, base, path string, header map[string]string) string {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPut, base+path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: identity.DefaultAccessKeyID, SecretAccessKey: identity.DefaultSecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, header["X-Amz-Content-Sha256"], "s3", arn.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "PUT %s HTTP/1.1\r\nHost: %s\r\n", path, r.Host)
	for name, values := range r.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", name, values[0])
	}
	b.WriteString("\r\n")
	return b.String()
}

// sendAndHalfClose writes a request on a new connection, closes its
// sending side (the rest of a claimed body never comes) and returns the
// response.
func sendAndHalfClose(t *testing.T, base, request string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Guards against a server that waits for the body: the test then fails
	// instead of hanging.
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("no response to a body cut short: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, string(body)
}

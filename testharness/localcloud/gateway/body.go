package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// DefaultMaxBodyBytes bounds the request bodies the gateway reads to
// verify their signature (every service but S3, which streams): 16 MiB,
// the size above which DynamoDB's front door answers 413 (dynalite's
// MAX_REQUEST_BYTES, recorded from DynamoDB). It is above the payload
// limits of the other services behind the gateway — Lambda's 6 MB
// synchronous invocation payload, SQS's 1 MiB message, PutLogEvents' 1 MiB
// batch, EventBridge's PutEvents entries, Step Functions' 256 KiB input —
// which they enforce themselves with their own errors.
const DefaultMaxBodyBytes = 16 << 20

// DefaultBodyIdleTimeout is how long the gateway waits for the next byte
// of a request body before it answers RequestTimeout and closes the
// connection, as S3 does with "Idle connections will be closed".
const DefaultBodyIdleTimeout = 20 * time.Second

// errRequestTimeout is S3's answer to a body that stops arriving (Amazon
// S3 API Reference, "Error responses": RequestTimeout, 400); the gateway
// gives it in every protocol's shape.
var errRequestTimeout = awsproto.NewError("RequestTimeout", http.StatusBadRequest,
	"Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")

// tooLargeError is a body over its route's limit. The awsJson, query and
// restJson front doors answer it with a bare 413 (as dynalite records
// DynamoDB's); S3 enforces its own object limit with EntityTooLarge.
type tooLargeError struct{ size, limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("request body of %d bytes or more is over the limit of %d bytes", e.size, e.limit)
}

// maxBody is the body limit of a route.
func maxBody(route *Route) int64 {
	if route.MaxBodyBytes > 0 {
		return route.MaxBodyBytes
	}
	return DefaultMaxBodyBytes
}

// readBody reads a body the gateway must hold to verify its signature:
// refused at once when its Content-Length is over the route's limit, and
// cut off with the same answer when it grows past the limit as it is read.
func readBody(r *http.Request, route *Route) ([]byte, error) {
	if held, ok := r.Body.(*awsproto.HeldBody); ok {
		return held.Bytes(), nil // read and checked when the request was admitted
	}
	limit := maxBody(route)
	if r.ContentLength > limit {
		return nil, &tooLargeError{r.ContentLength, limit}
	}
	body, err := readAll(io.LimitReader(r.Body, limit+1), r.ContentLength)
	if err != nil {
		var apiErr *awsproto.Error
		if errors.As(err, &apiErr) {
			return nil, apiErr
		}
		return nil, awsproto.Errorf("IncompleteSignatureException", http.StatusBadRequest, "read request body: %v", err)
	}
	if int64(len(body)) > limit {
		return nil, &tooLargeError{int64(len(body)), limit}
	}
	return body, nil
}

// firstBodyBuffer bounds the buffer a body is first given from its
// Content-Length: past it, the buffer grows as bytes arrive, so that a
// length claimed and not sent costs nothing.
const firstBodyBuffer = 64 << 10

// readAll is io.ReadAll with a first buffer the size of the declared
// length (when it is small), so that a body is read into one allocation
// instead of a doubling series from 512 bytes.
func readAll(r io.Reader, declared int64) ([]byte, error) {
	b := make([]byte, 0, min(max(declared, 0), firstBodyBuffer)+1) // +1: room to see EOF
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// idleBody fails a body read that waits longer than idle for data with
// errRequestTimeout. It sets the connection's read deadline before each
// read and clears it at the end of the body, so that a response that
// waits (an SQS long poll, the settled API) is not cut off afterwards.
type idleBody struct {
	io.ReadCloser
	conn *http.ResponseController
	idle time.Duration
	done bool
}

// limitIdle makes r's body time out after idle without data.
func limitIdle(w http.ResponseWriter, r *http.Request, idle time.Duration) {
	if idle <= 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	r.Body = &idleBody{ReadCloser: r.Body, conn: http.NewResponseController(w), idle: idle}
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	// A writer without deadlines (a test's recorder) just reads.
	_ = b.conn.SetReadDeadline(time.Now().Add(b.idle))
	n, err := b.ReadCloser.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The deadline stays: the server's own reads of what is left of
		// the body fail at once, and it closes the connection.
		return n, errRequestTimeout
	}
	if err != nil {
		b.done = true
		_ = b.conn.SetReadDeadline(time.Time{})
	}
	return n, err
}

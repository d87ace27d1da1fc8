package dynamodb

import (
	"bytes"
	"hash/crc32"
	"net/http"
	"strconv"
)

// withCRC32 adds the X-Amz-Crc32 header DynamoDB puts on every response:
// the AWS SDKs check the body against it (aws-sdk-go-v2 warns and drops
// the connection when it is missing), so the body is buffered to sum it.
func withCRC32(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &crcWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		w.Header().Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(rec.body.Bytes())), 10))
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

type crcWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (c *crcWriter) WriteHeader(status int)      { c.status = status }
func (c *crcWriter) Write(b []byte) (int, error) { return c.body.Write(b) }

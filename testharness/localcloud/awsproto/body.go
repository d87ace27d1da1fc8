package awsproto

import (
	"bytes"
	"io"
)

// HeldBody is a request body already in memory: the gateway reads every
// body but S3's to verify its signature, and hands it on as a HeldBody so
// that the service reads the same bytes instead of a copy.
type HeldBody struct {
	reader *bytes.Reader
	data   []byte
	closer io.Closer
}

// NewHeldBody makes data the body of a request whose original body is
// closer (closed with it).
func NewHeldBody(data []byte, closer io.Closer) *HeldBody {
	return &HeldBody{reader: bytes.NewReader(data), data: data, closer: closer}
}

func (b *HeldBody) Read(p []byte) (int, error) { return b.reader.Read(p) }

// Close closes the original body.
func (b *HeldBody) Close() error { return b.closer.Close() }

// Bytes returns what is left to read of the body, consuming it. The
// caller must not modify it: the gateway's authorizer and fault injector
// see the same bytes.
func (b *HeldBody) Bytes() []byte {
	rest := b.data[len(b.data)-b.reader.Len():]
	_, _ = b.reader.Seek(0, io.SeekEnd)
	return rest
}

// ReadBody reads a request body of up to limit bytes: a HeldBody's bytes
// as they are, any other body copied.
func ReadBody(body io.Reader, limit int64) ([]byte, error) {
	if held, ok := body.(*HeldBody); ok && int64(held.reader.Len()) <= limit {
		return held.Bytes(), nil
	}
	return io.ReadAll(io.LimitReader(body, limit))
}

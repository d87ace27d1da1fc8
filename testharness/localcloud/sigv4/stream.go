package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
)

// maxChunkSize bounds one aws-chunked chunk the verifier buffers; SDKs send
// 64 KiB chunks.
const maxChunkSize = 16 << 20

// Body wraps a streamed request body so that reading it checks what the
// signature covers, passing the bytes through unchanged (an aws-chunked
// body stays encoded for the service to decode):
//
//   - a hex x-amz-content-sha256: the body is hashed as it is read, and
//     the read that reaches the end fails with XAmzContentSHA256Mismatch
//     instead of returning io.EOF when the hash differs;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER): each chunk is held
//     until its chained signature verifies (and the trailer's, if any); a
//     bad chunk fails the read with SignatureDoesNotMatch;
//   - UNSIGNED-PAYLOAD and STREAMING-UNSIGNED-PAYLOAD-TRAILER: unchanged.
//
// For a payload given with Body the hash was checked already and body is
// returned as it is.
func (res Result) Body(body io.Reader) io.Reader {
	if !res.streamed {
		return body
	}
	switch res.PayloadHash {
	case UnsignedPayload, StreamingUnsignedTrailer:
		return body
	case StreamingPayload, StreamingPayloadTrailer:
		return &chunkVerifier{src: bufio.NewReader(body), res: res, prev: res.seedSignature,
			trailer: res.PayloadHash == StreamingPayloadTrailer}
	}
	return &hashVerifier{src: body, want: res.PayloadHash, h: sha256.New()}
}

// hashVerifier checks a body against its signed SHA-256 at the end.
type hashVerifier struct {
	src  io.Reader
	want string
	h    hash.Hash
}

func (v *hashVerifier) Read(p []byte) (int, error) {
	n, err := v.src.Read(p)
	v.h.Write(p[:n])
	if errors.Is(err, io.EOF) {
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want {
			return n, contentSHA256Mismatch(v.want, got)
		}
	}
	return n, err
}

// chunkVerifier passes an aws-chunked body through, releasing each chunk
// only once its signature verifies (Amazon S3 API Reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in
// Multiple Chunks", and "…: Including Trailing Headers").
type chunkVerifier struct {
	src     *bufio.Reader
	res     Result
	prev    string
	trailer bool
	out     []byte
	done    bool
	err     error
}

func (v *chunkVerifier) Read(p []byte) (int, error) {
	for len(v.out) == 0 {
		if v.err != nil {
			return 0, v.err
		}
		if v.done {
			return 0, io.EOF
		}
		v.err = v.next()
	}
	n := copy(p, v.out)
	v.out = v.out[n:]
	return n, nil
}

// next reads, verifies and queues one chunk (and the trailer after the
// last one).
func (v *chunkVerifier) next() error {
	line, err := v.readLine()
	if err != nil {
		return err
	}
	sizeHex, ext, _ := strings.Cut(strings.TrimRight(string(line), "\r\n"), ";")
	size, err := strconv.ParseInt(sizeHex, 16, 64)
	if err != nil || size < 0 || size > maxChunkSize {
		return malformedChunk("bad chunk size " + strconv.Quote(sizeHex))
	}
	sig, ok := strings.CutPrefix(ext, "chunk-signature=")
	if !ok {
		return malformedChunk("chunk without chunk-signature")
	}
	// The chunk grows as its bytes arrive: a header claiming 16 MiB must
	// not cost 16 MiB before the client has sent any of it.
	var chunk bytes.Buffer
	chunk.Grow(int(min(size, 64<<10)))
	if n, err := io.CopyN(&chunk, v.src, size); err != nil || n != size {
		return malformedChunk("short chunk")
	}
	data := chunk.Bytes()
	sum := sha256.Sum256(data)
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + v.res.SignedAt.Format(timeFormat) + "\n" + v.res.scope + "\n" +
		v.prev + "\n" + emptyHash + "\n" + hex.EncodeToString(sum[:])
	if err := v.check(sig, sts); err != nil {
		return err
	}
	v.out = append(append(v.out, line...), data...)
	if size > 0 || !v.trailer {
		crlf := make([]byte, 2)
		if _, err := io.ReadFull(v.src, crlf); err != nil || string(crlf) != "\r\n" {
			return malformedChunk("chunk not followed by CRLF")
		}
		v.out = append(v.out, crlf...)
		v.done = size == 0
		return nil
	}
	return v.readTrailer()
}

// readTrailer reads the trailing headers after the last chunk and checks
// their x-amz-trailer-signature.
func (v *chunkVerifier) readTrailer() error {
	var canonical bytes.Buffer
	for {
		line, err := v.readLine()
		if err != nil {
			return err
		}
		v.out = append(v.out, line...)
		text := strings.TrimRight(string(line), "\r\n")
		if text == "" {
			return malformedChunk("trailer without x-amz-trailer-signature")
		}
		name, value, _ := strings.Cut(text, ":")
		if strings.EqualFold(name, "x-amz-trailer-signature") {
			sum := sha256.Sum256(canonical.Bytes())
			sts := "AWS4-HMAC-SHA256-TRAILER\n" + v.res.SignedAt.Format(timeFormat) + "\n" + v.res.scope + "\n" +
				v.prev + "\n" + hex.EncodeToString(sum[:])
			if err := v.check(strings.TrimSpace(value), sts); err != nil {
				return err
			}
			end, err := v.readLine()
			if err != nil || len(bytes.TrimRight(end, "\r\n")) != 0 {
				return malformedChunk("trailer not followed by an empty line")
			}
			v.out = append(v.out, end...)
			v.done = true
			return nil
		}
		canonical.WriteString(strings.ToLower(strings.TrimSpace(name)) + ":" + strings.TrimSpace(value) + "\n")
	}
}

func (v *chunkVerifier) check(provided, stringToSign string) error {
	if !v.res.key.matches([]byte(stringToSign), provided) {
		return v.res.family.signatureMismatch(v.res.AccessKeyID, &signing{stringToSign: []byte(stringToSign)}, provided)
	}
	v.prev = provided
	return nil
}

// readLine reads one CRLF-terminated line of at most 4 KiB.
func (v *chunkVerifier) readLine() ([]byte, error) {
	line, err := v.src.ReadSlice('\n')
	if err != nil {
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, malformedChunk("chunk header too long")
		}
		return nil, malformedChunk("body ends inside a chunk header")
	}
	return append([]byte(nil), line...), nil
}

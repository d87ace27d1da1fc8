package s3

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// maxObjectSize bounds the body of one PutObject or UploadPart. S3's own
// limit is 5 GiB per PUT (Amazon S3 User Guide, "Uploading objects"), too
// much to hold in memory, where the local S3 keeps objects: the local
// limit is 256 MiB, answered with S3's EntityTooLarge before the body is
// read when its length is declared (SUPPORT.md, resource budget).
const maxObjectSize = 256 << 20

var errEntityTooLarge = awsproto.NewError("EntityTooLarge", http.StatusBadRequest,
	"Your proposed upload exceeds the maximum allowed object size.")

// checksumAlgorithms are the x-amz-checksum-* algorithms S3 accepts; nil
// hashes (CRC64NVME, not in the standard library) are stored unverified.
var checksumAlgorithms = map[string]func() hash.Hash{
	"CRC32":     func() hash.Hash { return crc32.NewIEEE() },
	"CRC32C":    func() hash.Hash { return crc32.New(crc32.MakeTable(crc32.Castagnoli)) },
	"SHA1":      sha1.New,
	"SHA256":    sha256.New,
	"CRC64NVME": nil,
}

// readPayload reads an upload's body (a PutObject or UploadPart), decoding
// aws-chunked encoding, and verifies Content-MD5 and any x-amz-checksum-*
// the client sent in a header or a trailer. It returns the data and the
// verified checksums by algorithm.
func readPayload(r *request) ([]byte, map[string]string, error) {
	chunked := isAWSChunked(r.Request)
	size := r.ContentLength
	if chunked {
		size = -1
		if v := r.Header.Get("X-Amz-Decoded-Content-Length"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return nil, nil, errInvalidArgument("x-amz-decoded-content-length", v, "Invalid x-amz-decoded-content-length")
			}
			size = n
		}
	}
	if size > maxObjectSize {
		return nil, nil, errEntityTooLarge
	}
	var (
		data     []byte
		trailers http.Header
		err      error
	)
	if chunked {
		data, trailers, err = decodeAWSChunked(bufio.NewReader(r.Body), size)
	} else {
		data, err = readExactly(r.Body, size)
	}
	if err != nil {
		return nil, nil, err
	}
	if err := verifyContentMD5(data, r.Header); err != nil {
		return nil, nil, err
	}
	checksums, err := verifyChecksums(data, r.Header, trailers)
	return data, checksums, err
}

// verifyContentMD5 checks a Content-MD5 header, when there is one.
func verifyContentMD5(data []byte, h http.Header) error {
	md5b64 := h.Get("Content-Md5")
	if md5b64 == "" {
		return nil
	}
	want, err := base64.StdEncoding.DecodeString(md5b64)
	if err != nil || len(want) != md5.Size {
		return errInvalidDigest
	}
	if got := md5.Sum(data); !bytes.Equal(got[:], want) {
		return errBadDigest("Content-MD5")
	}
	return nil
}

// hasIntegrityHeader tells whether a request names Content-MD5 or an
// x-amz-checksum-* of its body.
func hasIntegrityHeader(h http.Header) bool {
	if h.Get("Content-Md5") != "" {
		return true
	}
	for alg := range checksumAlgorithms {
		if h.Get("X-Amz-Checksum-"+alg) != "" {
			return true
		}
	}
	return false
}

func isAWSChunked(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Content-Sha256"), "STREAMING-") ||
		strings.Contains(r.Header.Get("Content-Encoding"), "aws-chunked")
}

// readExactly reads a body of a known size, or all of a body of unknown
// size (-1). Its buffer grows as the bytes arrive, so a size the client
// claims costs memory only once it is sent.
func readExactly(body io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		data, err := io.ReadAll(io.LimitReader(body, maxObjectSize+1))
		if err != nil {
			return nil, bodyError(err, fmt.Errorf("read object body: %w", err))
		}
		if len(data) > maxObjectSize {
			return nil, errEntityTooLarge
		}
		return data, nil
	}
	data, err := appendRead(nil, body, size, size)
	if err != nil {
		return nil, bodyError(err, errIncompleteBody)
	}
	return data, nil
}

// firstBodyBuffer is the capacity a body's buffer starts with, whatever
// size is claimed for it.
const firstBodyBuffer = 64 << 10

// appendRead appends exactly n bytes of r to data. The buffer grows as they
// arrive, doubling up to total (the size of the whole body when known, so
// that a body read in full holds no spare capacity), instead of being
// sized up front by a length the client claims (a hostile Content-Length,
// x-amz-decoded-content-length or chunk size would otherwise cost that
// much memory before a byte of it is sent).
func appendRead(data []byte, r io.Reader, n, total int64) ([]byte, error) {
	end := int64(len(data)) + n
	total = max(total, end)
	for int64(len(data)) < end {
		if len(data) == cap(data) {
			grown := make([]byte, len(data), min(max(2*int64(cap(data)), firstBodyBuffer), total))
			copy(grown, data)
			data = grown
		}
		k, err := io.ReadFull(r, data[len(data):min(int64(cap(data)), end)])
		data = data[:len(data)+k]
		if err != nil {
			return nil, err
		}
	}
	return data, nil
}

// bodyError is the answer to a failed body read: the AWS error the body
// failed with (a signature or hash check, the gateway's RequestTimeout),
// or otherwise.
func bodyError(err, otherwise error) error {
	var apiErr *awsproto.Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	return otherwise
}

// decodeAWSChunked decodes an aws-chunked body (Amazon S3 API Reference,
// "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks"): chunks of "hex-size[;chunk-signature=…]\r\n
// data\r\n", a zero-size chunk, then trailer lines "name:value\r\n" up to
// an empty line. decodedSize, when known (not -1), bounds the buffer's
// growth; it is checked against the chunks once they are all read.
func decodeAWSChunked(br *bufio.Reader, decodedSize int64) ([]byte, http.Header, error) {
	malformed := func(what string) error {
		return awsproto.Errorf("IncompleteBody", http.StatusBadRequest, "The aws-chunked request body is malformed: %s", what)
	}
	var data []byte
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, nil, bodyError(err, malformed("missing chunk header"))
		}
		sizeHex, _, _ := strings.Cut(strings.TrimRight(line, "\r\n"), ";")
		n, err := strconv.ParseInt(strings.TrimSpace(sizeHex), 16, 64)
		if err != nil || n < 0 {
			return nil, nil, malformed("bad chunk size " + strconv.Quote(sizeHex))
		}
		if int64(len(data))+n > maxObjectSize {
			return nil, nil, errEntityTooLarge
		}
		if n == 0 {
			break
		}
		if data, err = appendRead(data, br, n, decodedSize); err != nil {
			return nil, nil, bodyError(err, malformed("short chunk"))
		}
		if crlf, err := br.ReadString('\n'); err != nil || strings.TrimRight(crlf, "\r\n") != "" {
			return nil, nil, malformed("chunk not followed by CRLF")
		}
	}
	trailers := http.Header{}
	for {
		line, err := br.ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break // the empty line ending the trailers, or the end of the body
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, nil, malformed("bad trailer " + strconv.Quote(line))
		}
		trailers.Add(strings.TrimSpace(name), strings.TrimSpace(value))
		if err != nil {
			break
		}
	}
	if decodedSize >= 0 && int64(len(data)) != decodedSize {
		return nil, nil, errIncompleteBody
	}
	return data, trailers, nil
}

// verifyChecksums checks each x-amz-checksum-<alg> of the headers and
// trailers against the data, answering BadDigest as S3 does.
func verifyChecksums(data []byte, headers, trailers http.Header) (map[string]string, error) {
	var out map[string]string
	for _, h := range []http.Header{headers, trailers} {
		for alg, newHash := range checksumAlgorithms {
			want := h.Get("X-Amz-Checksum-" + alg)
			if want == "" {
				continue
			}
			if newHash != nil {
				hh := newHash()
				hh.Write(data)
				if got := base64.StdEncoding.EncodeToString(hh.Sum(nil)); got != want {
					return nil, errBadDigest(alg)
				}
			}
			if out == nil {
				out = map[string]string{}
			}
			out[alg] = want
		}
	}
	return out, nil
}

// md5Hex returns the hex MD5 of data, the ETag of a single PUT.
func md5Hex(data []byte) string {
	sum := md5.Sum(data)
	return fmt.Sprintf("%x", sum)
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }

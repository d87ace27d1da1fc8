package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The worked example of Amazon S3 API Reference, "Signature Calculations
// for the Authorization Header: Transferring Payload in Multiple Chunks
// (Chunked Upload)", Example: PUT Object — 66560 bytes of "a" in a 64 KiB
// chunk, a 1 KiB chunk and the final empty one, with the signatures AWS
// documents.
const (
	docsAccessKey   = "AKIAIOSFODNN7EXAMPLE"
	docsSecret      = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	docsSeed        = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	docsChunk1      = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	docsChunk2      = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	docsFinal       = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	docsDecodedSize = 66560
	// The signature of the trailer "first:1st", "second:2nd", "third:3rd"
	// chained after docsFinal, from awslabs/aws-c-auth
	// tests/sigv4_signing_tests.c (s_expected_trailing_headers_signature).
	crtTrailerSignature = "df5735bd9f3295cd9386572292562fefc93ba94e80a0a1ddcbd652c4e0a75e6c"
)

var docsTime = time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)

func docsLookup(id string) (string, string, bool) { return docsSecret, "", id == docsAccessKey }

// docsChunks is the example's body; corrupt changes one byte of the 1 KiB
// chunk.
func docsChunks(corrupt bool) []byte {
	var b bytes.Buffer
	for _, c := range []struct {
		size int
		sig  string
	}{{65536, docsChunk1}, {1024, docsChunk2}, {0, docsFinal}} {
		b.WriteString(strconv.FormatInt(int64(c.size), 16) + ";chunk-signature=" + c.sig + "\r\n")
		data := bytes.Repeat([]byte("a"), c.size)
		if corrupt && c.size == 1024 {
			data[10] = 'b'
		}
		b.Write(data)
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func docsRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPut, "/examplebucket/chunkObject.txt", bytes.NewReader(body))
	r.Host = "s3.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("X-Amz-Content-Sha256", StreamingPayload)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(docsDecodedSize))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+docsAccessKey+"/20130524/us-east-1/s3/aws4_request,"+
		"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
		"Signature="+docsSeed)
	return r
}

func TestStreamingDocsExample(t *testing.T) {
	body := docsChunks(false)
	if len(body) != 66824 {
		t.Fatalf("the example's Content-Length is 66824, body is %d", len(body))
	}
	v := Verifier{Family: S3, Lookup: docsLookup}
	r := docsRequest(body)
	res, err := v.Verify(r, Streamed(), docsTime)
	if err != nil {
		t.Fatalf("seed signature: %v", err)
	}
	got, err := io.ReadAll(res.Body(r.Body))
	if err != nil {
		t.Fatalf("chunk signatures: %v", err)
	}
	if !bytes.Equal(got, body) {
		t.Error("the verified body is not passed through unchanged")
	}

	bad := docsRequest(docsChunks(true))
	res, err = v.Verify(bad, Streamed(), docsTime)
	if err != nil {
		t.Fatalf("seed signature: %v", err)
	}
	got, err = io.ReadAll(res.Body(bad.Body))
	if errorCode(err) != "SignatureDoesNotMatch" {
		t.Fatalf("corrupted chunk: %v", err)
	}
	if len(got) != 88+65536+2 {
		t.Errorf("released %d bytes; only the first, verified chunk (65626 bytes) may pass", len(got))
	}

	reordered := docsRequest(body)
	reordered.Header.Set("X-Amz-Storage-Class", "STANDARD")
	if _, err := v.Verify(reordered, Streamed(), docsTime); errorCode(err) != "SignatureDoesNotMatch" {
		t.Errorf("tampered seed: %v", err)
	}
}

func TestStreamingTrailer(t *testing.T) {
	r := docsRequest(docsChunks(false))
	res, err := Verifier{Family: S3, Lookup: docsLookup}.Verify(r, Streamed(), docsTime)
	if err != nil {
		t.Fatal(err)
	}
	// The same chain, framed as STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER
	// with the trailer the aws-c-auth test signs.
	res.PayloadHash = StreamingPayloadTrailer
	body := docsChunks(false)
	body = body[:len(body)-2] // the final chunk is followed by the trailer, not CRLF
	for _, sig := range []string{crtTrailerSignature, strings.Repeat("0", 64)} {
		var b bytes.Buffer
		b.Write(body)
		b.WriteString("first:1st\r\nsecond:2nd\r\nthird:3rd\r\nx-amz-trailer-signature:" + sig + "\r\n\r\n")
		got, err := io.ReadAll(res.Body(&b))
		switch {
		case sig == crtTrailerSignature && err != nil:
			t.Errorf("trailer signature: %v", err)
		case sig == crtTrailerSignature && !strings.HasSuffix(string(got), sig+"\r\n\r\n"):
			t.Errorf("trailer not passed through: %q", got[len(got)-80:])
		case sig != crtTrailerSignature && errorCode(err) != "SignatureDoesNotMatch":
			t.Errorf("forged trailer signature: %v", err)
		}
	}
}

func TestStreamingMalformed(t *testing.T) {
	res, err := Verifier{Family: S3, Lookup: docsLookup}.Verify(docsRequest(docsChunks(false)), Streamed(), docsTime)
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{
		"zz;chunk-signature=" + docsChunk1 + "\r\n",
		"10000\r\naaaa",
		"10000;chunk-signature=" + docsChunk1 + "\r\naaaa",
		"400;chunk-signature=" + docsChunk1,
	} {
		if _, err := io.ReadAll(res.Body(strings.NewReader(body))); errorCode(err) != "IncompleteBody" {
			t.Errorf("%.30q: %v", body, err)
		}
	}
}

// TestStreamingClaimedSizeCostsNothingUpfront: a chunk header claiming the
// largest chunk, followed by two bytes, costs what was sent, not 16 MiB
// (found by FuzzChunkedBody).
func TestStreamingClaimedSizeCostsNothingUpfront(t *testing.T) {
	res, err := Verifier{Family: S3, Lookup: docsLookup}.Verify(docsRequest(docsChunks(false)), Streamed(), docsTime)
	if err != nil {
		t.Fatal(err)
	}
	body := strconv.FormatInt(maxChunkSize, 16) + ";chunk-signature=" + docsChunk1 + "\r\nab"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = io.ReadAll(res.Body(strings.NewReader(body)))
	runtime.ReadMemStats(&after)
	if errorCode(err) != "IncompleteBody" {
		t.Fatalf("short chunk: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
		t.Errorf("reading a %d-byte body allocated %d bytes", len(body), n)
	}
}

func TestStreamedHexHash(t *testing.T) {
	body := []byte("payload")
	r := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:4566/b/k", bytes.NewReader(body))
	r.Header.Set("X-Amz-Content-Sha256", hashHex(body))
	sign(t, r, userKey, "s3", hashHex(body))
	res, err := Verifier{Family: S3, Lookup: lookup}.Verify(r, Streamed(), signedAt)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(res.Body(r.Body)); err != nil || string(got) != "payload" {
		t.Errorf("read %q, %v", got, err)
	}
	_, err = io.ReadAll(res.Body(strings.NewReader("PAYLOAD")))
	if errorCode(err) != "XAmzContentSHA256Mismatch" {
		t.Errorf("tampered streamed body: %v", err)
	}
}

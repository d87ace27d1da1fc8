package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"strconv"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// fuzzLookup knows the suite's key and the tests' keys.
func fuzzLookup(id string) (string, string, bool) {
	if id == "AKIDEXAMPLE" {
		return "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", true
	}
	return lookup(id)
}

// readFuzzRequest parses an HTTP/1.1 request text and reads its body.
func readFuzzRequest(raw []byte) (*http.Request, []byte, bool) {
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return nil, nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	return r, body, err == nil
}

// dump renders a request as the text readFuzzRequest reads.
func dump(f *testing.F, r *http.Request) []byte {
	f.Helper()
	b, err := httputil.DumpRequest(r, true)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// fuzzSeeds are the AWS suite's requests, a header-signed S3 PUT and an
// S3 presigned GET, each with the time it verifies at.
func fuzzSeeds(f *testing.F) {
	for _, row := range loadSuite(f) {
		now, err := time.Parse(time.RFC3339, row.Now)
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(row.Request), now.Unix())
	}
	put := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:4566/bucket/dir/a%20b?tagging=x&a=%2F", strings.NewReader("body"))
	put.Header.Set("X-Amz-Content-Sha256", hashHex([]byte("body")))
	sign(f, put, userKey, "s3", hashHex([]byte("body")), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	f.Add(dump(f, put), signedAt.Unix())
	get := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/bucket/key?X-Amz-Expires=300&versionId=1", nil)
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), roleKey, get, UnsignedPayload, "s3", "us-east-1", signedAt,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		f.Fatal(err)
	}
	f.Add(dump(f, httptest.NewRequest(http.MethodGet, u, nil)), signedAt.Add(time.Minute).Unix())
}

// FuzzVerify: for any request (Authorization header or presigned query)
// at any time, each family's verifier either refuses it with an AWS error
// in the family's shape (400 for awsJson, 400 or 403 elsewhere) or
// accepts it for a known key, and then refuses it once its signature
// changes; it never panics.
func FuzzVerify(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte, unix int64) {
		now := time.Unix(unix, 0)
		for _, family := range []Family{S3, Query, JSON, RESTJSON} {
			r, body, ok := readFuzzRequest(raw)
			if !ok {
				return
			}
			v := Verifier{Family: family, Lookup: fuzzLookup}
			res, err := v.Verify(r, Body(body), now)
			if err != nil {
				var ae *awsproto.Error
				if !errors.As(err, &ae) || ae.Code == "" || (family == JSON && ae.Status != http.StatusBadRequest) ||
					(ae.Status != http.StatusBadRequest && ae.Status != http.StatusForbidden) {
					t.Fatalf("family %d: error %T %v (status %d) is not in the family's shape for\n%s", family, err, err, statusOf(err), raw)
				}
				continue
			}
			if _, _, known := fuzzLookup(res.AccessKeyID); !known || res.Service == "" || res.Region == "" {
				t.Fatalf("family %d: accepted with result %+v for\n%s", family, res, raw)
			}
			forged, body, _ := readFuzzRequest(raw)
			forgeSignature(forged)
			if _, err := v.Verify(forged, Body(body), now); err == nil {
				t.Fatalf("family %d: still accepted with its signature changed:\n%s", family, raw)
			}
		}
	})
}

func statusOf(err error) int {
	if ae := awsproto.AsError(err); ae != nil {
		return ae.Status
	}
	return 0
}

// forgeSignature flips the last character of a request's signature, in
// its presigned query or its Authorization header.
func forgeSignature(r *http.Request) {
	flip := func(s string) string {
		if s == "" {
			return "0"
		}
		last := byte('0')
		if s[len(s)-1] == '0' {
			last = '1'
		}
		return s[:len(s)-1] + string(last)
	}
	if q := r.URL.Query(); q.Has("X-Amz-Signature") {
		q.Set("X-Amz-Signature", flip(q.Get("X-Amz-Signature")))
		r.URL.RawQuery = q.Encode()
		return
	}
	r.Header.Set("Authorization", flip(strings.TrimRight(r.Header.Get("Authorization"), " \t")))
}

// FuzzChunkedBody: reading any aws-chunked body under the S3 API
// Reference's worked example's seed signature passes through only a prefix
// of the body, unchanged, and ends at io.EOF or with IncompleteBody or
// SignatureDoesNotMatch; it never panics.
func FuzzChunkedBody(f *testing.F) {
	res, err := Verifier{Family: S3, Lookup: docsLookup}.Verify(docsRequest(docsChunks(false)), Streamed(), docsTime)
	if err != nil {
		f.Fatal(err)
	}
	trailer := res
	trailer.PayloadHash = StreamingPayloadTrailer
	f.Add(signedChunks(res, "abc", "defg", ""))
	f.Add(docsChunks(true)[:2000])
	f.Add([]byte("0;chunk-signature=" + docsFinal + "\r\nx-amz-trailer-signature:" + crtTrailerSignature + "\r\n\r\n"))
	f.Add([]byte("400;chunk-signature=" + docsChunk2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, res := range []Result{res, trailer} {
			got, err := io.ReadAll(res.Body(bytes.NewReader(body)))
			if !bytes.HasPrefix(body, got) {
				t.Fatalf("%s: released %q, which is not a prefix of the body %q", res.PayloadHash, got, body)
			}
			if err != nil {
				if code := errorCode(err); code != "IncompleteBody" && code != "SignatureDoesNotMatch" {
					t.Fatalf("%s: body %q fails with %v", res.PayloadHash, body, err)
				}
			}
		}
	})
}

// signedChunks frames data as aws-chunked chunks chained from res's seed
// signature, as an SDK signs them: small valid bodies for the fuzzer.
func signedChunks(res Result, data ...string) []byte {
	var b bytes.Buffer
	prev := res.seedSignature
	for _, d := range data {
		sum := sha256.Sum256([]byte(d))
		sig := hex.EncodeToString(hmacSHA256(res.key.key, "AWS4-HMAC-SHA256-PAYLOAD\n"+res.SignedAt.Format(timeFormat)+"\n"+
			res.scope+"\n"+prev+"\n"+emptyHash+"\n"+hex.EncodeToString(sum[:])))
		b.WriteString(strconv.FormatInt(int64(len(d)), 16) + ";chunk-signature=" + sig + "\r\n" + d + "\r\n")
		prev = sig
	}
	return b.Bytes()
}

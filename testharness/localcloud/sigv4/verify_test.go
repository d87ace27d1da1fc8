package sigv4

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

var (
	signedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	userKey  = aws.Credentials{AccessKeyID: "AKIDUSER", SecretAccessKey: "user-secret"}
	roleKey  = aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "role-secret", SessionToken: "role-token"}
)

func lookup(id string) (string, string, bool) {
	for _, c := range []aws.Credentials{userKey, roleKey} {
		if c.AccessKeyID == id {
			return c.SecretAccessKey, c.SessionToken, true
		}
	}
	return "", "", false
}

func errorCode(err error) string {
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func asAWSError(t *testing.T, err error) *awsproto.Error {
	t.Helper()
	var e *awsproto.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an awsproto.Error", err)
	}
	return e
}

// jsonRequest is a DynamoDB GetItem as the SDK sends it, signed at signedAt.
func jsonRequest(t *testing.T, creds aws.Credentials, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	r.Header.Set("X-Amz-Target", "DynamoDB_20120810.GetItem")
	sign(t, r, creds, "dynamodb", hashHex([]byte(body)))
	return r
}

func sign(t testing.TB, r *http.Request, creds aws.Credentials, service, payloadHash string, opts ...func(*v4.SignerOptions)) {
	t.Helper()
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, payloadHash, service, "us-east-1", signedAt, opts...); err != nil {
		t.Fatal(err)
	}
}

func TestVerifySDKSignedJSON(t *testing.T) {
	const body = `{"TableName":"t","Key":{"PK":{"S":"USER#1"}}}`
	v := Verifier{Family: JSON, Lookup: lookup}
	res, err := v.Verify(jsonRequest(t, roleKey, body), Body([]byte(body)), signedAt.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res.AccessKeyID != "ASIAROLE" || res.Service != "dynamodb" || res.Region != "us-east-1" ||
		res.SessionToken != "role-token" || !res.SignedAt.Equal(signedAt) || res.Presigned {
		t.Errorf("result %+v", res)
	}
	if !strings.Contains(strings.Join(res.SignedHeaders, ";"), "x-amz-target") {
		t.Errorf("signed headers %v lack x-amz-target", res.SignedHeaders)
	}
}

func TestVerifyTampered(t *testing.T) {
	const body = `{"TableName":"t"}`
	for _, c := range []struct {
		name   string
		family Family
		tamper func(r *http.Request) []byte
		code   string
		status int
		msg    string
	}{
		{"signed header", JSON, func(r *http.Request) []byte {
			r.Header.Set("X-Amz-Target", "DynamoDB_20120810.DeleteTable")
			return []byte(body)
		}, "InvalidSignatureException", 400, msgMismatch},
		{"body", JSON, func(r *http.Request) []byte { return []byte(`{"TableName":"u"}`) },
			"InvalidSignatureException", 400, msgMismatch},
		{"query", Query, func(r *http.Request) []byte {
			r.URL.RawQuery = "Action=DeleteRole"
			return []byte(body)
		}, "SignatureDoesNotMatch", 403, msgMismatch},
		{"path", RESTJSON, func(r *http.Request) []byte {
			r.URL.Path = "/other"
			return []byte(body)
		}, "InvalidSignatureException", 403, msgMismatch},
		{"method", Query, func(r *http.Request) []byte {
			r.Method = http.MethodPut
			return []byte(body)
		}, "SignatureDoesNotMatch", 403, msgMismatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := jsonRequest(t, userKey, body)
			b := c.tamper(r)
			_, err := Verifier{Family: c.family, Lookup: lookup}.Verify(r, Body(b), signedAt)
			e := asAWSError(t, err)
			if e.Code != c.code || e.Status != c.status || e.Message != c.msg {
				t.Errorf("got %s %d %q, want %s %d %q", e.Code, e.Status, e.Message, c.code, c.status, c.msg)
			}
		})
	}
}

func TestVerifyWrongSecret(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/bucket/key", nil)
	r.Header.Set("X-Amz-Content-Sha256", emptyHash)
	sign(t, r, aws.Credentials{AccessKeyID: "AKIDUSER", SecretAccessKey: "not-the-secret"}, "s3", emptyHash,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	_, err := Verifier{Family: S3, Lookup: lookup}.Verify(r, Body(nil), signedAt)
	e := asAWSError(t, err)
	if e.Code != "SignatureDoesNotMatch" || e.Status != 403 || e.Message != msgS3Mismatch {
		t.Fatalf("got %v", e)
	}
	if e.Fields["AWSAccessKeyId"] != "AKIDUSER" || !strings.HasPrefix(e.Fields["CanonicalRequest"].(string), "GET\n/bucket/key\n") {
		t.Errorf("fields %v", e.Fields)
	}
}

func TestVerifyClockSkew(t *testing.T) {
	const body = `{}`
	for _, c := range []struct {
		name   string
		family Family
		offset time.Duration
		code   string
		status int
		msg    string
	}{
		{"json late", JSON, 16 * time.Minute, "InvalidSignatureException", 400,
			"Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z (20260101T001600Z - 15 min.)"},
		{"json early", JSON, -16 * time.Minute, "InvalidSignatureException", 400,
			"Signature not yet current: 20260101T000000Z is still later than 20251231T235900Z (20251231T234400Z + 15 min.)"},
		{"query late", Query, 16 * time.Minute, "SignatureDoesNotMatch", 403,
			"Signature expired: 20260101T000000Z is now earlier than 20260101T000100Z (20260101T001600Z - 15 min.)"},
		{"s3 late", S3, 16 * time.Minute, "RequestTimeTooSkewed", 403, msgS3Skewed},
		{"s3 early", S3, -16 * time.Minute, "RequestTimeTooSkewed", 403, msgS3Skewed},
		{"json within", JSON, 14 * time.Minute, "", 0, ""},
		{"json within early", JSON, -14 * time.Minute, "", 0, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := jsonRequest(t, userKey, body)
			r.Header.Set("X-Amz-Content-Sha256", hashHex([]byte(body))) // unsigned here; S3 needs it
			_, err := Verifier{Family: c.family, Lookup: lookup}.Verify(r, Body([]byte(body)), signedAt.Add(c.offset))
			if c.code == "" {
				if err != nil && c.family == JSON {
					t.Fatalf("within the skew: %v", err)
				}
				return
			}
			e := asAWSError(t, err)
			if e.Code != c.code || e.Status != c.status || e.Message != c.msg {
				t.Errorf("got %s %d %q, want %s %d %q", e.Code, e.Status, e.Message, c.code, c.status, c.msg)
			}
			if c.family == S3 && (e.Fields["RequestTime"] != "20260101T000000Z" || e.Fields["MaxAllowedSkewMilliseconds"] != "900000") {
				t.Errorf("fields %v", e.Fields)
			}
		})
	}
}

func TestVerifyCredentials(t *testing.T) {
	stranger := aws.Credentials{AccessKeyID: "AKIDNOBODY", SecretAccessKey: "x"}
	forged := aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "role-secret", SessionToken: "forged"}
	noToken := aws.Credentials{AccessKeyID: "ASIAROLE", SecretAccessKey: "role-secret"}
	for _, c := range []struct {
		name   string
		creds  aws.Credentials
		family Family
		code   string
		status int
		msg    string
	}{
		{"unknown s3", stranger, S3, "InvalidAccessKeyId", 403, msgS3UnknownKey},
		{"unknown query", stranger, Query, "InvalidClientTokenId", 403, msgInvalidToken},
		{"unknown json", stranger, JSON, "UnrecognizedClientException", 400, msgInvalidToken},
		{"unknown restjson", stranger, RESTJSON, "UnrecognizedClientException", 403, msgInvalidToken},
		{"forged token s3", forged, S3, "InvalidToken", 400, msgS3BadToken},
		{"forged token json", forged, JSON, "UnrecognizedClientException", 400, msgInvalidToken},
		{"missing token query", noToken, Query, "InvalidClientTokenId", 403, msgInvalidToken},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/b/k", nil)
			r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
			sign(t, r, c.creds, "s3", UnsignedPayload)
			_, err := Verifier{Family: c.family, Lookup: lookup}.Verify(r, Body(nil), signedAt)
			e := asAWSError(t, err)
			if e.Code != c.code || e.Status != c.status || e.Message != c.msg {
				t.Errorf("got %s %d %q, want %s %d %q", e.Code, e.Status, e.Message, c.code, c.status, c.msg)
			}
		})
	}
}

func TestVerifyMalformedAndUnsigned(t *testing.T) {
	v := Verifier{Family: JSON, Lookup: lookup}
	r := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", nil)
	if Signed(r) {
		t.Error("an unsigned request reads as signed")
	}
	if _, err := v.Verify(r, Body(nil), signedAt); errorCode(err) != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned: %v", err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUSER/20260101/us-east-1/dynamodb/aws4_request")
	r.Header.Set("X-Amz-Date", "20260101T000000Z")
	_, err := v.Verify(r, Body(nil), signedAt)
	if e := asAWSError(t, err); e.Code != "IncompleteSignatureException" ||
		!strings.HasPrefix(e.Message, "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter.") {
		t.Errorf("incomplete: %v", err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUSER/20251231/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	_, err = v.Verify(r, Body(nil), signedAt)
	if e := asAWSError(t, err); !strings.HasPrefix(e.Message, "Date in Credential scope does not match YYYYMMDD") {
		t.Errorf("scope date: %v", err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUSER/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=x-amz-date, Signature=00")
	if _, err = v.Verify(r, Body(nil), signedAt); errorCode(err) != "IncompleteSignatureException" {
		t.Errorf("host unsigned: %v", err)
	}
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDUSER/20260101/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	if _, err = (Verifier{Family: S3, Lookup: lookup}).Verify(r, Body(nil), signedAt); errorCode(err) != "InvalidRequest" {
		t.Errorf("s3 without x-amz-content-sha256: %v", err)
	}
}

// TestVerifyPathEncoding covers the one place S3 and the others differ:
// S3 signs the path as sent, the others encode it once more.
func TestVerifyPathEncoding(t *testing.T) {
	const rawPath = "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Ahello/invocations"
	u, err := url.Parse("http://127.0.0.1:4566" + rawPath + "?Qualifier=%24LATEST")
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, u.String(), nil)
	sign(t, r, userKey, "lambda", emptyHash)
	if _, err := (Verifier{Family: RESTJSON, Lookup: lookup}).Verify(r, Body(nil), signedAt); err != nil {
		t.Fatalf("lambda path: %v", err)
	}
	s3r := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:4566/bucket/a%20b/c%2Bd~e", nil)
	s3r.Header.Set("X-Amz-Content-Sha256", emptyHash)
	sign(t, s3r, userKey, "s3", emptyHash, func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if _, err := (Verifier{Family: S3, Lookup: lookup}).Verify(s3r, Body(nil), signedAt); err != nil {
		t.Fatalf("s3 path: %v", err)
	}
	// Signed with double encoding, checked as S3: the paths differ.
	if _, err := (Verifier{Family: S3, Lookup: lookup}).Verify(r, Body(nil), signedAt); errorCode(err) == "" {
		t.Error("a double-encoded signature verified with S3's single encoding")
	}
}

func TestVerifyS3PayloadHash(t *testing.T) {
	body := []byte("hello")
	r := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:4566/b/k", bytes.NewReader(body))
	r.Header.Set("X-Amz-Content-Sha256", hashHex(body))
	sign(t, r, userKey, "s3", hashHex(body), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	v := Verifier{Family: S3, Lookup: lookup}
	if _, err := v.Verify(r, Body(body), signedAt); err != nil {
		t.Fatal(err)
	}
	_, err := v.Verify(r, Body([]byte("HELLO")), signedAt)
	if e := asAWSError(t, err); e.Code != "XAmzContentSHA256Mismatch" || e.Status != 400 || e.Message != msgContentSHA256 {
		t.Errorf("tampered body: %v", err)
	}
}

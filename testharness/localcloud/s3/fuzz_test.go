package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
)

// The request bodies S3 parses, by the fuzzer's kind byte.
const (
	bodyDeleteObjects = iota
	bodyNotification
	bodyPolicy
	bodyCompleteMultipart
	bodyKinds
)

// serve sends one request straight to the service (no gateway: the body
// parsers are under test, not authentication).
func serve(svc *s3.Service, method, target string, body []byte, header http.Header) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	svc.ServeHTTP(w, r)
	return w
}

var errorCode = regexp.MustCompile(`<Code>([A-Za-z]+)</Code>`)

// FuzzXMLBodies: whatever DeleteObjects, PutBucketNotificationConfiguration,
// PutBucketPolicy or CompleteMultipartUpload is sent, S3 answers 2xx or a
// 4xx S3 error document, never a 5xx or a panic. A notification
// configuration it accepts reads back as one it accepts again unchanged,
// and objects written under it still store; a bucket policy it accepts is
// one the authorizer can compile (otherwise every later request to the
// bucket would fail).
func FuzzXMLBodies(f *testing.F) {
	for _, s := range []struct {
		kind uint8
		body string
	}{
		{bodyDeleteObjects, `<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object><Object><Key></Key><VersionId>1</VersionId></Object></Delete>`},
		{bodyDeleteObjects, `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a&amp;b/c</Key></Object></Delete>`},
		{bodyNotification, `<NotificationConfiguration><EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>`},
		{bodyNotification, `<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration><Id>q</Id><Queue>arn:aws:sqs:us-east-1:000000000000:q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>img/</Value></FilterRule><FilterRule><Name>suffix</Name><Value>.png</Value></FilterRule></S3Key></Filter></QueueConfiguration><LambdaFunctionConfiguration><CloudFunction>arn:aws:lambda:us-east-1:000000000000:function:f</CloudFunction><Event>s3:ObjectRemoved:Delete</Event></LambdaFunctionConfiguration></NotificationConfiguration>`},
		{bodyPolicy, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzz/*"}]}`},
		{bodyCompleteMultipart, `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"ETAG"</ETag></Part></CompleteMultipartUpload>`},
		{bodyCompleteMultipart, `<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>x</ETag></Part><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`},
	} {
		f.Add(s.kind, []byte(s.body))
	}
	svc := s3.New(s3.Options{Clock: clock.NewFake(start)})
	if w := serve(svc, http.MethodPut, "/fuzz", nil, nil); w.Code != http.StatusOK {
		f.Fatalf("CreateBucket: %d %s", w.Code, w.Body)
	}
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		var w *httptest.ResponseRecorder
		switch kind % bodyKinds {
		case bodyDeleteObjects:
			sum := md5.Sum(body)
			w = serve(svc, http.MethodPost, "/fuzz?delete", body, http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}})
		case bodyNotification:
			if w = serve(svc, http.MethodPut, "/fuzz?notification", body, nil); w.Code == http.StatusOK {
				checkNotificationRoundTrip(t, svc, body)
			}
		case bodyPolicy:
			if w = serve(svc, http.MethodPut, "/fuzz?policy", body, nil); w.Code < 300 {
				if _, err := policy.Parse(body); err != nil {
					t.Fatalf("PutBucketPolicy accepted %q, which the authorizer cannot compile: %v", body, err)
				}
			}
		case bodyCompleteMultipart:
			w = serve(svc, http.MethodPost, "/fuzz/mp?uploadId="+startUpload(t, svc), bytes.ReplaceAll(body, []byte("ETAG"), []byte(partETag)), nil)
		}
		checkAnswer(t, kind%bodyKinds, body, w)
	})
}

// partETag is the ETag of the one part startUpload uploads.
var partETag = func() string { s := md5.Sum([]byte("part")); return hex.EncodeToString(s[:]) }()

// startUpload starts a multipart upload of fuzz/mp with part 1 ("part")
// and returns its id.
func startUpload(t *testing.T, svc *s3.Service) string {
	t.Helper()
	w := serve(svc, http.MethodPost, "/fuzz/mp?uploads", nil, nil)
	var out struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(w.Body.Bytes(), &out); err != nil || out.UploadID == "" {
		t.Fatalf("CreateMultipartUpload: %d %s", w.Code, w.Body)
	}
	if w := serve(svc, http.MethodPut, "/fuzz/mp?partNumber=1&uploadId="+out.UploadID, []byte("part"), nil); w.Code != http.StatusOK {
		t.Fatalf("UploadPart: %d %s", w.Code, w.Body)
	}
	return out.UploadID
}

// checkNotificationRoundTrip reads back an accepted configuration, puts it
// again and reads the same; then stores an object under it.
func checkNotificationRoundTrip(t *testing.T, svc *s3.Service, body []byte) {
	t.Helper()
	first := serve(svc, http.MethodGet, "/fuzz?notification", nil, nil)
	if w := serve(svc, http.MethodPut, "/fuzz?notification", first.Body.Bytes(), nil); w.Code != http.StatusOK {
		t.Fatalf("configuration %q read back as %s, which PUT refuses: %d %s", body, first.Body, w.Code, w.Body)
	}
	if second := serve(svc, http.MethodGet, "/fuzz?notification", nil, nil); second.Body.String() != first.Body.String() {
		t.Fatalf("configuration %q reads back as\n%s\nthen, put again, as\n%s", body, first.Body, second.Body)
	}
	if w := serve(svc, http.MethodPut, "/fuzz/img/a.png", []byte("x"), nil); w.Code != http.StatusOK {
		t.Fatalf("PutObject under configuration %q: %d %s", body, w.Code, w.Body)
	}
}

func checkAnswer(t *testing.T, kind uint8, body []byte, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code < 300 {
		return
	}
	if w.Code >= 500 || w.Code < 400 || errorCode.FindSubmatch(w.Body.Bytes()) == nil {
		t.Fatalf("body kind %d %q: answered %d %s", kind, body, w.Code, w.Body)
	}
}

package s3

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// Server access logging (S3 User Guide, "Logging requests with server
// access logging"): a bucket with a LoggingEnabled configuration has one
// log record written for each request the S3 service answers about it,
// into TargetBucket under TargetPrefix. AWS delivers records in batches,
// hours later and best effort; the local cloud writes each request's record
// as its own log object once the response has been sent.

// LoggingEnabled is where a bucket's access logs go (API Reference,
// LoggingEnabled).
type LoggingEnabled struct {
	TargetBucket string `xml:"TargetBucket"`
	TargetPrefix string `xml:"TargetPrefix"`
	// TargetObjectKeyFormat picks the log objects' key format; nil and
	// SimplePrefix mean [TargetPrefix]YYYY-mm-DD-HH-MM-SS-UniqueString.
	TargetObjectKeyFormat *TargetObjectKeyFormat `xml:"TargetObjectKeyFormat,omitempty"`
}

// TargetObjectKeyFormat is SimplePrefix or PartitionedPrefix.
type TargetObjectKeyFormat struct {
	SimplePrefix      *struct{}          `xml:"SimplePrefix,omitempty"`
	PartitionedPrefix *PartitionedPrefix `xml:"PartitionedPrefix,omitempty"`
}

// PartitionedPrefix puts log objects under
// [TargetPrefix][account]/[region]/[bucket]/[YYYY]/[MM]/[DD]/.
type PartitionedPrefix struct {
	// PartitionDateSource is EventTime or DeliveryTime; both are the
	// request's time locally, as records are delivered at once.
	PartitionDateSource string `xml:"PartitionDateSource,omitempty"`
}

type bucketLoggingStatus struct {
	XMLName        xml.Name        `xml:"BucketLoggingStatus"`
	Xmlns          string          `xml:"xmlns,attr,omitempty"`
	LoggingEnabled *LoggingEnabled `xml:"LoggingEnabled"`
}

// errInvalidTargetBucketForLogging is S3's answer to a TargetBucket that
// does not exist (as the S3 API answers PutBucketLogging).
var errInvalidTargetBucketForLogging = awsproto.NewError("InvalidTargetBucketForLogging", http.StatusBadRequest,
	"The target bucket for logging does not exist")

// PutBucketLogging sets (cfg non-nil) or removes a bucket's access logging.
func (s *Service) PutBucketLogging(ctx context.Context, bucket string, cfg *LoggingEnabled) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	if cfg != nil {
		if cfg.TargetBucket == "" {
			return errMalformedXML
		}
		if s.backend.Bucket(cfg.TargetBucket) == nil {
			return errInvalidTargetBucketForLogging
		}
		c := *cfg
		cfg = &c
	}
	b.Logging = cfg
	return nil
}

func (s *Service) handleGetBucketLogging(r *request) (*response, error) {
	out := bucketLoggingStatus{Xmlns: xmlns}
	err := s.updateBucket(r.bucket, func(b *Bucket) error { out.LoggingEnabled = b.Logging; return nil })
	return &response{xml: out}, err
}

func (s *Service) handlePutBucketLogging(r *request) (*response, error) {
	var in bucketLoggingStatus
	if err := readXMLBody(r, &in); err != nil {
		return nil, err
	}
	return &response{}, s.PutBucketLogging(r.ctx, r.bucket, in.LoggingEnabled)
}

// loggingOf returns where the bucket's access logs go, nil when nowhere.
func (s *Service) loggingOf(bucket string) *LoggingEnabled {
	if bucket == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.backend.Bucket(bucket); b != nil {
		return b.Logging
	}
	return nil
}

// accessRecord is what one request's log record says about its answer.
type accessRecord struct {
	start, done time.Time
	status      int
	errorCode   string
	bytesSent   int64
	header      http.Header // the response's
}

// countingWriter counts the body bytes and keeps the status of a response.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *countingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// deliverAccessLog writes the record of request r into the log bucket.
// A log bucket deleted since the configuration was set gets nothing, as
// on AWS.
func (s *Service) deliverAccessLog(r *request, to *LoggingEnabled, sub string, rec accessRecord) {
	line := s.accessLogLine(r, sub, rec)
	key := to.TargetPrefix
	if to.TargetObjectKeyFormat != nil && to.TargetObjectKeyFormat.PartitionedPrefix != nil {
		key += arn.Account + "/" + arn.Region + "/" + r.bucket + rec.start.UTC().Format("/2006/01/02/")
	}
	var unique [8]byte
	_, _ = rand.Read(unique[:])
	key += rec.start.UTC().Format("2006-01-02-15-04-05-") + strings.ToUpper(hex.EncodeToString(unique[:]))
	_, _ = s.PutObject(context.Background(), PutInput{Bucket: to.TargetBucket, Key: key, Data: []byte(line + "\n")})
}

// accessLogLine formats a record as the S3 User Guide's "Amazon S3 server
// access log format" lays it out: space-separated fields up to
// aclRequired, "-" for what is unknown or does not apply.
func (s *Service) accessLogLine(r *request, sub string, rec accessRecord) string {
	principal, auth := "-", "-"
	switch {
	case r.Header.Get("Authorization") != "":
		auth = "AuthHeader"
	case r.query.Has("X-Amz-Signature"):
		auth = "QueryString"
	}
	if auth != "-" {
		principal = identity.FromContext(r.ctx).ARN
	}
	ip, _ := r.ctx.Value(sourceIPKey{}).(string)
	key, size := "-", "-"
	if r.key != "" {
		key = (&url.URL{Path: r.key}).EscapedPath()
		if o := s.objectOrNil(r.bucket, r.key); o != nil && r.Method != http.MethodDelete {
			size = strconv.FormatInt(o.Size(), 10)
		}
	}
	sigVersion := "-"
	if auth != "-" {
		sigVersion = "SigV4"
	}
	elapsed := strconv.FormatInt(rec.done.Sub(rec.start).Milliseconds(), 10)
	fields := []string{
		arn.Account, r.bucket, rec.start.UTC().Format("[02/Jan/2006:15:04:05 -0700]"), orDash(ip), principal,
		awsproto.RequestID(r.ctx), accessLogOperation(r, sub), key,
		quoted(r.Method + " " + r.RequestURI + " " + r.Proto), strconv.Itoa(rec.status), orDash(rec.errorCode),
		orDash(nonZero(rec.bytesSent)), size,
		// Total time and turn-around time: the same locally, where the
		// first byte and the last leave together.
		elapsed, elapsed,
		quoted(orDash(r.Referer())), quoted(orDash(r.UserAgent())), orDash(rec.header.Get("X-Amz-Version-Id")),
		orDash(rec.header.Get("X-Amz-Id-2")), sigVersion, "-", auth, orDash(r.Host), "-", "-", "-",
	}
	return strings.Join(fields, " ")
}

// objectOrNil is the stored object at bucket/key, if any.
func (s *Service) objectOrNil(bucket, key string) *Object {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.backend.Object(bucket, key)
}

// accessLogResources names a sub-resource in a log record's operation as
// the S3 User Guide's examples do (REST.GET.LOGGING_STATUS,
// REST.GET.BUCKETPOLICY, REST.POST.MULTI_OBJECT_DELETE, REST.POST.UPLOADS);
// any other sub-resource is its name in upper case.
var accessLogResources = map[string]string{
	"logging": "LOGGING_STATUS", "policy": "BUCKETPOLICY", "delete": "MULTI_OBJECT_DELETE",
	"publicAccessBlock": "PUBLIC_ACCESS_BLOCK", "uploads": "UPLOADS",
}

// accessLogOperation is a record's Operation: REST.METHOD.RESOURCE, with
// REST.COPY.OBJECT for CopyObject and REST.PUT.PART for UploadPart.
func accessLogOperation(r *request, sub string) string {
	method, resource := r.Method, "BUCKET"
	switch {
	case sub == "uploadId" && r.Method == http.MethodPut:
		resource = "PART"
	case sub == "uploadId":
		resource = "UPLOAD"
	case sub != "":
		resource = accessLogResources[sub]
		if resource == "" {
			resource = strings.ToUpper(sub)
		}
	case r.key != "":
		resource = "OBJECT"
		if r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "" {
			method = "COPY"
		}
	}
	return "REST." + method + "." + resource
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func nonZero(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func quoted(s string) string { return `"` + s + `"` }

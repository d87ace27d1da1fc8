package s3

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// request is an S3 request with its addressing resolved.
type request struct {
	*http.Request
	ctx    context.Context
	bucket string
	key    string
	query  url.Values
}

// response is what an operation answers; render writes it.
type response struct {
	status int // 200 when zero
	header http.Header
	xml    any    // marshalled as the XML body when set
	data   []byte // the raw body otherwise (object content)
}

type operation func(s *Service, r *request) (*response, error)

type level int

const (
	serviceLevel level = iota // no bucket
	bucketLevel               // bucket, no key
	objectLevel               // bucket and key
)

type routeKey struct {
	level       level
	method      string
	subresource string
}

// routes is every operation S3 answers, by addressing level, method and
// sub-resource (the first of subresources present in the query).
var routes = map[routeKey]operation{
	{serviceLevel, http.MethodGet, ""}: (*Service).handleListBuckets,

	{bucketLevel, http.MethodPut, ""}:                     (*Service).handleCreateBucket,
	{bucketLevel, http.MethodHead, ""}:                    (*Service).handleHeadBucket,
	{bucketLevel, http.MethodDelete, ""}:                  (*Service).handleDeleteBucket,
	{bucketLevel, http.MethodGet, ""}:                     (*Service).handleListObjects,
	{bucketLevel, http.MethodPost, "delete"}:              (*Service).handleDeleteObjects,
	{bucketLevel, http.MethodGet, "location"}:             (*Service).handleGetBucketLocation,
	{bucketLevel, http.MethodGet, "notification"}:         (*Service).handleGetNotification,
	{bucketLevel, http.MethodPut, "notification"}:         (*Service).handlePutNotification,
	{bucketLevel, http.MethodGet, "policy"}:               (*Service).handleGetPolicy,
	{bucketLevel, http.MethodPut, "policy"}:               (*Service).handlePutPolicy,
	{bucketLevel, http.MethodDelete, "policy"}:            (*Service).handleDeletePolicy,
	{bucketLevel, http.MethodGet, "encryption"}:           (*Service).handleGetEncryption,
	{bucketLevel, http.MethodPut, "encryption"}:           (*Service).handlePutEncryption,
	{bucketLevel, http.MethodDelete, "encryption"}:        (*Service).handleDeleteEncryption,
	{bucketLevel, http.MethodGet, "publicAccessBlock"}:    (*Service).handleGetPublicAccessBlock,
	{bucketLevel, http.MethodPut, "publicAccessBlock"}:    (*Service).handlePutPublicAccessBlock,
	{bucketLevel, http.MethodDelete, "publicAccessBlock"}: (*Service).handleDeletePublicAccessBlock,
	{bucketLevel, http.MethodGet, "versioning"}:           (*Service).handleGetVersioning,
	{bucketLevel, http.MethodPut, "versioning"}:           (*Service).handlePutVersioning,
	{bucketLevel, http.MethodGet, "logging"}:              (*Service).handleGetBucketLogging,
	{bucketLevel, http.MethodPut, "logging"}:              (*Service).handlePutBucketLogging,
	{objectLevel, http.MethodPut, ""}:                     (*Service).handlePutObject,
	{objectLevel, http.MethodGet, ""}:                     (*Service).handleGetObject,
	{objectLevel, http.MethodHead, ""}:                    (*Service).handleGetObject,
	{objectLevel, http.MethodDelete, ""}:                  (*Service).handleDeleteObject,
	{objectLevel, http.MethodPost, "uploads"}:             (*Service).handleCreateMultipartUpload,
	{objectLevel, http.MethodPut, "uploadId"}:             (*Service).handleUploadPart,
	{objectLevel, http.MethodPost, "uploadId"}:            (*Service).handleCompleteMultipartUpload,
	{objectLevel, http.MethodDelete, "uploadId"}:          (*Service).handleAbortMultipartUpload,
	{objectLevel, http.MethodGet, "uploadId"}:             (*Service).handleListParts,
}

// subresources are the query parameters that select a sub-resource in
// S3's REST API; one of them with no route answers NotImplemented.
var subresources = []string{
	"uploadId", "uploads", "delete", "location", "notification", "policy", "encryption",
	"publicAccessBlock", "versioning", "acl", "tagging", "cors", "lifecycle", "logging",
	"website", "replication", "requestPayment", "accelerate", "analytics", "inventory",
	"metrics", "intelligent-tiering", "object-lock", "ownershipControls", "policyStatus",
	"versions", "restore", "retention", "legal-hold", "torrent", "attributes", "select",
}

// ServeHTTP answers one request and, when its bucket has server access
// logging, delivers the request's log record once the answer is sent.
func (s *Service) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	r := &request{Request: hr, ctx: withSourceIP(hr.Context(), hr), query: hr.URL.Query()}
	r.bucket, r.key = s.Address(hr)
	sub := subresource(r.query)
	logTo := s.loggingOf(r.bucket)
	if logTo == nil {
		s.answer(w, r, sub)
		return
	}
	rec := accessRecord{start: s.clock.Now()}
	cw := &countingWriter{ResponseWriter: w}
	rec.errorCode = s.answer(cw, r, sub)
	rec.done, rec.status, rec.bytesSent, rec.header = s.clock.Now(), cw.status, cw.bytes, w.Header()
	s.deliverAccessLog(r, logTo, sub, rec)
}

// answer serves r and returns the AWS error code it answered with, if any.
func (s *Service) answer(w http.ResponseWriter, r *request, sub string) (errorCode string) {
	resp, err := s.dispatch(r, sub)
	if err != nil {
		awsproto.WriteS3Error(r.ctx, w, r.Request, err)
		return awsproto.AsError(err).Code
	}
	render(r, w, resp)
	return ""
}

// subresource is the first sub-resource named in the query, "" for none.
func subresource(query url.Values) string {
	for _, name := range subresources {
		if query.Has(name) {
			return name
		}
	}
	return ""
}

func (s *Service) dispatch(r *request, sub string) (*response, error) {
	lvl := objectLevel
	switch {
	case r.bucket == "":
		lvl = serviceLevel
	case r.key == "":
		lvl = bucketLevel
	}
	if !utf8.ValidString(r.key) {
		return nil, errInvalidURI
	}
	if op := routes[routeKey{lvl, r.Method, sub}]; op != nil {
		return op(s, r)
	}
	if sub != "" {
		return nil, errNotImplemented("?" + sub)
	}
	return nil, errMethodNotAllowed
}

// Address finds the bucket and key of a request: from a virtual host
// ("bucket.localhost:4566/key") or from the path ("/bucket/key"). IAM
// authorization uses it to name the resource a request acts on.
func (s *Service) Address(r *http.Request) (bucket, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	for _, suffix := range s.hostNames {
		if host == suffix {
			break
		}
		if b, ok := strings.CutSuffix(host, "."+suffix); ok {
			return b, path
		}
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// render writes a successful response with S3's request id headers.
func render(r *request, w http.ResponseWriter, resp *response) {
	h := w.Header()
	for k, v := range resp.header {
		h[k] = v
	}
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	if resp.xml != nil {
		awsproto.WriteXML(r.ctx, w, status, resp.xml)
		return
	}
	h.Set("X-Amz-Request-Id", awsproto.RequestID(r.ctx))
	h.Set("X-Amz-Id-2", "localcloud/"+awsproto.RequestID(r.ctx))
	if h.Get("Content-Length") == "" && status != http.StatusNoContent && status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(resp.data)))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.data)
	}
}

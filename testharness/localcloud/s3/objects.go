package s3

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// systemHeaders are the HTTP headers S3 stores with an object and returns
// on GET and HEAD; every other request header except x-amz-meta-* is
// dropped.
var systemHeaders = []string{
	"Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding",
	"Content-Language", "Expires", "X-Amz-Website-Redirect-Location",
}

// defaultContentType is what S3 stores when a PUT names no Content-Type.
const defaultContentType = "binary/octet-stream"

// PutInput is an object to store through the Go API.
type PutInput struct {
	Bucket, Key string
	Data        []byte
	// Metadata is user metadata; keys are lowercased as S3 does.
	Metadata map[string]string
	// System holds stored headers by canonical name ("Content-Type").
	System       map[string]string
	StorageClass string
	Checksums    map[string]string
	// Condition makes the write conditional on the object it replaces.
	Condition WriteCondition
}

// PutObject stores an object and, when the bucket enables EventBridge,
// sends "Object Created" with reason PutObject. The data is kept, not
// copied: the caller must not change it afterwards.
func (s *Service) PutObject(ctx context.Context, in PutInput) (*Object, error) {
	o := &Object{Key: in.Key, Data: in.Data, ETag: `"` + md5Hex(in.Data) + `"`,
		Metadata: lowerKeys(in.Metadata), System: in.System, StorageClass: in.StorageClass, Checksums: in.Checksums}
	return s.store(ctx, in.Bucket, o, ReasonPutObject, in.Condition)
}

// store puts o into bucket when cond holds, stamping its time and
// version, and publishes the event of reason after unlocking.
func (s *Service) store(ctx context.Context, bucket string, o *Object, reason string, cond WriteCondition) (*Object, error) {
	if len(o.Key) > 1024 {
		return nil, errKeyTooLong
	}
	if o.System == nil {
		o.System = map[string]string{}
	}
	if o.System["Content-Type"] == "" {
		o.System["Content-Type"] = defaultContentType
	}
	s.mu.Lock()
	b, err := s.bucket(bucket)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	if err := cond.check(o.Key, s.backend.Object(bucket, o.Key)); err != nil {
		s.mu.Unlock()
		return nil, err
	}
	// HTTP dates have second precision; keeping only seconds makes
	// If-Modified-Since with a returned Last-Modified exact.
	o.LastModified = s.clock.Now().UTC().Truncate(time.Second)
	if b.Versioning == "Enabled" {
		o.VersionID = newVersionID()
	}
	s.backend.PutObject(bucket, o)
	ev := s.objectEvent(ctx, b, o, DetailTypeObjectCreated, reason)
	s.mu.Unlock()
	s.publish(ctx, ev)
	return o, nil
}

// GetObject returns a stored object (immutable; see Object).
func (s *Service) GetObject(ctx context.Context, bucket, key string) (*Object, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(bucket); err != nil {
		return nil, err
	}
	o := s.backend.Object(bucket, key)
	if o == nil {
		return nil, errNoSuchKey(key)
	}
	return o, nil
}

// DeleteObject deletes an object; deleting a missing key succeeds, as in
// S3. Only a deletion that removed something sends "Object Deleted".
func (s *Service) DeleteObject(ctx context.Context, bucket, key string) error {
	s.mu.Lock()
	ev, err := s.deleteLocked(ctx, bucket, key)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	s.publish(ctx, ev)
	return nil
}

// deleteLocked deletes one object and returns its event. Must hold s.mu.
func (s *Service) deleteLocked(ctx context.Context, bucket, key string) (*Event, error) {
	b, err := s.bucket(bucket)
	if err != nil {
		return nil, err
	}
	o := s.backend.Object(bucket, key)
	if o == nil || !s.backend.DeleteObject(bucket, key) {
		return nil, nil
	}
	return s.objectEvent(ctx, b, o, DetailTypeObjectDeleted, ReasonDeleteObject), nil
}

func newVersionID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// maxUserMetadataBytes is S3's limit on user metadata: "the sum of the
// number of bytes in the UTF-8 encoding of each key and value" at most
// 2 KB (S3 User Guide, "Working with object metadata").
const maxUserMetadataBytes = 2 << 10

// metadataFromHeaders takes user metadata (x-amz-meta-*, lowercased) and
// the stored system headers from a request; nothing else is kept. User
// metadata over maxUserMetadataBytes is MetadataTooLarge.
func metadataFromHeaders(h http.Header) (user, system map[string]string, err error) {
	user, system = map[string]string{}, map[string]string{}
	size := 0
	for name, values := range h {
		if rest, ok := cutPrefixFold(name, "x-amz-meta-"); ok {
			v := strings.Join(values, ",")
			user[strings.ToLower(rest)] = v
			size += len(rest) + len(v)
		}
	}
	if size > maxUserMetadataBytes {
		return nil, nil, errMetadataTooLarge
	}
	for _, name := range systemHeaders {
		if v := h.Get(name); v != "" {
			system[name] = v
		}
	}
	// aws-chunked describes the request's transfer, not the object.
	if enc, ok := system["Content-Encoding"]; ok {
		var kept []string
		for _, part := range strings.Split(enc, ",") {
			if p := strings.TrimSpace(part); p != "" && p != "aws-chunked" {
				kept = append(kept, p)
			}
		}
		if len(kept) == 0 {
			delete(system, "Content-Encoding")
		} else {
			system["Content-Encoding"] = strings.Join(kept, ",")
		}
	}
	return user, system, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return "", false
}

func (s *Service) handlePutObject(r *request) (*response, error) {
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		return s.handleCopyObject(r)
	}
	cond, err := writeConditionFromHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	user, system, err := metadataFromHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	data, checksums, err := readPayload(r)
	if err != nil {
		return nil, err
	}
	o, err := s.PutObject(r.ctx, PutInput{Bucket: r.bucket, Key: r.key, Data: data, Metadata: user, System: system,
		StorageClass: r.Header.Get("X-Amz-Storage-Class"), Checksums: checksums, Condition: cond})
	if err != nil {
		return nil, err
	}
	h := http.Header{"Etag": {o.ETag}}
	for alg, v := range o.Checksums {
		h.Set("X-Amz-Checksum-"+alg, v)
	}
	setVersion(h, o)
	return &response{header: h}, nil
}

func setVersion(h http.Header, o *Object) {
	if o.VersionID != "" {
		h.Set("X-Amz-Version-Id", o.VersionID)
	}
}

// responseOverrides are GetObject's response-* query parameters, which
// replace the stored header of the same name in one response.
var responseOverrides = map[string]string{
	"response-content-type": "Content-Type", "response-content-language": "Content-Language",
	"response-expires": "Expires", "response-cache-control": "Cache-Control",
	"response-content-disposition": "Content-Disposition", "response-content-encoding": "Content-Encoding",
}

// objectHeaders are the headers of a GET or HEAD of o.
func objectHeaders(o *Object) http.Header {
	h := http.Header{
		"Etag":          {o.ETag},
		"Last-Modified": {o.LastModified.Format(http.TimeFormat)},
		"Accept-Ranges": {"bytes"},
	}
	for name, v := range o.System {
		h.Set(name, v)
	}
	for k, v := range o.Metadata {
		h["X-Amz-Meta-"+k] = []string{v}
	}
	if o.StorageClass != "" && o.StorageClass != "STANDARD" {
		h.Set("X-Amz-Storage-Class", o.StorageClass)
	}
	if o.PartsCount > 0 {
		h.Set("X-Amz-Mp-Parts-Count", strconv.Itoa(o.PartsCount))
	}
	setVersion(h, o)
	return h
}

// handleGetObject serves GetObject and HeadObject. A range is served as a
// slice of the stored data, never a copy.
func (s *Service) handleGetObject(r *request) (*response, error) {
	o, err := s.GetObject(r.ctx, r.bucket, r.key)
	if err != nil {
		return nil, err
	}
	h := objectHeaders(o)
	if status, err := checkConditions(r.Header, o); err != nil || status != 0 {
		if status == http.StatusNotModified {
			return &response{status: status, header: http.Header{"Etag": h["Etag"], "Last-Modified": h["Last-Modified"]}}, nil
		}
		return nil, err
	}
	for param, name := range responseOverrides {
		if v := r.query.Get(param); v != "" {
			h.Set(name, v)
		}
	}
	first, last, ranged, err := parseRange(r.Header.Get("Range"), o.Size())
	if err != nil {
		return nil, err
	}
	if !ranged {
		if strings.EqualFold(r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
			for alg, v := range o.Checksums {
				h.Set("X-Amz-Checksum-"+alg, v)
			}
		}
		h.Set("Content-Length", strconv.FormatInt(o.Size(), 10))
		return &response{header: h, data: o.Data}, nil
	}
	h.Set("Content-Range", "bytes "+strconv.FormatInt(first, 10)+"-"+strconv.FormatInt(last, 10)+"/"+strconv.FormatInt(o.Size(), 10))
	h.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
	return &response{status: http.StatusPartialContent, header: h, data: o.Data[first : last+1]}, nil
}

func (s *Service) handleDeleteObject(r *request) (*response, error) {
	if err := s.DeleteObject(r.ctx, r.bucket, r.key); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent}, nil
}

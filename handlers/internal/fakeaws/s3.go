package fakeaws

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Object is an S3 object as the fake stores it. Data holds the first bytes;
// the object continues with zeros up to Size, generated as it is served, so
// a 100 MB object costs no memory.
type Object struct {
	Data     []byte
	Size     int64
	Metadata map[string]string // user metadata, keys lowercase
	// System metadata S3 keeps with the object, header name → value
	// (Content-Type, Cache-Control, Content-Disposition, Content-Encoding,
	// Content-Language, Expires, x-amz-storage-class, ...).
	Headers map[string]string
	ETag    string // without quotes
}

type object struct {
	Object
	modified time.Time
}

// carriedHeaders are the system metadata a CopyObject with
// MetadataDirective REPLACE takes from the request.
var carriedHeaders = []string{"Content-Type", "Cache-Control", "Content-Disposition", "Content-Encoding",
	"Content-Language", "Expires", "X-Amz-Storage-Class", "X-Amz-Website-Redirect-Location",
	"X-Amz-Server-Side-Encryption", "X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id"}

// PutObject stores an object; Size 0 means len(Data). It returns the ETag.
func (s *Server) PutObject(bucket, key string, o Object) string {
	if o.Size == 0 {
		o.Size = int64(len(o.Data))
	}
	sum := md5.Sum(append(append([]byte(nil), o.Data...), strconv.FormatInt(o.Size, 10)...))
	o.ETag = hex.EncodeToString(sum[:])
	o.Metadata = lowerKeys(o.Metadata)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.objects[bucket+"/"+key] = &object{Object: o, modified: time.Now().UTC()}
	return o.ETag
}

// GetObject returns a copy of a stored object.
func (s *Server) GetObject(bucket, key string) (Object, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[bucket+"/"+key]
	if !ok {
		return Object{}, false
	}
	c := o.Object
	c.Metadata = maps.Clone(o.Metadata)
	c.Headers = maps.Clone(o.Headers)
	return c, true
}

// BytesServed is the number of object bytes written to GetObject responses.
func (s *Server) BytesServed() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytesServed
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Key       string `xml:",omitempty"`
	RequestID string `xml:"RequestId"`
}

func s3ErrorResponse(w http.ResponseWriter, f Fault) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(f.Status)
	_ = xml.NewEncoder(w).Encode(s3Error{Code: f.Code, Message: f.Message, RequestID: "FAKE"})
}

func (s *Server) routeS3(w http.ResponseWriter, r *http.Request) {
	path, err := url.PathUnescape(r.URL.EscapedPath())
	bucket, key, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if err != nil || bucket == "" || key == "" {
		s3ErrorResponse(w, Fault{http.StatusNotImplemented, "NotImplemented", "fakeaws serves object requests only"})
		return
	}
	switch {
	case r.Method == http.MethodGet:
		if s.begin(w, r, "GetObject", bucket, key, s3ErrorResponse) {
			s.getObject(w, r, bucket, key)
		}
	case r.Method == http.MethodPut && r.Header.Get("X-Amz-Copy-Source") != "":
		if s.begin(w, r, "CopyObject", bucket, key, s3ErrorResponse) {
			s.copyObject(w, r, bucket, key)
		}
	default:
		s3ErrorResponse(w, Fault{http.StatusNotImplemented, "NotImplemented", "fakeaws does not implement " + r.Method + " on objects"})
	}
}

func (s *Server) getObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	s.mu.Lock()
	o, ok := s.objects[bucket+"/"+key]
	var snapshot object
	if ok {
		snapshot = *o
	}
	s.mu.Unlock()
	if !ok {
		s3ErrorResponse(w, Fault{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."})
		return
	}
	start, end := int64(0), snapshot.Size-1
	status := http.StatusOK
	if rng := r.Header.Get("Range"); rng != "" {
		var a, b int64
		if _, err := fmt.Sscanf(rng, "bytes=%d-%d", &a, &b); err != nil || a > b {
			s3ErrorResponse(w, Fault{http.StatusNotImplemented, "NotImplemented", "fakeaws supports Range bytes=a-b only"})
			return
		}
		if a >= snapshot.Size {
			s3ErrorResponse(w, Fault{http.StatusRequestedRangeNotSatisfiable, "InvalidRange", "The requested range is not satisfiable"})
			return
		}
		start, end, status = a, min(b, snapshot.Size-1), http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, snapshot.Size))
	}
	h := w.Header()
	for k, v := range snapshot.Headers {
		h.Set(k, v)
	}
	for k, v := range snapshot.Metadata {
		h["X-Amz-Meta-"+k] = []string{v}
	}
	h.Set("ETag", `"`+snapshot.ETag+`"`)
	h.Set("Last-Modified", snapshot.modified.Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	h.Set("Content-Length", strconv.FormatInt(end-start+1, 10))
	w.WriteHeader(status)
	n, _ := io.Copy(w, io.NewSectionReader(&lazyContent{snapshot.Data}, start, end-start+1))
	s.mu.Lock()
	s.bytesServed += n
	s.mu.Unlock()
}

// lazyContent reads data followed by zeros.
type lazyContent struct{ data []byte }

func (c *lazyContent) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	if off < int64(len(c.data)) {
		n = copy(p, c.data[off:])
	}
	clear(p[n:])
	return len(p), nil
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	ETag         string
	LastModified string
}

func (s *Server) copyObject(w http.ResponseWriter, r *http.Request, bucket, key string) {
	src, err := url.PathUnescape(strings.TrimPrefix(r.Header.Get("X-Amz-Copy-Source"), "/"))
	if err != nil {
		s3ErrorResponse(w, Fault{http.StatusBadRequest, "InvalidArgument", "Invalid copy source encoding"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.objects[src]
	if !ok {
		s3ErrorResponse(w, Fault{http.StatusNotFound, "NoSuchKey", "The specified key does not exist."})
		return
	}
	if m := r.Header.Get("X-Amz-Copy-Source-If-Match"); m != "" && strings.Trim(m, `"`) != o.ETag {
		s3ErrorResponse(w, Fault{http.StatusPreconditionFailed, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold"})
		return
	}
	replace := r.Header.Get("X-Amz-Metadata-Directive") == "REPLACE"
	if src == bucket+"/"+key && !replace {
		s3ErrorResponse(w, Fault{http.StatusBadRequest, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."})
		return
	}
	dst := &object{Object: o.Object, modified: time.Now().UTC()}
	dst.Data = o.Data
	if replace {
		dst.Metadata = map[string]string{}
		for k, v := range r.Header {
			if name, ok := strings.CutPrefix(k, "X-Amz-Meta-"); ok {
				dst.Metadata[strings.ToLower(name)] = v[0]
			}
		}
		dst.Headers = map[string]string{}
		for _, k := range carriedHeaders {
			if v := r.Header.Get(k); v != "" {
				dst.Headers[k] = v
			}
		}
	}
	s.objects[bucket+"/"+key] = dst
	w.Header().Set("Content-Type", "application/xml")
	_ = xml.NewEncoder(w).Encode(copyObjectResult{ETag: `"` + dst.ETag + `"`, LastModified: dst.modified.Format(time.RFC3339)})
}

package s3

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkConditions evaluates GetObject/HeadObject's conditional headers as
// S3 does (RFC 7232 order): If-Match, else If-Unmodified-Since, may fail
// with 412; If-None-Match, else If-Modified-Since, may answer 304.
func checkConditions(h http.Header, o *Object) (status int, err error) {
	c := conditions{
		ifMatch: h.Get("If-Match"), ifNoneMatch: h.Get("If-None-Match"),
		ifModifiedSince: h.Get("If-Modified-Since"), ifUnmodifiedSince: h.Get("If-Unmodified-Since"),
	}
	failed, notModified := c.evaluate(o)
	switch {
	case failed != "":
		return http.StatusPreconditionFailed, errPreconditionFailed(failed)
	case notModified:
		return http.StatusNotModified, nil
	}
	return 0, nil
}

// conditions are the four preconditions, shared by GET and CopyObject's
// x-amz-copy-source-if-* headers.
type conditions struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
}

// evaluate returns the header of a failed 412 precondition, or whether
// the object is not modified (304; CopyObject turns it into 412 too).
// S3's documented pairs: If-Match true wins over If-Unmodified-Since
// false; If-None-Match false wins over If-Modified-Since true.
func (c conditions) evaluate(o *Object) (failed string, notModified bool) {
	if c.ifMatch != "" {
		if !etagMatches(c.ifMatch, o.ETag) {
			return "If-Match", false
		}
	} else if t, ok := parseHTTPTime(c.ifUnmodifiedSince); ok && o.LastModified.After(t) {
		return "If-Unmodified-Since", false
	}
	if c.ifNoneMatch != "" {
		return "", etagMatches(c.ifNoneMatch, o.ETag)
	}
	if t, ok := parseHTTPTime(c.ifModifiedSince); ok && !o.LastModified.After(t) {
		return "", true
	}
	return "", false
}

func etagMatches(header, etag string) bool {
	for _, candidate := range strings.Split(header, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || unquote(strings.TrimPrefix(candidate, "W/")) == unquote(etag) {
			return true
		}
	}
	return false
}

func parseHTTPTime(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// parseRange reads a Range header for an object of size bytes. S3 serves
// one range: "bytes=a-b", "bytes=a-" or "bytes=-n". A header it cannot
// parse, or one with several ranges, is ignored (the whole object is
// served); a range that starts past the end is InvalidRange (416).
func parseRange(header string, size int64) (first, last int64, ranged bool, err error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(header), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return 0, 0, false, nil
	}
	a, b, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return 0, 0, false, nil
	}
	switch {
	case a == "": // suffix: the last n bytes
		n, perr := strconv.ParseInt(b, 10, 64)
		if perr != nil || n < 0 {
			return 0, 0, false, nil
		}
		if n == 0 || size == 0 {
			return 0, 0, false, errInvalidRange(header, size)
		}
		return max(size-n, 0), size - 1, true, nil
	default:
		start, perr := strconv.ParseInt(a, 10, 64)
		if perr != nil || start < 0 {
			return 0, 0, false, nil
		}
		end := size - 1
		if b != "" {
			if end, perr = strconv.ParseInt(b, 10, 64); perr != nil || end < start {
				return 0, 0, false, nil
			}
		}
		if start >= size {
			return 0, 0, false, errInvalidRange(header, size)
		}
		return start, min(end, size-1), true, nil
	}
}

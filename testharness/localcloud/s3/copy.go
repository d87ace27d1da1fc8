package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
)

// CopyInput is a CopyObject request through the Go API.
type CopyInput struct {
	SourceBucket, SourceKey string
	Bucket, Key             string
	// Replace is x-amz-metadata-directive REPLACE: the copy takes
	// Metadata and System from this input instead of from the source.
	Replace      bool
	Metadata     map[string]string
	System       map[string]string
	StorageClass string
	// ChangesEncryptionOrRedirect tells that the request sets server-side
	// encryption or a website redirect, which makes a copy onto itself
	// legal without REPLACE.
	ChangesEncryptionOrRedirect bool
	// The x-amz-copy-source-if-* preconditions (HTTP dates for the
	// times); any that fails answers PreconditionFailed.
	IfMatch, IfNoneMatch, IfModifiedSince, IfUnmodifiedSince string
	// Destination is If-Match/If-None-Match: a condition on the object
	// the copy replaces.
	Destination WriteCondition
}

const errCopyToItself = "This copy request is illegal because it is trying to copy an object to itself " +
	"without changing the object's metadata, storage class, website redirect location or encryption attributes."

// CopyObject copies an object and, when the destination bucket enables
// EventBridge, sends "Object Created" with reason CopyObject. The copy
// shares the source's data, which is immutable.
func (s *Service) CopyObject(ctx context.Context, in CopyInput) (*Object, error) {
	src, err := s.GetObject(ctx, in.SourceBucket, in.SourceKey)
	if err != nil {
		return nil, err
	}
	c := conditions{ifMatch: in.IfMatch, ifNoneMatch: in.IfNoneMatch,
		ifModifiedSince: in.IfModifiedSince, ifUnmodifiedSince: in.IfUnmodifiedSince}
	if failed, notModified := c.evaluate(src); failed != "" || notModified {
		if failed == "" {
			failed = "x-amz-copy-source-If-None-Match"
			if in.IfNoneMatch == "" {
				failed = "x-amz-copy-source-If-Modified-Since"
			}
		}
		return nil, errPreconditionFailed(failed)
	}
	sameStorageClass := in.StorageClass == "" || in.StorageClass == src.StorageClass ||
		in.StorageClass == "STANDARD" && src.StorageClass == ""
	if in.SourceBucket == in.Bucket && in.SourceKey == in.Key && !in.Replace &&
		sameStorageClass && !in.ChangesEncryptionOrRedirect {
		return nil, errInvalidRequest(errCopyToItself)
	}
	o := &Object{Key: in.Key, Data: src.Data, ETag: `"` + md5Hex(src.Data) + `"`,
		Metadata: src.Metadata, System: src.System, StorageClass: in.StorageClass, Checksums: src.Checksums}
	if in.Replace {
		o.Metadata, o.System = lowerKeys(in.Metadata), in.System
	}
	return s.store(ctx, in.Bucket, o, ReasonCopyObject, in.Destination)
}

// parseCopySource reads x-amz-copy-source: "[/]bucket/key[?versionId=…]",
// URL-encoded.
func parseCopySource(v string) (bucket, key string, err error) {
	path, _, _ := strings.Cut(v, "?versionId=")
	decoded, uerr := url.PathUnescape(path)
	bucket, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if uerr != nil || !ok || bucket == "" || key == "" {
		return "", "", errInvalidArgument("x-amz-copy-source", v,
			"Copy Source must mention the source bucket and key: sourcebucket/sourcekey")
	}
	return bucket, key, nil
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
}

func (s *Service) handleCopyObject(r *request) (*response, error) {
	srcBucket, srcKey, err := parseCopySource(r.Header.Get("X-Amz-Copy-Source"))
	if err != nil {
		return nil, err
	}
	dest, err := writeConditionFromHeaders(r.Header)
	if err != nil {
		return nil, err
	}
	in := CopyInput{SourceBucket: srcBucket, SourceKey: srcKey, Bucket: r.bucket, Key: r.key,
		StorageClass:                r.Header.Get("X-Amz-Storage-Class"),
		ChangesEncryptionOrRedirect: r.Header.Get("X-Amz-Server-Side-Encryption") != "" || r.Header.Get("X-Amz-Website-Redirect-Location") != "",
		IfMatch:                     r.Header.Get("X-Amz-Copy-Source-If-Match"),
		IfNoneMatch:                 r.Header.Get("X-Amz-Copy-Source-If-None-Match"),
		IfModifiedSince:             r.Header.Get("X-Amz-Copy-Source-If-Modified-Since"),
		IfUnmodifiedSince:           r.Header.Get("X-Amz-Copy-Source-If-Unmodified-Since"),
		Destination:                 dest,
	}
	switch d := r.Header.Get("X-Amz-Metadata-Directive"); d {
	case "", "COPY":
	case "REPLACE":
		in.Replace = true
		if in.Metadata, in.System, err = metadataFromHeaders(r.Header); err != nil {
			return nil, err
		}
	default:
		return nil, errInvalidArgument("x-amz-metadata-directive", d, "Unknown metadata directive.")
	}
	o, err := s.CopyObject(r.ctx, in)
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	setVersion(h, o)
	return &response{header: h, xml: copyObjectResult{Xmlns: xmlns, ETag: o.ETag, LastModified: o.LastModified.Format(timeFormatISO)}}, nil
}

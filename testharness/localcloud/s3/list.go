package s3

import (
	"encoding/base64"
	"encoding/xml"
	"strconv"
	"strings"
)

// listing is one page of ListObjects(V2).
type listing struct {
	contents       []*Object
	commonPrefixes []string
	truncated      bool
	next           string // the last key or common prefix of the page
}

// list pages through a bucket's keys after marker, rolling keys up to
// common prefixes at delimiter. Must hold s.mu.
func (s *Service) list(bucket, prefix, delimiter, marker string, maxKeys int) (listing, error) {
	var out listing
	if _, err := s.bucket(bucket); err != nil {
		return out, err
	}
	lastPrefix := ""
	for _, key := range s.backend.Keys(bucket) {
		if key <= marker || !strings.HasPrefix(key, prefix) {
			continue
		}
		// A marker that is a common prefix covers every key under it.
		if delimiter != "" && strings.HasSuffix(marker, delimiter) && strings.HasPrefix(key, marker) {
			continue
		}
		item, isPrefix := key, false
		if delimiter != "" {
			if i := strings.Index(key[len(prefix):], delimiter); i >= 0 {
				item, isPrefix = key[:len(prefix)+i+len(delimiter)], true
				if item == lastPrefix {
					continue
				}
			}
		}
		if len(out.contents)+len(out.commonPrefixes) == maxKeys {
			out.truncated = true
			break
		}
		if isPrefix {
			out.commonPrefixes = append(out.commonPrefixes, item)
			lastPrefix = item
		} else {
			out.contents = append(out.contents, s.backend.Object(bucket, key))
		}
		out.next = item
	}
	return out, nil
}

type listBucketResult struct {
	XMLName               xml.Name       `xml:"ListBucketResult"`
	Xmlns                 string         `xml:"xmlns,attr"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	Marker                *string        `xml:"Marker"`
	NextMarker            string         `xml:"NextMarker,omitempty"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	MaxKeys               int            `xml:"MaxKeys"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	KeyCount              *int           `xml:"KeyCount"`
	IsTruncated           bool           `xml:"IsTruncated"`
	Contents              []listEntry    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
}

type listEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	StorageClass string `xml:"StorageClass"`
	Owner        *owner `xml:"Owner"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// handleListObjects serves ListObjectsV2 (list-type=2) and the original
// ListObjects.
func (s *Service) handleListObjects(r *request) (*response, error) {
	q := r.query
	v2 := q.Get("list-type") == "2"
	maxKeys := 1000
	if v := q.Get("max-keys"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return nil, errInvalidArgument("max-keys", v, "Provided max-keys not an integer or within integer range")
		}
		maxKeys = min(n, 1000)
	}
	encodingType := q.Get("encoding-type")
	if encodingType != "" && encodingType != "url" {
		return nil, errInvalidArgument("encoding-type", encodingType, "Invalid Encoding Method specified in Request")
	}
	enc := func(v string) string {
		if encodingType == "url" {
			return urlEncodedKey(v)
		}
		return v
	}
	prefix, delimiter := q.Get("prefix"), q.Get("delimiter")
	marker := q.Get("marker")
	if v2 {
		marker = q.Get("start-after")
		if token := q.Get("continuation-token"); token != "" {
			decoded, err := base64.RawURLEncoding.DecodeString(token)
			if err != nil {
				return nil, errInvalidArgument("continuation-token", token, "The continuation token provided is incorrect")
			}
			marker = max(marker, string(decoded))
		}
	}
	s.mu.Lock()
	page, err := s.list(r.bucket, prefix, delimiter, marker, maxKeys)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	out := listBucketResult{Xmlns: xmlns, Name: r.bucket, Prefix: enc(prefix), Delimiter: enc(delimiter),
		MaxKeys: maxKeys, EncodingType: encodingType, IsTruncated: page.truncated}
	for _, o := range page.contents {
		e := listEntry{Key: enc(o.Key), LastModified: o.LastModified.Format(timeFormatISO), ETag: o.ETag,
			Size: o.Size(), StorageClass: storageClassOf(o)}
		if !v2 {
			own := ownerOf(r.ctx)
			e.Owner = &own
		}
		out.Contents = append(out.Contents, e)
	}
	for _, p := range page.commonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	if v2 {
		n := len(out.Contents) + len(out.CommonPrefixes)
		out.KeyCount = &n
		out.ContinuationToken = q.Get("continuation-token")
		out.StartAfter = enc(q.Get("start-after"))
		if page.truncated {
			out.NextContinuationToken = base64.RawURLEncoding.EncodeToString([]byte(page.next))
		}
	} else {
		m := enc(marker)
		out.Marker = &m
		if page.truncated && delimiter != "" {
			out.NextMarker = enc(page.next)
		}
	}
	return &response{xml: out}, nil
}

func storageClassOf(o *Object) string {
	if o.StorageClass == "" {
		return "STANDARD"
	}
	return o.StorageClass
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId"`
	} `xml:"Object"`
}

type deleteResult struct {
	XMLName xml.Name        `xml:"DeleteResult"`
	Xmlns   string          `xml:"xmlns,attr"`
	Deleted []deletedObject `xml:"Deleted"`
	Errors  []deleteError   `xml:"Error"`
}

type deletedObject struct {
	Key string `xml:"Key"`
}

type deleteError struct {
	Key     string `xml:"Key"`
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// handleDeleteObjects deletes up to 1,000 keys; each deletion that
// removed an object sends "Object Deleted" with reason DeleteObject.
func (s *Service) handleDeleteObjects(r *request) (*response, error) {
	if !hasIntegrityHeader(r.Header) {
		return nil, errMissingContentMD5
	}
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	if err := verifyContentMD5(body, r.Header); err != nil {
		return nil, err
	}
	if _, err := verifyChecksums(body, r.Header, nil); err != nil {
		return nil, err
	}
	var req deleteRequest
	if err := xml.Unmarshal(body, &req); err != nil {
		return nil, errMalformedXML
	}
	if len(req.Objects) == 0 || len(req.Objects) > 1000 {
		return nil, errMalformedXML
	}
	out := deleteResult{Xmlns: xmlns}
	var events []*Event
	s.mu.Lock()
	for _, obj := range req.Objects {
		if obj.Key == "" {
			out.Errors = append(out.Errors, deleteError{Key: obj.Key, Code: "InvalidArgument", Message: "Invalid key"})
			continue
		}
		ev, err := s.deleteLocked(r.ctx, r.bucket, obj.Key)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		events = append(events, ev)
		if !req.Quiet {
			out.Deleted = append(out.Deleted, deletedObject{Key: obj.Key})
		}
	}
	s.mu.Unlock()
	s.publish(r.ctx, events...)
	return &response{xml: out}, nil
}

package s3

import (
	"context"
	"encoding/xml"
	"net"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// validBucketName applies S3's general purpose bucket naming rules: 3–63
// characters of lowercase letters, digits, dots and hyphens, beginning and
// ending with a letter or digit, no "..", not an IP address.
func validBucketName(name string) bool {
	if len(name) < 3 || len(name) > 63 || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return false
	}
	for i, c := range name {
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		if (i == 0 || i == len(name)-1) && !alnum {
			return false
		}
		if !alnum && c != '.' && c != '-' {
			return false
		}
	}
	return true
}

// CreateBucket creates an empty bucket.
func (s *Service) CreateBucket(ctx context.Context, name string) error {
	if !validBucketName(name) {
		return errInvalidBucketName(name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backend.Bucket(name) != nil {
		return errBucketAlreadyOwnedByYou(name)
	}
	s.backend.PutBucket(&Bucket{Name: name, CreationDate: s.clock.Now().UTC()})
	return nil
}

// DeleteBucket deletes an empty bucket.
func (s *Service) DeleteBucket(ctx context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.bucket(name); err != nil {
		return err
	}
	if len(s.backend.Keys(name)) > 0 {
		return errBucketNotEmpty(name)
	}
	for id, u := range s.uploads {
		if u.bucket == name {
			delete(s.uploads, id)
		}
	}
	s.backend.DeleteBucket(name)
	return nil
}

// BucketNames returns the names of all buckets, in order.
func (s *Service) BucketNames() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, b := range s.backend.Buckets() {
		names = append(names, b.Name)
	}
	return names
}

func (s *Service) handleCreateBucket(r *request) (*response, error) {
	// The body, when any, is a CreateBucketConfiguration naming the
	// region; the local cloud has one, so it is read only to be valid.
	var cfg struct {
		XMLName  xml.Name `xml:"CreateBucketConfiguration"`
		Location string   `xml:"LocationConstraint"`
	}
	if r.ContentLength != 0 {
		if err := readXMLBody(r, &cfg); err != nil && r.ContentLength > 0 {
			return nil, err
		}
	}
	if err := s.CreateBucket(r.ctx, r.bucket); err != nil {
		return nil, err
	}
	return &response{header: http.Header{"Location": {"/" + r.bucket}}}, nil
}

func (s *Service) handleHeadBucket(r *request) (*response, error) {
	s.mu.Lock()
	_, err := s.bucket(r.bucket)
	s.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return &response{header: http.Header{"X-Amz-Bucket-Region": {arn.Region}}}, nil
}

func (s *Service) handleDeleteBucket(r *request) (*response, error) {
	if err := s.DeleteBucket(r.ctx, r.bucket); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent}, nil
}

type listAllMyBucketsResult struct {
	XMLName xml.Name     `xml:"ListAllMyBucketsResult"`
	Xmlns   string       `xml:"xmlns,attr"`
	Owner   owner        `xml:"Owner"`
	Buckets []bucketInfo `xml:"Buckets>Bucket"`
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

type bucketInfo struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion"`
}

func (s *Service) handleListBuckets(r *request) (*response, error) {
	out := listAllMyBucketsResult{Xmlns: xmlns, Owner: ownerOf(r.ctx)}
	s.mu.Lock()
	for _, b := range s.backend.Buckets() {
		out.Buckets = append(out.Buckets, bucketInfo{Name: b.Name, CreationDate: b.CreationDate.Format(timeFormatISO), BucketRegion: arn.Region})
	}
	s.mu.Unlock()
	return &response{xml: out}, nil
}

// ownerOf is the canonical owner S3 reports: the caller's account.
func ownerOf(ctx context.Context) owner {
	return owner{ID: identity.FromContext(ctx).Account()}
}

// timeFormatISO is how S3 writes times in XML bodies.
const timeFormatISO = "2006-01-02T15:04:05.000Z"

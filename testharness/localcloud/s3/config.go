package s3

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	iampolicy "github.com/tracebridge/tracebridge/testharness/localcloud/policy"
)

// PutBucketNotificationConfiguration replaces a bucket's notification
// configuration, as the S3 API and CDK's Custom::S3BucketNotifications do.
func (s *Service) PutBucketNotificationConfiguration(ctx context.Context, bucket string, cfg NotificationConfiguration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	cfg.XMLName, cfg.Xmlns = xml.Name{}, ""
	b.Notification = cfg
	return nil
}

// BucketNotificationConfiguration returns a bucket's notification
// configuration.
func (s *Service) BucketNotificationConfiguration(ctx context.Context, bucket string) (NotificationConfiguration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return NotificationConfiguration{}, err
	}
	return b.Notification, nil
}

// PutBucketPolicy stores a bucket policy (a JSON document) once the
// policy engine compiles it: the authorizer evaluates it on every later
// request to the bucket, so a document it cannot compile is refused here
// with MalformedPolicy, as S3 refuses it, and never stored.
func (s *Service) PutBucketPolicy(ctx context.Context, bucket, policy string) error {
	var doc map[string]any
	if len(policy) == 0 || policy[0] != '{' || json.Unmarshal([]byte(policy), &doc) != nil {
		return errMalformedPolicy
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(policy)); err != nil || compact.Len() > maxBucketPolicyBytes {
		return errPolicyTooLarge
	}
	if _, err := iampolicy.FromDocument(doc); err != nil {
		msg := err.Error()
		if e := awsproto.AsError(err); e != nil {
			msg = e.Message
		}
		return awsproto.NewError("MalformedPolicy", http.StatusBadRequest, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	b.Policy = policy
	return nil
}

// BucketPolicy returns a bucket's policy, or NoSuchBucketPolicy.
func (s *Service) BucketPolicy(ctx context.Context, bucket string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return "", err
	}
	if b.Policy == "" {
		return "", errNoSuchBucketPolicy
	}
	return b.Policy, nil
}

// DeleteBucketPolicy removes a bucket's policy; removing none is fine.
func (s *Service) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.updateBucket(bucket, func(b *Bucket) error { b.Policy = ""; return nil })
}

// updateBucket runs fn on an existing bucket with the lock held.
func (s *Service) updateBucket(bucket string, fn func(b *Bucket) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := s.bucket(bucket)
	if err != nil {
		return err
	}
	return fn(b)
}

// readXMLBody decodes a sub-resource document, bounded.
func readXMLBody(r *request, v any) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(v); err != nil {
		return errMalformedXML
	}
	return nil
}

// readBody reads a configuration or DeleteObjects body, up to 1 MiB.
func readBody(r *request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s body: %w", r.URL.RawQuery, err)
	}
	return body, nil
}

func (s *Service) handleGetNotification(r *request) (*response, error) {
	cfg, err := s.BucketNotificationConfiguration(r.ctx, r.bucket)
	if err != nil {
		return nil, err
	}
	cfg.Xmlns = xmlns
	return &response{xml: cfg}, nil
}

func (s *Service) handlePutNotification(r *request) (*response, error) {
	var cfg NotificationConfiguration
	if err := readXMLBody(r, &cfg); err != nil {
		return nil, err
	}
	return &response{}, s.PutBucketNotificationConfiguration(r.ctx, r.bucket, cfg)
}

func (s *Service) handleGetPolicy(r *request) (*response, error) {
	p, err := s.BucketPolicy(r.ctx, r.bucket)
	if err != nil {
		return nil, err
	}
	return &response{data: []byte(p), header: http.Header{"Content-Type": {"application/json"}}}, nil
}

func (s *Service) handlePutPolicy(r *request) (*response, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBucketPolicyRead+1))
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	if len(body) > maxBucketPolicyRead {
		return nil, errPolicyTooLarge
	}
	if err := s.PutBucketPolicy(r.ctx, r.bucket, string(body)); err != nil {
		return nil, err
	}
	return &response{status: http.StatusNoContent}, nil
}

func (s *Service) handleDeletePolicy(r *request) (*response, error) {
	return &response{status: http.StatusNoContent}, s.DeleteBucketPolicy(r.ctx, r.bucket)
}

func (s *Service) handleGetEncryption(r *request) (*response, error) {
	var cfg EncryptionConfiguration
	err := s.updateBucket(r.bucket, func(b *Bucket) error {
		if b.Encryption != nil {
			cfg = *b.Encryption
		} else {
			cfg = *defaultEncryption()
		}
		return nil
	})
	cfg.Xmlns = xmlns
	return &response{xml: cfg}, err
}

func (s *Service) handlePutEncryption(r *request) (*response, error) {
	var cfg EncryptionConfiguration
	if err := readXMLBody(r, &cfg); err != nil {
		return nil, err
	}
	if len(cfg.Rules) == 0 {
		return nil, errMalformedXML
	}
	return &response{}, s.updateBucket(r.bucket, func(b *Bucket) error { b.Encryption = &cfg; return nil })
}

func (s *Service) handleDeleteEncryption(r *request) (*response, error) {
	err := s.updateBucket(r.bucket, func(b *Bucket) error { b.Encryption = nil; return nil })
	return &response{status: http.StatusNoContent}, err
}

func (s *Service) handleGetPublicAccessBlock(r *request) (*response, error) {
	var cfg PublicAccessBlockConfiguration
	err := s.updateBucket(r.bucket, func(b *Bucket) error {
		if b.PublicAccess == nil {
			return errNoSuchPublicAccessBlock
		}
		cfg = *b.PublicAccess
		return nil
	})
	cfg.Xmlns = xmlns
	return &response{xml: cfg}, err
}

func (s *Service) handlePutPublicAccessBlock(r *request) (*response, error) {
	var cfg PublicAccessBlockConfiguration
	if err := readXMLBody(r, &cfg); err != nil {
		return nil, err
	}
	return &response{}, s.updateBucket(r.bucket, func(b *Bucket) error { b.PublicAccess = &cfg; return nil })
}

func (s *Service) handleDeletePublicAccessBlock(r *request) (*response, error) {
	err := s.updateBucket(r.bucket, func(b *Bucket) error { b.PublicAccess = nil; return nil })
	return &response{status: http.StatusNoContent}, err
}

func (s *Service) handleGetVersioning(r *request) (*response, error) {
	cfg := versioningConfiguration{Xmlns: xmlns}
	err := s.updateBucket(r.bucket, func(b *Bucket) error { cfg.Status = b.Versioning; return nil })
	return &response{xml: cfg}, err
}

func (s *Service) handlePutVersioning(r *request) (*response, error) {
	var cfg versioningConfiguration
	if err := readXMLBody(r, &cfg); err != nil {
		return nil, err
	}
	if cfg.Status != "Enabled" && cfg.Status != "Suspended" {
		return nil, errMalformedXML
	}
	return &response{}, s.updateBucket(r.bucket, func(b *Bucket) error { b.Versioning = cfg.Status; return nil })
}

type locationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// handleGetBucketLocation answers an empty constraint: S3 reports
// us-east-1, the local region, that way.
func (s *Service) handleGetBucketLocation(r *request) (*response, error) {
	err := s.updateBucket(r.bucket, func(*Bucket) error { return nil })
	return &response{xml: locationConstraint{Xmlns: xmlns}}, err
}

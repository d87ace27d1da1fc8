package authz

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// s3Key selects an S3 operation as S3's router does: whether the request
// names a bucket and a key, its method, and its sub-resource.
type s3Key struct {
	object      bool // a key is named
	method      string
	subresource string
}

// s3Actions maps S3 operations to IAM actions (Service Authorization
// Reference, "Actions defined by Amazon S3"). Object operations act on
// arn:aws:s3:::bucket/key, bucket operations on arn:aws:s3:::bucket.
// HeadObject is s3:GetObject and HeadBucket s3:ListBucket, as documented;
// the multipart operations that write are s3:PutObject.
var s3Actions = map[s3Key]string{
	{false, http.MethodPut, ""}:                     "s3:CreateBucket",
	{false, http.MethodHead, ""}:                    "s3:ListBucket",
	{false, http.MethodDelete, ""}:                  "s3:DeleteBucket",
	{false, http.MethodGet, ""}:                     "s3:ListBucket",
	{false, http.MethodGet, "versions"}:             "s3:ListBucketVersions",
	{false, http.MethodGet, "uploads"}:              "s3:ListBucketMultipartUploads",
	{false, http.MethodPost, "delete"}:              "s3:DeleteObject",
	{false, http.MethodGet, "location"}:             "s3:GetBucketLocation",
	{false, http.MethodGet, "notification"}:         "s3:GetBucketNotification",
	{false, http.MethodPut, "notification"}:         "s3:PutBucketNotification",
	{false, http.MethodGet, "policy"}:               "s3:GetBucketPolicy",
	{false, http.MethodPut, "policy"}:               "s3:PutBucketPolicy",
	{false, http.MethodDelete, "policy"}:            "s3:DeleteBucketPolicy",
	{false, http.MethodGet, "encryption"}:           "s3:GetEncryptionConfiguration",
	{false, http.MethodPut, "encryption"}:           "s3:PutEncryptionConfiguration",
	{false, http.MethodDelete, "encryption"}:        "s3:PutEncryptionConfiguration",
	{false, http.MethodGet, "publicAccessBlock"}:    "s3:GetBucketPublicAccessBlock",
	{false, http.MethodPut, "publicAccessBlock"}:    "s3:PutBucketPublicAccessBlock",
	{false, http.MethodDelete, "publicAccessBlock"}: "s3:PutBucketPublicAccessBlock",
	{false, http.MethodGet, "versioning"}:           "s3:GetBucketVersioning",
	{false, http.MethodPut, "versioning"}:           "s3:PutBucketVersioning",
	{false, http.MethodGet, "logging"}:              "s3:GetBucketLogging",
	{false, http.MethodPut, "logging"}:              "s3:PutBucketLogging",

	{true, http.MethodPut, ""}:            "s3:PutObject",
	{true, http.MethodGet, ""}:            "s3:GetObject",
	{true, http.MethodHead, ""}:           "s3:GetObject",
	{true, http.MethodDelete, ""}:         "s3:DeleteObject",
	{true, http.MethodPost, "uploads"}:    "s3:PutObject",
	{true, http.MethodPut, "uploadId"}:    "s3:PutObject",
	{true, http.MethodPost, "uploadId"}:   "s3:PutObject",
	{true, http.MethodDelete, "uploadId"}: "s3:AbortMultipartUpload",
	{true, http.MethodGet, "uploadId"}:    "s3:ListMultipartUploadParts",
}

// s3Subresources are the sub-resources s3Actions names, in the order S3's
// router tests them.
var s3Subresources = []string{"uploadId", "uploads", "delete", "location", "notification", "policy",
	"encryption", "publicAccessBlock", "versioning", "versions", "logging"}

// s3Targets maps an S3 request. A copy (PutObject or UploadPartCopy with
// x-amz-copy-source) also reads its source: s3:GetObject on the source
// object, as AWS documents for CopyObject.
func (a *Authorizer) s3Targets(r *http.Request, _ []byte) ([]target, error) {
	bucket, key := a.opts.S3Address(r)
	if bucket == "" {
		if r.Method == http.MethodGet {
			return []target{{"s3:ListAllMyBuckets", "*"}}, nil
		}
		return nil, nil
	}
	q := r.URL.Query()
	sub := ""
	for _, name := range s3Subresources {
		if q.Has(name) {
			sub = name
			break
		}
	}
	action, ok := s3Actions[s3Key{key != "", r.Method, sub}]
	if !ok {
		return nil, nil
	}
	resource := arn.S3(bucket)
	if sub == "delete" {
		// DeleteObjects names its keys in a body S3 streams: ask for
		// every object of the bucket (testharness/localcloud/SUPPORT.md).
		resource += "/*"
	}
	if key != "" {
		resource += "/" + key
		if action == "s3:GetObject" && q.Has("versionId") {
			action = "s3:GetObjectVersion"
		}
	}
	targets := []target{{action, resource}}
	if src := r.Header.Get("X-Amz-Copy-Source"); src != "" && key != "" {
		if s, err := url.PathUnescape(src); err == nil {
			s, _, _ = strings.Cut(strings.TrimPrefix(s, "/"), "?versionId=")
			targets = append([]target{{"s3:GetObject", arn.S3(s)}}, targets...)
		}
	}
	return targets, nil
}

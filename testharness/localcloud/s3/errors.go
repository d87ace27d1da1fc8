package s3

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// S3's errors, with the codes, statuses and messages of the S3 API
// Reference "Error responses" list.

func errNoSuchBucket(bucket string) error {
	return &awsproto.Error{Code: "NoSuchBucket", Status: http.StatusNotFound,
		Message: "The specified bucket does not exist", Fields: map[string]any{"BucketName": bucket}}
}

func errNoSuchKey(key string) error {
	return &awsproto.Error{Code: "NoSuchKey", Status: http.StatusNotFound,
		Message: "The specified key does not exist.", Fields: map[string]any{"Key": key}}
}

func errBucketAlreadyOwnedByYou(bucket string) error {
	return &awsproto.Error{Code: "BucketAlreadyOwnedByYou", Status: http.StatusConflict,
		Message: "Your previous request to create the named bucket succeeded and you already own it.",
		Fields:  map[string]any{"BucketName": bucket}}
}

func errBucketNotEmpty(bucket string) error {
	return &awsproto.Error{Code: "BucketNotEmpty", Status: http.StatusConflict,
		Message: "The bucket you tried to delete is not empty", Fields: map[string]any{"BucketName": bucket}}
}

func errInvalidBucketName(bucket string) error {
	return &awsproto.Error{Code: "InvalidBucketName", Status: http.StatusBadRequest,
		Message: "The specified bucket is not valid.", Fields: map[string]any{"BucketName": bucket}}
}

func errPreconditionFailed(condition string) error {
	return &awsproto.Error{Code: "PreconditionFailed", Status: http.StatusPreconditionFailed,
		Message: "At least one of the pre-conditions you specified did not hold",
		Fields:  map[string]any{"Condition": condition}}
}

func errInvalidRange(rangeHeader string, size int64) error {
	return &awsproto.Error{Code: "InvalidRange", Status: http.StatusRequestedRangeNotSatisfiable,
		Message: "The requested range is not satisfiable",
		Fields:  map[string]any{"RangeRequested": rangeHeader, "ActualObjectSize": size}}
}

func errInvalidArgument(name, value, message string) error {
	return &awsproto.Error{Code: "InvalidArgument", Status: http.StatusBadRequest, Message: message,
		Fields: map[string]any{"ArgumentName": name, "ArgumentValue": value}}
}

func errInvalidRequest(message string) error {
	return awsproto.NewError("InvalidRequest", http.StatusBadRequest, message)
}

var errMalformedXML = awsproto.NewError("MalformedXML", http.StatusBadRequest,
	"The XML you provided was not well-formed or did not validate against our published schema")

func errNoSuchUpload(uploadID string) error {
	return &awsproto.Error{Code: "NoSuchUpload", Status: http.StatusNotFound,
		Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
		Fields:  map[string]any{"UploadId": uploadID}}
}

func errInvalidPart(uploadID string, part int, etag string) error {
	return &awsproto.Error{Code: "InvalidPart", Status: http.StatusBadRequest,
		Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
		Fields:  map[string]any{"UploadId": uploadID, "PartNumber": part, "ETag": etag}}
}

var errInvalidPartOrder = awsproto.NewError("InvalidPartOrder", http.StatusBadRequest,
	"The list of parts was not in ascending order. Parts must be ordered by part number.")

func errEntityTooSmall(size int64) error {
	return &awsproto.Error{Code: "EntityTooSmall", Status: http.StatusBadRequest,
		Message: "Your proposed upload is smaller than the minimum allowed size",
		Fields:  map[string]any{"ProposedSize": size, "MinSizeAllowed": minPartSize}}
}

func errNotImplemented(what string) error {
	return &awsproto.Error{Code: "NotImplemented", Status: http.StatusNotImplemented,
		Message: "A header you provided implies functionality that is not implemented",
		Fields:  map[string]any{"Header": what}}
}

var errMethodNotAllowed = awsproto.NewError("MethodNotAllowed", http.StatusMethodNotAllowed,
	"The specified method is not allowed against this resource.")

func errBadDigest(what string) error {
	return awsproto.Errorf("BadDigest", http.StatusBadRequest,
		"The %s you specified did not match the calculated checksum.", what)
}

var errInvalidDigest = awsproto.NewError("InvalidDigest", http.StatusBadRequest,
	"The Content-MD5 you specified was invalid.")

var errIncompleteBody = awsproto.NewError("IncompleteBody", http.StatusBadRequest,
	"You did not provide the number of bytes specified by the Content-Length HTTP header")

var errNoSuchBucketPolicy = awsproto.NewError("NoSuchBucketPolicy", http.StatusNotFound,
	"The bucket policy does not exist")

var errMalformedPolicy = awsproto.NewError("MalformedPolicy", http.StatusBadRequest,
	"Policies must be valid JSON and the first byte must be '{'")

// maxBucketPolicyBytes is S3's limit on a bucket policy: "Bucket policies
// are limited to 20 KB in size" (Amazon S3 User Guide, "Bucket policies and
// user policies"). S3 normalizes a policy before it measures it; the local
// S3 measures it without insignificant whitespace, so a pretty-printed
// policy is not refused for its indentation.
const maxBucketPolicyBytes = 20 << 10

// maxBucketPolicyRead bounds the PutBucketPolicy body read: whitespace
// aside, no policy this long fits the limit.
const maxBucketPolicyRead = 1 << 20

// errPolicyTooLarge answers a bucket policy over maxBucketPolicyBytes. S3
// refuses every document it cannot take with MalformedPolicy (400); the
// message is the one S3-compatible servers give for the size, as AWS does
// not document its own wording.
var errPolicyTooLarge = awsproto.NewError("MalformedPolicy", http.StatusBadRequest,
	"Policy exceeds the maximum allowed document size.")

var errNoSuchPublicAccessBlock = awsproto.NewError("NoSuchPublicAccessBlockConfiguration", http.StatusNotFound,
	"The public access block configuration was not found")

var errKeyTooLong = awsproto.NewError("KeyTooLongError", http.StatusBadRequest,
	"Your key is too long")

// errInvalidURI answers a key that is not UTF-8 (object keys are UTF-8:
// S3 User Guide, "Naming Amazon S3 objects"; S3 answers such a path with
// this error).
var errInvalidURI = awsproto.NewError("InvalidURI", http.StatusBadRequest, "Couldn't parse the specified URI.")

// errMetadataTooLarge: "The PUT request header is limited to 8 KB in
// size. Within the PUT request header, the user-defined metadata is
// limited to 2 KB in size" (S3 User Guide, "Working with object
// metadata"); the error is the S3 API Reference's MetadataTooLarge.
var errMetadataTooLarge = awsproto.NewError("MetadataTooLarge", http.StatusBadRequest,
	"Your metadata headers exceed the maximum allowed metadata size.")

// errMissingContentMD5 answers a DeleteObjects without Content-MD5 or an
// x-amz-checksum-* header (S3 API Reference, DeleteObjects: "The
// Content-MD5 or x-amz-sdk-checksum-algorithm header is required for all
// Multi-Object Delete requests").
var errMissingContentMD5 = errInvalidRequest("Missing required header for this request: Content-Md5")

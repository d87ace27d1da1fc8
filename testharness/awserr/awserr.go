// Package awserr sorts the AWS errors a handler gets into permanent ones,
// which retrying the same request cannot fix (a denial, a missing bucket,
// table or log group, a request AWS rejects as invalid), and transient ones
// (throttling, 5xx, network trouble), which the platform's retries may cure.
// A handler announces a permanent failure at once, as a failure event naming
// the AWS error, instead of letting the platform retry it for minutes; it
// leaves a transient one to the platform.
package awserr

import (
	"errors"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// permanentCodes are the error codes retrying cannot fix until a person
// changes the deployment or the data.
var permanentCodes = map[string]bool{
	// Denials: IAM, S3 ("Access Denied" from a bucket policy or a KMS key
	// the role may not use), and the JSON services' spelling.
	"AccessDenied":          true,
	"AccessDeniedException": true,
	"AllAccessDisabled":     true,
	"UnauthorizedOperation": true,
	// Missing resources. NoSuchKey is permanent for the request that got it;
	// the image handler reads it as "deleted meanwhile", nothing to do.
	"NoSuchBucket":              true,
	"NoSuchKey":                 true,
	"ResourceNotFoundException": true,
	// Requests AWS rejects as invalid.
	"ValidationException": true,
	"ValidationError":     true,
	"InvalidRequest":      true,
	"InvalidArgument":     true,
	"InvalidBucketName":   true,
	"InvalidObjectState":  true,
	"MalformedXML":        true,
	// KMS keys that cannot be used (KMS, and the same codes as S3, SQS and
	// Lambda relay them after a "KMS." or "KMS" prefix, see kmsCode).
	"DisabledException":          true,
	"InvalidStateException":      true,
	"NotFoundException":          true,
	"InvalidKeyUsageException":   true,
	"KeyUnavailableException":    true,
	"IncorrectKeyException":      true,
	"InvalidCiphertextException": true,
	"OptInRequired":              true,
	// PutEvents entries AWS will not accept again (EventBridge API Reference,
	// PutEventsResultEntry: "Non-retryable errors include").
	"InvalidAccountIdException":           true,
	"MalformedDetail":                     true,
	"RedactionFailure":                    true,
	"NotAuthorizedForSourceException":     true,
	"NotAuthorizedForDetailTypeException": true,
}

// deniedCodes are the permanent codes that mean "not allowed".
var deniedCodes = map[string]bool{
	"AccessDenied": true, "AccessDeniedException": true, "AllAccessDisabled": true, "UnauthorizedOperation": true,
	"NotAuthorizedForSourceException": true, "NotAuthorizedForDetailTypeException": true,
}

// transientCodes are refusals that a later attempt can overcome although
// they come with a 403: the caller's clock or its temporary credentials,
// which the SDK corrects or Lambda refreshes.
var transientCodes = map[string]bool{
	"RequestTimeTooSkewed": true, "RequestExpired": true, "ExpiredToken": true, "ExpiredTokenException": true,
}

// IsPermanentCode reports whether an AWS error code, with the HTTP status
// it came with (0 if unknown), is one retrying cannot fix. Codes starting
// with InvalidParameter (InvalidParameterException, InvalidParameterValue,
// InvalidParameterCombination) are; so is a 403 or 404 whose code is not
// known here, such as S3's bodiless "Forbidden" to a HEAD request. Codes
// the SDK retries (throttling, request timeouts), 5xx and everything else
// are transient.
func IsPermanentCode(code string, status int) bool {
	code = kmsCode(code)
	_, throttled := retry.DefaultThrottleErrorCodes[code]
	_, retryable := retry.DefaultRetryableErrorCodes[code]
	switch {
	case throttled || retryable || transientCodes[code]:
		return false
	case permanentCodes[code] || strings.HasPrefix(code, "InvalidParameter"):
		return true
	}
	return status == 403 || status == 404
}

// kmsCode strips the "KMS." (S3, SQS) or "KMS" (Lambda) prefix under which
// services relay a KMS error, leaving KMS's own code.
func kmsCode(code string) string {
	if rest, ok := strings.CutPrefix(code, "KMS."); ok {
		return rest
	}
	if rest, ok := strings.CutPrefix(code, "KMS"); ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z' {
		return rest
	}
	return code
}

// Error is a permanent AWS error, as a failure event reports it.
type Error struct {
	Operation string // the API operation that failed, e.g. "CopyObject"; "" if unknown
	Code      string // AWS's error code, e.g. "AccessDenied"
	Message   string // AWS's message, verbatim
}

// AsPermanent returns the AWS error in err's chain if retrying cannot fix
// it. An error the SDK's own retry rules call retryable (throttling, 5xx,
// connection trouble, timeouts) never is, whatever its code.
func AsPermanent(err error) (Error, bool) {
	var api smithy.APIError
	if err == nil || !errors.As(err, &api) {
		return Error{}, false
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary {
		return Error{}, false
	}
	var withStatus interface{ HTTPStatusCode() int }
	status := 0
	if errors.As(err, &withStatus) {
		status = withStatus.HTTPStatusCode()
	}
	if !IsPermanentCode(api.ErrorCode(), status) {
		return Error{}, false
	}
	e := Error{Code: api.ErrorCode(), Message: api.ErrorMessage()}
	var op *smithy.OperationError
	if errors.As(err, &op) {
		e.Operation = op.Operation()
	}
	return e, true
}

// deniedAction finds the IAM action in AWS's denial message: "User: … is
// not authorized to perform: s3:PutObject on resource: …".
var deniedAction = regexp.MustCompile(`not authorized to perform: (\S+)`)

// Reason is the failure in the words a person fixes it with: for a denial
// the IAM action and AWS's message ("s3:PutObject denied: User: … is not
// authorized to perform: s3:PutObject on resource: … because no
// identity-based policy allows …"), otherwise the operation, the code and
// the message ("PutLogEvents failed: ResourceNotFoundException: The
// specified log group does not exist.").
func (e Error) Reason() string {
	op := e.Operation
	if op == "" {
		op = "AWS call"
	}
	if deniedCodes[kmsCode(e.Code)] {
		if m := deniedAction.FindStringSubmatch(e.Message); m != nil {
			return m[1] + " denied: " + e.Message
		}
		return op + " denied: " + e.Code + ": " + e.Message
	}
	return op + " failed: " + e.Code + ": " + e.Message
}

// CodeAndMessage returns the AWS error code and message in err's chain, or
// "" and err's text when err carries no AWS error: what a log line about a
// failed call needs.
func CodeAndMessage(err error) (code, message string) {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode(), api.ErrorMessage()
	}
	if err == nil {
		return "", ""
	}
	return "", err.Error()
}

package s3

import "net/http"

// WriteCondition is a conditional write's precondition on the object a
// write would replace (PutObject, CopyObject's destination,
// CompleteMultipartUpload). The zero value writes unconditionally.
//
// Amazon S3 User Guide, "How to prevent object overwrites with
// conditional writes": If-None-Match "*" fails with 412 Precondition
// Failed when the key exists; If-Match fails with 412 when the ETags
// differ and with 404 Not Found when there is no current object.
// The check and the write are one step under the service's lock, so of
// concurrent conditional writers the first to finish wins and the
// others get 412, as S3 documents; S3's 409 ConditionalRequestConflict
// (an operation interleaving with an unfinished write) cannot arise.
type WriteCondition struct {
	// IfMatch is the ETag (quoted or not, or "*") the current object
	// must have.
	IfMatch string
	// IfNoneMatch is "*": the key must not exist.
	IfNoneMatch string
}

// writeConditionFromHeaders reads If-Match and If-None-Match. S3 accepts
// only "*" for If-None-Match on a write; any other value answers
// NotImplemented (what S3 answers, aws/aws-sdk-ruby#3144).
func writeConditionFromHeaders(h http.Header) (WriteCondition, error) {
	c := WriteCondition{IfMatch: h.Get("If-Match"), IfNoneMatch: h.Get("If-None-Match")}
	if c.IfNoneMatch != "" && c.IfNoneMatch != "*" {
		return WriteCondition{}, errNotImplemented("If-None-Match")
	}
	return c, nil
}

// check evaluates the condition against the current object (nil when
// the key does not exist).
func (c WriteCondition) check(key string, current *Object) error {
	if c.IfMatch != "" {
		if current == nil {
			return errNoSuchKey(key)
		}
		if !etagMatches(c.IfMatch, current.ETag) {
			return errPreconditionFailed("If-Match")
		}
	}
	if c.IfNoneMatch != "" && current != nil {
		return errPreconditionFailed("If-None-Match")
	}
	return nil
}

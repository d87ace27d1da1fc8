package s3

import (
	"net/url"
	"strings"
)

// How S3 writes object keys into what it sends. This is the emulator's own
// reading of AWS's behaviour, not the app's (package schemas holds the
// handlers'), so that a test catches the two disagreeing.

// eventObjectKey is an object's key as S3 writes it into an EventBridge
// event's detail.object.key: as it is, not URL-encoded. The S3 page on the
// EventBridge message structure (ev-events.html) states no encoding, and
// code tested against AWS relies on the raw key
// (aws-solutions-library-samples/guidance-for-medialake-on-aws PR #21,
// tested with "test+b.png", "ARTISTS K to O.png" and "%2B++ %20.mp3");
// only the classic notifications (SQS, SNS, Lambda) URL-encode keys
// (Amazon S3 User Guide, "Event message structure").
func eventObjectKey(key string) string { return key }

// urlEncodedKey is a key in a listing asked for with encoding-type=url:
// form-style URL encoding ("a b+c" becomes "a+b%2Bc"), slashes kept, as S3
// encodes keys in listings and classic notifications and as the SDKs
// decode them (botocore's unquote_plus).
func urlEncodedKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

package schemas

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// S3 writes object keys differently into its two kinds of notification.
//
//   - Classic notifications (SQS, SNS, Lambda; the {"Records": [...]} shape)
//     carry the key URL-encoded in the form style: "red flower.jpg" becomes
//     "red+flower.jpg" and a literal "+" becomes "%2B" (Amazon S3 User Guide,
//     "Event message structure").
//   - EventBridge events ("Object Created" and friends, source aws.s3) carry
//     the key as it is, not encoded. The S3 page on the EventBridge message
//     structure (ev-events.html) states no encoding, and code tested against
//     AWS relies on the raw key: aws-solutions-library-samples/
//     guidance-for-medialake-on-aws PR #21 ("EventBridge delivers the object
//     key un-encoded, so it is used as-is", tested with "test+b.png",
//     "ARTISTS K to O.png" and "%2B++ %20.mp3"); moto applies URL-encoding to
//     Lambda/SQS/SNS notifications only (getmoto/moto PR #9060).
//
// The app consumes EventBridge events, so EncodeS3EventKey/DecodeS3EventKey
// are the identity on the key; the local cloud and the handlers both use
// them, so if AWS's behaviour is ever shown to differ, one edit fixes both.

// EncodeS3EventKey returns an object key as S3 writes it into an EventBridge
// event's detail.object.key: unchanged.
func EncodeS3EventKey(key string) string {
	return key
}

// DecodeS3EventKey turns detail.object.key of an S3 EventBridge event back
// into the object key. The key is not encoded, so decoding only checks it is
// a key S3 could have written: non-empty, valid UTF-8, at most 1,024 bytes.
// It must not URL-decode: "a+b.png" is the object "a+b.png".
func DecodeS3EventKey(eventKey string) (string, error) {
	if err := checkObjectKey(eventKey); err != nil {
		return "", fmt.Errorf("decode S3 event key %q: %w", eventKey, err)
	}
	return eventKey, nil
}

// EncodeS3NotificationKey encodes an object key as S3 writes it into a
// classic notification record (s3.object.key): form-style URL encoding with
// slashes kept, as in the keys S3 emits for nested prefixes.
func EncodeS3NotificationKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// DecodeS3NotificationKey turns s3.object.key of a classic notification
// record back into the object key.
func DecodeS3NotificationKey(notificationKey string) (string, error) {
	key, err := url.QueryUnescape(notificationKey)
	if err == nil {
		err = checkObjectKey(key)
	}
	if err != nil {
		return "", fmt.Errorf("decode S3 notification key %q: %w", notificationKey, err)
	}
	return key, nil
}

// maxObjectKeyBytes is S3's limit on the UTF-8 length of an object key.
const maxObjectKeyBytes = 1024

func checkObjectKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("object key is empty")
	case !utf8.ValidString(key):
		return fmt.Errorf("object key is not valid UTF-8")
	case len(key) > maxObjectKeyBytes:
		return fmt.Errorf("object key is %d bytes, longer than S3's %d", len(key), maxObjectKeyBytes)
	}
	return nil
}

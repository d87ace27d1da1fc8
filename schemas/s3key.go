package schemas

import (
	"fmt"
	"net/url"
	"strings"
)

// S3 puts object keys into its event notifications URL-encoded in the form
// style: "red flower.jpg" becomes "red+flower.jpg" (Amazon S3 User Guide,
// "Event message structure"). Handlers must decode before calling S3, and
// the local cloud must encode the same way, so both sides use these two
// functions.

// EncodeS3EventKey encodes an object key as S3 writes it into an event.
// Slashes stay as they are, as in the keys S3 emits for nested prefixes.
func EncodeS3EventKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// DecodeS3EventKey turns the key of an S3 event back into the object key.
func DecodeS3EventKey(eventKey string) (string, error) {
	key, err := url.QueryUnescape(eventKey)
	if err != nil {
		return "", fmt.Errorf("decode S3 event key %q: %w", eventKey, err)
	}
	return key, nil
}

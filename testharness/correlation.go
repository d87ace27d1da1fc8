package testharness

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
)

// NewCorrelationID returns a fresh correlation id naming the test
// ("tb-<test>-<16 hex digits>"), so that a person reading a listing or a
// log line sees which test made the data, and tests running side by side
// never share an id.
func NewCorrelationID(test string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("correlation id: %w", err)
	}
	return "tb-" + test + "-" + hex.EncodeToString(b), nil
}

package stepfunctions

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// maxPage is the largest page the list operations return (API reference:
// maxResults 0–1000, 100 by default).
const (
	defaultPage = 100
	maxPage     = 1000
)

const tokenPrefix = "tb1:"

// paginate returns one page of items after nextToken, an opaque token
// holding the offset of the page.
func paginate[T any](items []T, maxResults int, nextToken string) ([]T, string, error) {
	if maxResults < 0 || maxResults > maxPage {
		return nil, "", awsproto.ValidationError("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", maxResults, maxPage)
	}
	if maxResults == 0 {
		maxResults = defaultPage
	}
	start := 0
	if nextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(nextToken)
		off, ok := strings.CutPrefix(string(raw), tokenPrefix)
		n, convErr := strconv.Atoi(off)
		if err != nil || !ok || convErr != nil || n < 0 || n > len(items) {
			return nil, "", invalidToken("Invalid token")
		}
		start = n
	}
	end := min(start+maxResults, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// newUUID returns a random version 4 UUID, the default execution name.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

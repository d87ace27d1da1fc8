package awsproto_test

import (
	"regexp"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

func TestNewRequestIDIsAVersion4UUID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 100 {
		id := awsproto.NewRequestID()
		if !shape.MatchString(id) || seen[id] {
			t.Fatalf("request id %q: not a fresh version 4 UUID", id)
		}
		seen[id] = true
	}
}

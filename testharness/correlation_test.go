package testharness_test

import (
	"regexp"
	"testing"

	"github.com/tracebridge/tracebridge/testharness"
)

func TestNewCorrelationIDNamesTheTestAndDiffers(t *testing.T) {
	a, err := testharness.NewCorrelationID("order")
	if err != nil {
		t.Fatal(err)
	}
	b, err := testharness.NewCorrelationID("order")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^tb-order-[0-9a-f]{16}$`).MatchString(a) || a == b {
		t.Errorf("ids %q and %q, want tb-order-<16 hex digits>, each its own", a, b)
	}
}

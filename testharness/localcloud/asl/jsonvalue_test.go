package asl

import "testing"

// TestZeroWithExponent: 0e0 is valid JSON (RFC 8259 number grammar), which
// ojg refuses; an execution input with it runs (found by FuzzParse).
func TestZeroWithExponent(t *testing.T) {
	res := run(t, &staticInvoker{}, `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`, `{"n":0e0,"m":[-0E+2,1.5e1]}`, RunOptions{})
	assertSucceeded(t, res, `{"n":0,"m":[0,15]}`)
}

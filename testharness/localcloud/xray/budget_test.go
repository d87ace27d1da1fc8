package xray

import (
	"fmt"
	"slices"
	"testing"
)

// TestTracesPastTheBudgetDropTheOldest: with MaxTraces 2, a third trace
// drops the first, and more segments of a kept trace drop nothing.
func TestTracesPastTheBudgetDropTheOldest(t *testing.T) {
	e := newEnvWith(t, Options{MaxTraces: 2})
	start := now()
	var traceIDs []string
	for i := range 3 {
		id := fmt.Sprintf("1-%08x-%024d", int64(start), i)
		traceIDs = append(traceIDs, id)
		e.put(t, doc(t, seg(id, fmt.Sprintf("%016d", i), "svc", start, start+1)))
	}
	e.put(t, doc(t, seg(traceIDs[2], "00000000000000aa", "svc", start, start+1)))
	if got, want := ids(e.summaries(t, "")), traceIDs[1:]; !slices.Equal(got, want) {
		t.Errorf("traces kept %v, want %v", got, want)
	}
}

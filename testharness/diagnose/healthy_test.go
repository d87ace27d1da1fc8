package diagnose_test

import (
	"context"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/suite"
)

// Every test of the suite sets its trigger, and on a healthy stack the
// static diagnosis of each finds nothing broken.
func TestHealthyStackHasNothingBroken(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	for _, test := range suite.Tests() {
		run, err := test.Act(ctx, a.env)
		if err != nil {
			t.Fatalf("%s: act: %v", test.Name, err)
		}
		if run.Trigger == nil {
			t.Fatalf("%s: the act sets no trigger", test.Name)
		}
		r, err := a.d.Static(ctx, *run.Trigger)
		if err != nil {
			t.Fatalf("%s: %v", test.Name, err)
		}
		if r.Broken != nil || len(r.Path) < 3 {
			t.Errorf("%s: %s", test.Name, r)
		}
		t.Logf("%s: %s", test.Name, r)
	}
}

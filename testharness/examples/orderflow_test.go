// Package examples_test runs the example apps as a team runs its own:
// `tracebridge test` in the app's folder.
package examples_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/suite"
	"github.com/tracebridge/tracebridge/testharness/report"
)

// The order flow example passes its own suite on the local cloud: the
// CLI reads the app's cdk.json, synthesizes it (only when its sources
// changed since the last run), deploys it and runs the suite — an SQS
// event source mapping with batches and partial batch responses, the
// queue's redrive to a dead-letter queue, and a Step Functions workflow
// an EventBridge rule starts with a transformed input. The synthesis
// fails on cdk-nag AwsSolutions errors, so a green run also means a
// clean template.
func TestOrderFlowPassesWithTracebridgeTest(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", "github.com/tracebridge/tracebridge/testharness/cmd/tracebridge", "test", "--json")
	cmd.Dir = filepath.Join("orderflow")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var got report.JSONReport
	if jsonErr := json.Unmarshal(stdout.Bytes(), &got); err != nil || jsonErr != nil {
		t.Fatalf("tracebridge test: %v %v\nstdout:\n%s\nstderr:\n%s", err, jsonErr, stdout.String(), stderr.String())
	}
	var names []string
	for _, r := range got.Results {
		names = append(names, r.Name)
		if !r.Passed {
			t.Errorf("%s failed: %s", r.Name, r.Reason)
		}
	}
	var want []string
	for _, tt := range suite.Tests() {
		want = append(want, tt.Name)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) || got.Passed != len(want) || got.Failed != 0 {
		t.Errorf("results %v (%d passed, %d failed), want the suite's %v all passed", names, got.Passed, got.Failed, want)
	}
}

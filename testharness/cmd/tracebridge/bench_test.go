package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
)

// BenchmarkTestCommand is `tracebridge test` on the synthesized app, warm
// (the assembly fresh, the handlers already built for this machine): start
// the local cloud, deploy, run the suite through the deploy-time check,
// print. It reports the suite's verdict time and the slowest test's time to
// verdict besides the wall time per run.
func BenchmarkTestCommand(b *testing.B) {
	var verdict, slowest float64
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"test", "--assembly", assemblyDir, "--json"}, &stdout, &stderr); code != 0 {
			b.Fatalf("exit %d: %s", code, stderr.String())
		}
		var doc struct {
			VerdictMs int64 `json:"verdictMs"`
			Results   []struct {
				DurationMs int64 `json:"durationMs"`
			} `json:"results"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			b.Fatal(err)
		}
		verdict += float64(doc.VerdictMs)
		for _, r := range doc.Results {
			slowest = max(slowest, float64(r.DurationMs))
		}
	}
	b.ReportMetric(verdict/float64(b.N), "verdict-ms/op")
	b.ReportMetric(slowest, "slowest-test-ms")
}

// BenchmarkBrokenGlueVerdict is `tracebridge test --assembly` on each
// broken copy of TestBrokenGlueFailsAtOnceNamingTheLink: the suite's
// verdict time and the slowest failing test's time to verdict (from its
// act), which the deadline (30 s) bounded before the cloud could tell it
// had settled.
func BenchmarkBrokenGlueVerdict(b *testing.B) {
	for _, c := range brokenGlueCases {
		b.Run(c.name, func(b *testing.B) {
			dir := assemblyedit.Copy(b, assemblyDir, func(tmpl assemblyedit.Template) { c.edit(b, tmpl) })
			var verdict, slowest float64
			for b.Loop() {
				var stdout, stderr bytes.Buffer
				if code := run(context.Background(), []string{"test", "--assembly", dir, "--json"}, &stdout, &stderr); code != 1 {
					b.Fatalf("exit %d, want 1: %s", code, stderr.String())
				}
				var doc struct {
					VerdictMs int64 `json:"verdictMs"`
					Results   []struct {
						Passed     bool  `json:"passed"`
						DurationMs int64 `json:"durationMs"`
					} `json:"results"`
				}
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					b.Fatal(err)
				}
				verdict += float64(doc.VerdictMs)
				for _, r := range doc.Results {
					if !r.Passed {
						slowest = max(slowest, float64(r.DurationMs))
					}
				}
			}
			b.ReportMetric(verdict/float64(b.N), "verdict-ms/op")
			b.ReportMetric(slowest, "slowest-failing-test-ms")
		})
	}
}

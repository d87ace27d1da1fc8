package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
)

// BenchmarkTestCommand is `tracebridge test` on the synthesized app, warm
// (the assembly fresh, the handlers already built for this machine): start
// the local cloud, deploy, run the suite through the deploy-time check,
// print. It reports the suite's verdict time and the slowest test's time to
// verdict besides the wall time per run.
func BenchmarkTestCommand(b *testing.B) {
	benchmarkVerdicts(b, assemblyDir, 0, "slowest-test-ms")
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
			benchmarkVerdicts(b, dir, 1, "slowest-failing-test-ms")
		})
	}
}

// benchmarkVerdicts runs `tracebridge test --assembly dir --json`, which
// must exit with wantCode, and reports the mean verdict time and the
// slowest time to verdict of the tests that passed (wantCode 0) or failed.
func benchmarkVerdicts(b *testing.B, dir string, wantCode int, slowestMetric string) {
	var verdict, slowest float64
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), []string{"test", "--assembly", dir, "--json"}, &stdout, &stderr); code != wantCode {
			b.Fatalf("exit %d, want %d: %s", code, wantCode, stderr.String())
		}
		var report testharness.RunReport
		if err := json.Unmarshal(stdout.Bytes(), &report); err != nil {
			b.Fatal(err)
		}
		verdict += float64(report.VerdictMs)
		for _, r := range report.Results {
			if r.Passed == (wantCode == 0) {
				slowest = max(slowest, float64(r.DurationMs))
			}
		}
	}
	b.ReportMetric(verdict/float64(b.N), "verdict-ms/op")
	b.ReportMetric(slowest, slowestMetric)
}

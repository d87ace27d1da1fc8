package lambda

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// BenchmarkWarmInvoke is a synchronous invoke through the SDK, gateway and
// Runtime API of a warm process; it reports p50 and p99.
func BenchmarkWarmInvoke(b *testing.B) {
	h := newHarness(b, clock.Real{})
	name := h.deploy(b, "Bench", nil)
	in := &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{"message":"x"}`)}
	if _, err := h.client.Invoke(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := h.client.Invoke(context.Background(), in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

// BenchmarkColdStart is an invocation that starts a new process: each
// iteration deletes and redeploys the function.
func BenchmarkColdStart(b *testing.B) {
	h := newHarness(b, clock.Real{})
	ctx := context.Background()
	var lat []time.Duration
	for b.Loop() {
		b.StopTimer()
		name := h.deploy(b, "Cold", map[string]any{"FunctionName": "cold"})
		b.StartTimer()
		start := time.Now()
		if _, err := h.client.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		b.StopTimer()
		if err := h.svc.DeleteFunction(ctx, name); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

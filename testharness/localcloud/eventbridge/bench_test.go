package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// chanInvoker hands each invocation's time to the benchmark.
type chanInvoker chan time.Time

func (c chanInvoker) InvokeAsync(context.Context, string, []byte, AsyncInvokeOptions) error {
	c <- time.Now()
	return nil
}

func benchRule(b *testing.B, s *Service, name, pattern string, withTarget bool) {
	ctx := context.Background()
	if _, err := s.putRule(ctx, &putRuleInput{Name: name, EventPattern: pattern}); err != nil {
		b.Fatal(err)
	}
	if !withTarget {
		return
	}
	if _, err := s.putTargets(ctx, &putTargetsInput{Rule: name, Targets: []*ruleTarget{{Id: "fn", Arn: fnARN}}}); err != nil {
		b.Fatal(err)
	}
}

var benchEntry = Entry{Source: "shop", DetailType: "Order Placed",
	Detail: json.RawMessage(`{"order":{"id":"o-1","total":42.5,"items":[{"sku":"a","qty":1},{"sku":"b","qty":2}]},"customer":"c-9"}`)}

// BenchmarkPutEventToLambdaTarget measures PutEvent (Go API) to the
// delivery of the event to a Lambda target of one rule, one event at a
// time: ns/op is the latency, and p50/p99 are reported.
func BenchmarkPutEventToLambdaTarget(b *testing.B) {
	done := make(chanInvoker, 1)
	s := New(Options{Clock: clock.Real{}, Lambda: done})
	defer s.Close()
	benchRule(b, s, "orders", `{"source":["shop"],"detail":{"order":{"total":[{"numeric":[">",10]}]}}}`, true)
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if _, err := s.PutEvent(ctx, benchEntry); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-done).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkPutEventsThroughput puts batches of 10 and waits for every
// delivery: events/s through one rule to one target.
func BenchmarkPutEventsThroughput(b *testing.B) {
	done := make(chanInvoker, 1024)
	s := New(Options{Clock: clock.Real{}, Lambda: done})
	defer s.Close()
	benchRule(b, s, "orders", `{"source":["shop"]}`, true)
	batch := slices.Repeat([]Entry{benchEntry}, MaxEntries)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		if _, err := s.PutEvents(ctx, batch); err != nil {
			b.Fatal(err)
		}
		for range MaxEntries {
			<-done
		}
	}
	b.ReportMetric(float64(b.N*MaxEntries)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkMatchTenRules is the cost of routing one event on a bus with
// ten rules (envelope, one parse, ten matches), with no target matched.
func BenchmarkMatchTenRules(b *testing.B) {
	s := New(Options{})
	defer s.Close()
	for i := range 10 {
		benchRule(b, s, fmt.Sprint("r", i),
			fmt.Sprintf(`{"source":["shop"],"detail-type":["Order %d"],"detail":{"order":{"total":[{"numeric":[">",%d]}]}}}`, i, i*10), false)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.PutEvent(ctx, benchEntry); err != nil {
			b.Fatal(err)
		}
	}
}

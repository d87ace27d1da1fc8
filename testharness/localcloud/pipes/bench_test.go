package pipes

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
)

// signalFunctions answers at once and signals each invocation.
type signalFunctions struct{ invoked chan time.Time }

func (s signalFunctions) Invoke(context.Context, string, []byte) (InvokeResult, error) {
	s.invoked <- time.Now()
	return InvokeResult{Payload: []byte(`{"batchItemFailures":[]}`)}, nil
}

func (s signalFunctions) InvokeAsync(context.Context, string, []byte) error { return nil }

// BenchmarkAppendToTargetLatency measures the time from a stream Append to
// the target's invocation through a pipe with the app's filter and a zero
// batching window, on the wall clock; p50 and p99 are reported.
func BenchmarkAppendToTargetLatency(b *testing.B) {
	streams := dynamodbstreams.New(dynamodbstreams.Options{Clock: clock.Real{}})
	streamARN, err := streams.EnableStream(context.Background(), dynamodbstreams.StreamSpec{TableName: tableName, StreamViewType: dynamodbstreams.NewImage})
	if err != nil {
		b.Fatal(err)
	}
	fns := signalFunctions{invoked: make(chan time.Time, 1)}
	svc := New(Options{Streams: streams, Functions: fns})
	defer svc.Close()
	f := &fixture{streamARN: streamARN}
	spec := f.spec("bench", appFilter(b))
	spec.SourceParameters.DynamoDBStreamParameters.StartingPosition = "LATEST"
	if _, err := svc.CreatePipe(context.Background(), spec); err != nil {
		b.Fatal(err)
	}
	change := dynamodbstreams.Change{StreamARN: streamARN, EventName: "INSERT", SizeBytes: 60,
		Keys:     []byte(`{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"}}`),
		NewImage: []byte(`{"PK":{"S":"USER#1"},"SK":{"S":"PROFILE"},"correlationId":{"S":"c"}}`)}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		if err := streams.Append(context.Background(), change); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-fns.invoked).Sub(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

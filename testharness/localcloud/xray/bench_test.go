package xray

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// BenchmarkUDPIngestion sends b.N datagrams as fast as one sender can and
// waits until every one is stored: datagrams/s is the reported rate, and
// any loss fails the benchmark.
func BenchmarkUDPIngestion(b *testing.B) {
	svc := New(Options{})
	defer svc.Close()
	addr, err := svc.ListenDaemon("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	conn, err := net.Dial("udp", addr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	done := make(chan struct{})
	var stored int64
	want := int64(b.N)
	cancel := svc.OnSegment(func(string) {
		stored++ // one parser goroutine calls this
		if stored == want {
			close(done)
		}
	})
	defer cancel()
	traceID := traceheader.NewTraceID(time.Now())
	now := float64(time.Now().Unix())
	dgrams := make([][]byte, 1024)
	for i := range dgrams {
		dgrams[i] = []byte(fmt.Sprintf(`{"format": "json", "version": 1}`+"\n"+
			`{"trace_id":"%s","id":"%s","name":"bench","start_time":%f,"end_time":%f,"annotations":{"i":%d}}`,
			traceID, traceheader.NewSegmentID(), now, now+0.01, i))
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := conn.Write(dgrams[i%len(dgrams)]); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		b.Fatalf("received %d of %d datagrams (loss)", svc.Stats().Datagrams, b.N)
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "datagrams/s")
	if st := svc.Stats(); st.Datagrams != int64(b.N) || st.Rejected != 0 {
		b.Fatalf("stats %+v after %d sent", st, b.N)
	}
}

// BenchmarkGetTraceSummariesAnnotationFilter queries 10,000 stored traces
// with an annotation filter through the operation's handler.
func BenchmarkGetTraceSummariesAnnotationFilter(b *testing.B) {
	svc := New(Options{})
	now := time.Now()
	for i := range 10000 {
		tid := traceheader.NewTraceID(now)
		d := fmt.Sprintf(`{"trace_id":"%s","id":"%s","name":"svc-%d","start_time":%f,"end_time":%f,"annotations":{"correlation_id":"c-%d"}}`,
			tid, traceheader.NewSegmentID(), i%10, float64(now.Unix()), float64(now.Unix())+1, i)
		if err := svc.ingest([]byte(d)); err != nil {
			b.Fatal(err)
		}
	}
	start, end := float64(now.Add(-time.Hour).Unix()), float64(now.Add(time.Hour).Unix())
	in := &getTraceSummariesInput{StartTime: &start, EndTime: &end, FilterExpression: `annotation.correlation_id = "c-4242"`}
	b.ResetTimer()
	for b.Loop() {
		out, err := svc.getTraceSummaries(ctx(), in)
		if err != nil || len(out.TraceSummaries) != 1 || out.TracesProcessedCount != 10000 {
			b.Fatalf("got %v, %v", out, err)
		}
	}
}

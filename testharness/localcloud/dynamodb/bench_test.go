package dynamodb_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// BenchmarkPutItem measures PutItem through the Go SDK and the gateway,
// from parallel clients; req/s is reported.
func BenchmarkPutItem(b *testing.B) {
	e := newEnv(b)
	e.table(b, "Bench")
	var seq atomic.Int64
	b.ReportAllocs()
	// Requests wait on the loopback most of the time: keep a few more in
	// flight than there are cores, as concurrent callers would.
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			_, err := e.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Bench"),
				Item: item(fmt.Sprintf("USER#%d", i%1000), fmt.Sprintf("ITEM#%d", i), "n", n("42"), "msg", s("hello"))})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkGetItem measures GetItem the same way.
func BenchmarkGetItem(b *testing.B) {
	e := newEnv(b)
	e.table(b, "Bench")
	for i := range 1000 {
		e.put(b, "Bench", item(fmt.Sprintf("USER#%d", i), "PROFILE", "n", n("42"), "msg", s("hello")))
	}
	var seq atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	// Requests wait on the loopback most of the time: keep a few more in
	// flight than there are cores, as concurrent callers would.
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := seq.Add(1)
			out, err := e.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("Bench"), Key: key(fmt.Sprintf("USER#%d", i%1000), "PROFILE")})
			if err != nil || out.Item == nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

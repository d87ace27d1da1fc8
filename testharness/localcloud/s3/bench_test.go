package s3_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
)

// BenchmarkPutGetObject is one PutObject and one GetObject of 1 KiB
// through the SDK and the gateway.
func BenchmarkPutGetObject(b *testing.B) {
	e := newEnv(b)
	e.bucket(b, "bench")
	ctx := context.Background()
	body := bytes.Repeat([]byte("x"), 1024)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
			b.Fatal(err)
		}
		out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String("k")})
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
}

// BenchmarkRangedGet64KiBOf100MB reads 64 KiB from the middle of a 100 MB
// object over HTTP: the allocations must not grow with the object.
func BenchmarkRangedGet64KiBOf100MB(b *testing.B) {
	e := newEnv(b)
	e.bucket(b, "bench")
	if _, err := e.svc.PutObject(context.Background(), s3.PutInput{Bucket: "bench", Key: "big", Data: make([]byte, 100<<20)}); err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, e.url+"/bench/big", nil)
	req.Header.Set("Range", "bytes=52428800-52494335")
	buf := make([]byte, 64<<10)
	b.SetBytes(64 << 10)
	b.ReportAllocs()
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.ReadFull(resp.Body, buf)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || n != len(buf) {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
}

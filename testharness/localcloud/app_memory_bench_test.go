package localcloud_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// BenchmarkMemoryAfterUploads uploads 10,000 objects of 16 KiB to the
// app's bucket (each one runs the metadata function, which logs, traces
// and puts a completion event), lets the cloud settle, deletes them and
// settles again, and reports the cloud's live heap and resident memory
// before, at the peak and after: what the budgets of SUPPORT.md keep and
// what deleting the objects gives back. Run with -benchtime=1x.
func BenchmarkMemoryAfterUploads(b *testing.B) {
	const uploads, producers = 10000, 16
	c := deployBench(b)
	defer c.close(b)
	ctx := context.Background()
	client := s3.NewFromConfig(awstest.Config(b, c.cloud.Endpoint()), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := c.app.stack.Outputs[schemas.OutputBucketName]
	body := pngOf(b, 64, 64)
	body = append(body, bytes.Repeat([]byte{0}, 16<<10-len(body))...) // a PNG padded to 16 KiB
	settle := func() {
		if err := c.cloud.WaitSettled(ctx, time.Now().Add(10*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	settle()
	before := memory()
	for range b.N {
		var wg sync.WaitGroup
		errs := make(chan error, producers)
		for p := range producers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := p; i < uploads; i += producers {
					_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(fmt.Sprintf("mem/%05d.png", i)),
						Body: bytes.NewReader(body), Metadata: map[string]string{schemas.S3UserMetadataCorrelationID: strconv.Itoa(i)}})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		settle()
		peak := memory()
		for start := 0; start < uploads; start += 1000 {
			var ids []s3types.ObjectIdentifier
			for i := start; i < min(start+1000, uploads); i++ {
				ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("mem/%05d.png", i))})
			}
			if _, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &bucket,
				Delete: &s3types.Delete{Objects: ids}}); err != nil {
				b.Fatal(err)
			}
		}
		settle()
		after := memory()
		b.ReportMetric(before.heapMiB, "heap-before-MiB")
		b.ReportMetric(peak.heapMiB, "heap-peak-MiB")
		b.ReportMetric(after.heapMiB, "heap-after-MiB")
		b.ReportMetric(before.rssMiB, "rss-before-MiB")
		b.ReportMetric(peak.rssMiB, "rss-peak-MiB")
		b.ReportMetric(after.rssMiB, "rss-after-MiB")
	}
}

type memoryUse struct{ heapMiB, rssMiB float64 }

// memory is the process's live heap after a collection, and its resident
// set (VmRSS) once freed memory is returned to the OS.
func memory() memoryUse {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	u := memoryUse{heapMiB: float64(m.HeapAlloc) / (1 << 20)}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			u.rssMiB = float64(kb) / 1024
		}
	}
	return u
}

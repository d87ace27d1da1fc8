package localcloud_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// BenchmarkMemoryAfterUploads uploads 10,000 objects of 16 KiB to the
// app's bucket (each one runs the metadata function, which logs, traces
// and puts a completion event), lets the cloud settle, deletes them and
// settles again, and reports the cloud's live heap and resident memory
// before, at the peak and after: what the budgets of SUPPORT.md keep and
// what deleting the objects gives back. Run with -benchtime=1x.
func BenchmarkMemoryAfterUploads(b *testing.B) {
	const uploads = 10000
	c := deployBench(b)
	defer c.close(b)
	client := s3.NewFromConfig(awstest.Config(b, c.cloud.Endpoint()), func(o *s3.Options) { o.UsePathStyle = true })
	bucket := c.app.stack.Outputs[schemas.OutputBucketName]
	c.settle(b)
	before := memory()
	for range b.N {
		uploadImages(b, client, bucket, uploads)
		c.settle(b)
		peak := memory()
		deleteImages(b, client, bucket, uploads)
		c.settle(b)
		after := memory()
		b.ReportMetric(before.heapMiB, "heap-before-MiB")
		b.ReportMetric(peak.heapMiB, "heap-peak-MiB")
		b.ReportMetric(after.heapMiB, "heap-after-MiB")
		b.ReportMetric(before.rssMiB, "rss-before-MiB")
		b.ReportMetric(peak.rssMiB, "rss-peak-MiB")
		b.ReportMetric(after.rssMiB, "rss-after-MiB")
	}
}

// BenchmarkMemoryUnderAbuse applies issue 16's abuse cases, at the scale of
// an hour of heavy use compressed, to a cloud with the app deployed: a
// state machine that loops forever, run into the 25,000-event history
// quota; 16 unsigned requests that each send a 60 MiB body at once; 16
// rounds of 10,000 uploads of 16 KiB through the app's image flow, each
// deleted after, which fill the logs, archives and console history to
// their caps (the traces reach theirs in the first round). After each case
// (after rounds 1, 4, 8, 12 and 16) the cloud settles and the heap in use
// (after a collection) and the resident memory are reported: the figures
// SUPPORT.md's resource budget states. Run with -benchtime=1x (about 20
// minutes on 2 cores).
func BenchmarkMemoryUnderAbuse(b *testing.B) {
	const uploads, rounds, bodies, bodySize = 10000, 16, 16, 60 << 20
	c := deployBench(b)
	defer c.close(b)
	cfg := awstest.Config(b, c.cloud.Endpoint())
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := c.app.stack.Outputs[schemas.OutputBucketName]
	report := func(phase string) {
		c.settle(b)
		m := memory()
		b.ReportMetric(m.heapInUseMiB, "heap-inuse-"+phase+"-MiB")
		b.ReportMetric(m.rssMiB, "rss-"+phase+"-MiB")
	}
	for range b.N {
		report("deployed")
		loopToTheHistoryQuota(b, c.cloud, sfn.NewFromConfig(cfg))
		report("loop")
		sendUnsignedBodies(b, c.cloud.Endpoint(), bodies, bodySize)
		report("bodies")
		for round := 1; round <= rounds; round++ {
			uploadImages(b, client, bucket, uploads)
			deleteImages(b, client, bucket, uploads)
			if round%4 == 0 || round == 1 {
				report(fmt.Sprintf("uploads%dk", round*uploads/1000))
			}
		}
	}
}

// loopToTheHistoryQuota runs a state machine that loops Pass → Choice
// forever until Step Functions fails it at 25,000 history events.
func loopToTheHistoryQuota(b *testing.B, cloud *localcloud.Cloud, client *sfn.Client) {
	ctx := context.Background()
	sm, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("spin"),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/spin"), Definition: aws.String(`{"StartAt":"Spin","States":{
			"Spin":{"Type":"Pass","Result":{"spin":true},"Next":"Loop"},
			"Loop":{"Type":"Choice","Choices":[{"Variable":"$.spin","BooleanEquals":true,"Next":"Spin"}],"Default":"Done"},
			"Done":{"Type":"Succeed"}}}`)})
	if err != nil {
		b.Fatal(err)
	}
	exec, err := client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn})
	if err != nil {
		b.Fatal(err)
	}
	r, err := cloud.StepFunctions.WaitExecution(ctx, aws.ToString(exec.ExecutionArn))
	if err != nil || r.Error != "States.Runtime" {
		b.Fatalf("looping execution ended %+v, %v; want States.Runtime at the history quota", r, err)
	}
}

// sendUnsignedBodies sends n unsigned DynamoDB requests at once, each
// declaring and sending a body of size bytes, and checks that each is
// refused (MissingAuthenticationTokenException) while its body is owed.
func sendUnsignedBodies(b *testing.B, endpoint string, n int, size int64) {
	host := strings.TrimPrefix(endpoint, "http://")
	chunk := make([]byte, 1<<20)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			conn, err := net.Dial("tcp", host)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			go func() { // the body, until the server stops taking it
				fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n"+
					"Content-Type: application/x-amz-json-1.0\r\nContent-Length: %d\r\n\r\n", host, size)
				for sent := int64(0); sent < size; sent += int64(len(chunk)) {
					if _, err := conn.Write(chunk); err != nil {
						return
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if code := resp.Header.Get("X-Amzn-Errortype"); code != "MissingAuthenticationTokenException" {
				errs <- fmt.Errorf("unsigned 60 MiB PutItem: %d %s", resp.StatusCode, code)
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// uploadImages puts n PNGs padded to 16 KiB into the app's bucket from 16
// producers; each runs the image metadata flow.
func uploadImages(b *testing.B, client *s3.Client, bucket string, n int) {
	const producers = 16
	body := pngOf(b, 64, 64)
	body = append(body, bytes.Repeat([]byte{0}, 16<<10-len(body))...)
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	for p := range producers {
		wg.Go(func() {
			for i := p; i < n; i += producers {
				_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(fmt.Sprintf("mem/%05d.png", i)),
					Body: bytes.NewReader(body), Metadata: map[string]string{schemas.S3UserMetadataCorrelationID: strconv.Itoa(i)}})
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// deleteImages deletes what uploadImages put, 1,000 keys a request.
func deleteImages(b *testing.B, client *s3.Client, bucket string, n int) {
	for start := 0; start < n; start += 1000 {
		var ids []s3types.ObjectIdentifier
		for i := start; i < min(start+1000, n); i++ {
			ids = append(ids, s3types.ObjectIdentifier{Key: aws.String(fmt.Sprintf("mem/%05d.png", i))})
		}
		if _, err := client.DeleteObjects(context.Background(), &s3.DeleteObjectsInput{Bucket: &bucket,
			Delete: &s3types.Delete{Objects: ids}}); err != nil {
			b.Fatal(err)
		}
	}
}

type memoryUse struct{ heapMiB, heapInUseMiB, rssMiB float64 }

// memory is the process's live heap and heap in use (its spans, the live
// heap with its fragmentation) after a collection, and its resident set
// (VmRSS) once freed memory is returned to the OS.
func memory() memoryUse {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	u := memoryUse{heapMiB: float64(m.HeapAlloc) / (1 << 20), heapInUseMiB: float64(m.HeapInuse) / (1 << 20)}
	status, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			u.rssMiB = float64(kb) / 1024
		}
	}
	return u
}

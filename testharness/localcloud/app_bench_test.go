package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// BenchmarkStartAndDeploy measures starting a local cloud and deploying the
// app's template. The handlers are built once before the timer starts, as
// they are for a developer who already ran the suite: Go's build cache
// then makes each deployment's builds cheap.
func BenchmarkStartAndDeploy(b *testing.B) {
	warm := deployBench(b)
	warm.close(b)
	b.ResetTimer()
	for range b.N {
		deployBench(b).close(b)
	}
}

type benchCloud struct {
	cloud *localcloud.Cloud
	app   *app
}

func deployBench(b *testing.B) benchCloud {
	b.Helper()
	cloud, err := localcloud.Start(localcloud.Options{SourceRoot: moduleRoot})
	if err != nil {
		b.Fatal(err)
	}
	stack, err := cloud.Deploy(context.Background(), appAssemblyDir)
	if err != nil {
		b.Fatal(err)
	}
	return benchCloud{cloud: cloud, app: &app{cloud: cloud, stack: stack}}
}

// settle waits for the cloud to have nothing more to do.
func (c benchCloud) settle(b *testing.B) {
	if err := c.cloud.WaitSettled(context.Background(), time.Now().Add(10*time.Minute)); err != nil {
		b.Fatal(err)
	}
}

func (c benchCloud) close(b *testing.B) {
	if err := c.cloud.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkImageFlow measures PutObject → ImageMetadataWritten on the app
// bus, with one producer (latency) and 16 concurrent producers
// (throughput), and reports flows/s and the latency percentiles.
func BenchmarkImageFlow(b *testing.B) {
	for _, producers := range []int{1, 16} {
		b.Run(fmt.Sprintf("producers=%d", producers), func(b *testing.B) { benchImageFlow(b, producers) })
	}
}

func benchImageFlow(b *testing.B, producers int) {
	c := deployBench(b)
	defer c.close(b)
	a := c.app
	a.cfg = awstest.Config(b, c.cloud.Endpoint())
	bucket := a.stack.Outputs[schemas.OutputBucketName]
	body := pngOf(b, 172, 178)

	var mu sync.Mutex
	waiting := map[string]chan struct{}{}
	cancel := c.cloud.EventBridge.Subscribe(a.stack.Outputs[schemas.OutputEventBusName], func(envelope []byte) {
		var e struct {
			Detail struct {
				CorrelationID string `json:"correlationId"`
			} `json:"detail"`
		}
		if json.Unmarshal(envelope, &e) != nil {
			return
		}
		mu.Lock()
		ch := waiting[e.Detail.CorrelationID]
		delete(waiting, e.Detail.CorrelationID)
		mu.Unlock()
		if ch != nil {
			close(ch)
		}
	})
	defer cancel()
	client := a.s3Client()
	flow := func(id string) (time.Duration, error) {
		done := make(chan struct{})
		mu.Lock()
		waiting[id] = done
		mu.Unlock()
		start := time.Now()
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: &bucket, Key: aws.String("bench/" + id + ".png"), Body: bytes.NewReader(body),
			Metadata: map[string]string{schemas.S3UserMetadataCorrelationID: id},
		})
		if err != nil {
			return 0, err
		}
		select {
		case <-done:
			return time.Since(start), nil
		case <-time.After(30 * time.Second):
			return 0, fmt.Errorf("no ImageMetadataWritten for %s", id)
		}
	}
	// Warm the function's processes before measuring.
	for i := range 16 {
		if _, err := flow(fmt.Sprintf("warm-%d", i)); err != nil {
			b.Fatal(err)
		}
	}

	latencies := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	errs := make(chan error, producers)
	b.ResetTimer()
	start := time.Now()
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := p; i < b.N; i += producers {
				d, err := flow(fmt.Sprintf("flow-%d-%d", b.N, i))
				if err != nil {
					errs <- err
					return
				}
				latencies[i] = d
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "flows/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

// BenchmarkAuditFlow measures a USER insert → its audit entry in the audit
// log group (the pipe's batching window is zero), one insert at a time.
func BenchmarkAuditFlow(b *testing.B) {
	c := deployBench(b)
	defer c.close(b)
	a := c.app
	a.cfg = awstest.Config(b, c.cloud.Endpoint())
	table := a.stack.Outputs[schemas.OutputTableName]
	client := dynamodb.NewFromConfig(a.cfg)

	entries := make(chan string, 16)
	cancel := c.cloud.Logs.Subscribe(a.stack.Outputs[schemas.OutputAuditLogGroupName], func(e logs.Event) { entries <- e.Message })
	defer cancel()
	insert := func(pk string) (time.Duration, error) {
		start := time.Now()
		_, err := client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: map[string]ddbtypes.AttributeValue{
			schemas.TablePartitionKey: &ddbtypes.AttributeValueMemberS{Value: pk},
			schemas.TableSortKey:      &ddbtypes.AttributeValueMemberS{Value: "PROFILE"},
		}})
		if err != nil {
			return 0, err
		}
		want := `{"EventType":"UserCreated","PK":{"S":"` + pk + `"},"SK":{"S":"PROFILE"}}`
		for {
			select {
			case m := <-entries:
				if m == want {
					return time.Since(start), nil
				}
			case <-time.After(30 * time.Second):
				return 0, fmt.Errorf("no audit entry for %s", pk)
			}
		}
	}
	if _, err := insert("USER#warm"); err != nil {
		b.Fatal(err)
	}
	latencies := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		d, err := insert(fmt.Sprintf("USER#bench-%d-%d", b.N, i))
		if err != nil {
			b.Fatal(err)
		}
		latencies[i] = d
	}
	b.StopTimer()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
}

package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"

	"github.com/tracebridge/tracebridge/schemas"
)

// segmentDoc is the part of an X-Ray segment document these tests read.
type segmentDoc struct {
	Name        string       `json:"name"`
	Origin      string       `json:"origin"`
	Fault       bool         `json:"fault"`
	Error       bool         `json:"error"`
	Namespace   string       `json:"namespace"`
	AWS         awsMeta      `json:"aws"`
	Subsegments []segmentDoc `json:"subsegments"`
}

type awsMeta struct {
	Operation string `json:"operation"`
}

// walk calls fn for a segment and every subsegment below it.
func (s segmentDoc) walk(fn func(segmentDoc)) {
	fn(s)
	for _, sub := range s.Subsegments {
		sub.walk(fn)
	}
}

// traceOf waits until the trace annotated with a correlation id holds the
// segments complete says it needs, re-checking whenever a segment arrives.
func (a *app) traceOf(t *testing.T, correlationID string, complete func([]segmentDoc) bool) []segmentDoc {
	t.Helper()
	arrived := make(chan struct{}, 1)
	cancel := a.cloud.XRay.OnSegment(func(string) {
		select {
		case arrived <- struct{}{}:
		default:
		}
	})
	defer cancel()
	client := xray.NewFromConfig(a.cfg)
	deadline := time.After(30 * time.Second)
	var last []segmentDoc
	for {
		last = a.fetchTrace(t, client, correlationID)
		if complete(last) {
			return last
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("trace of %s incomplete after 30s: %+v", correlationID, last)
		}
	}
}

func (a *app) fetchTrace(t *testing.T, client *xray.Client, correlationID string) []segmentDoc {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	sums, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		FilterExpression: aws.String(`annotation.correlation_id = "` + correlationID + `"`),
	})
	if err != nil {
		t.Fatalf("GetTraceSummaries: %v", err)
	}
	var ids []string
	for _, s := range sums.TraceSummaries {
		ids = append(ids, aws.ToString(s.Id))
	}
	if len(ids) == 0 {
		return nil
	}
	traces, err := client.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: ids})
	if err != nil {
		t.Fatalf("BatchGetTraces: %v", err)
	}
	var docs []segmentDoc
	for _, tr := range traces.Traces {
		docs = append(docs, decodeSegments(t, tr.Segments)...)
	}
	return docs
}

func decodeSegments(t *testing.T, segs []xraytypes.Segment) []segmentDoc {
	t.Helper()
	var out []segmentDoc
	for _, s := range segs {
		var d segmentDoc
		if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &d); err != nil {
			t.Fatalf("segment document: %v", err)
		}
		out = append(out, d)
	}
	return out
}

// operations lists "Service.Operation" of every AWS subsegment.
func operations(docs []segmentDoc) map[string]bool {
	ops := map[string]bool{}
	for _, d := range docs {
		d.walk(func(s segmentDoc) {
			if s.Namespace == "aws" && s.AWS.Operation != "" {
				ops[s.Name+"."+s.AWS.Operation] = true
			}
		})
	}
	return ops
}

func TestImageFlowTraceShowsTheFunctionsAWSCalls(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	bucket := a.output(t, schemas.OutputBucketName)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))
	_, err := a.s3Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &bucket, Key: aws.String("traced.png"), Body: bytes.NewReader(pngOf(t, 172, 178)),
		Metadata: map[string]string{schemas.S3UserMetadataCorrelationID: "corr-trace-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	nextEvent(t, completions, "ImageMetadataWritten", func(e envelope) bool {
		return strings.Contains(string(e.Detail), `"corr-trace-1"`)
	})

	want := []string{"S3.GetObject", "S3.CopyObject", "EventBridge.PutEvents"}
	// Lambda records its own segments when the invocation ends, which may
	// be after the completion event: wait for all of them.
	docs := a.traceOf(t, "corr-trace-1", func(docs []segmentDoc) bool {
		ops, origins := operations(docs), map[string]bool{}
		for _, d := range docs {
			origins[d.Origin] = true
		}
		for _, op := range want {
			if !ops[op] {
				return false
			}
		}
		return origins["AWS::Lambda"] && origins["AWS::Lambda::Function"]
	})
	for _, d := range docs {
		d.walk(func(s segmentDoc) {
			if s.Fault || s.Error {
				t.Errorf("segment %s (%s) has a fault or error", s.Name, s.Origin)
			}
		})
	}
}

func TestTracedExecutionJoinsItsLambdaInvocations(t *testing.T) {
	// The deploy-time test run executes the harness's state machine, which
	// has tracing on. Its segment is recorded when the execution ends,
	// which may be after the deployment returned: re-check on arrivals.
	arrived := make(chan struct{}, 1)
	a := deployApp(t, assemblyDir)
	cancel := a.cloud.XRay.OnSegment(func(string) {
		select {
		case arrived <- struct{}{}:
		default:
		}
	})
	defer cancel()
	deadline := time.After(30 * time.Second)
	for !a.hasExecutionTraceWithLambda(t) {
		select {
		case <-arrived:
		case <-deadline:
			t.Fatal("no trace holds both a state machine execution and the Lambda invocations of its tasks")
		}
	}
}

// hasExecutionTraceWithLambda tells whether one trace holds a Step
// Functions execution segment and a Lambda function segment.
func (a *app) hasExecutionTraceWithLambda(t *testing.T) bool {
	t.Helper()
	ctx := context.Background()
	client := xray.NewFromConfig(a.cfg)
	now := time.Now()
	sums, err := client.GetTraceSummaries(ctx, &xray.GetTraceSummariesInput{
		StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now.Add(time.Minute)),
		FilterExpression: aws.String(`service(id(type: "AWS::StepFunctions::StateMachine"))`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range sums.TraceSummaries {
		ids = append(ids, aws.ToString(s.Id))
	}
	for len(ids) > 0 {
		batch := ids[:min(5, len(ids))]
		ids = ids[len(batch):]
		traces, err := client.BatchGetTraces(ctx, &xray.BatchGetTracesInput{TraceIds: batch})
		if err != nil {
			t.Fatal(err)
		}
		for _, tr := range traces.Traces {
			origins := map[string]bool{}
			for _, d := range decodeSegments(t, tr.Segments) {
				origins[d.Origin] = true
			}
			if origins["AWS::StepFunctions::StateMachine"] && origins["AWS::Lambda::Function"] {
				return true
			}
		}
	}
	return false
}

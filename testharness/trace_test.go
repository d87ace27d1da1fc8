package testharness_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
)

// The harness finds traces by the annotation the handlers' publisher puts
// the correlation id in; it spells the name out rather than importing the
// publisher (and the X-Ray SDK with it).
func TestCorrelationAnnotationIsTheOnePublishersWrite(t *testing.T) {
	if testharness.CorrelationAnnotation != completion.CorrelationAnnotation {
		t.Fatalf("testharness reads %q, completion writes %q", testharness.CorrelationAnnotation, completion.CorrelationAnnotation)
	}
}

func localEnv(t *testing.T) *testharness.Env {
	t.Helper()
	cloud := localcloud.RunT(t, localcloud.Options{})
	cfg, err := testharness.LocalConfig(context.Background(), cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	return testharness.NewEnv(cfg, map[string]string{})
}

// segment is a Lambda function segment document as the Lambda runtime and
// the X-Ray SDK record it, with the given subsegments.
func segment(traceID, id, correlationID string, fault bool, subs ...string) string {
	now := float64(time.Now().UnixNano()) / 1e9
	return fmt.Sprintf(`{"trace_id":%q,"id":%q,"name":"image-fn","origin":"AWS::Lambda::Function","start_time":%f,"end_time":%f,
		"subsegments":[{"id":"%s01","name":"image-metadata","start_time":%f,"end_time":%f,"fault":%v,
		  "annotations":{"correlation_id":%q},"subsegments":[%s]}]}`,
		traceID, id, now-1, now, id[:14], now-1, now, fault, correlationID, strings.Join(subs, ","))
}

func awsCall(id, service, op string, status int) string {
	now := float64(time.Now().UnixNano()) / 1e9
	return fmt.Sprintf(`{"id":%q,"name":%q,"namespace":"aws","start_time":%f,"end_time":%f,"aws":{"operation":%q},"http":{"response":{"status":%d}}}`,
		id, service, now-0.5, now-0.4, op, status)
}

func putSegments(t *testing.T, env *testharness.Env, docs ...string) {
	t.Helper()
	out, err := env.XRay.PutTraceSegments(context.Background(), &xray.PutTraceSegmentsInput{TraceSegmentDocuments: docs})
	if err != nil || len(out.UnprocessedTraceSegments) > 0 {
		t.Fatalf("PutTraceSegments: %v %+v", err, out)
	}
}

func traceID() string {
	return fmt.Sprintf("1-%08x-%024x", time.Now().Unix(), time.Now().UnixNano())
}

var wantImageFunction = testharness.SegmentExpectation{
	Origin:      testharness.OriginLambdaFunction,
	Subsegments: []string{"image-metadata"},
	Calls: []testharness.AWSCall{
		{Service: "S3", Operation: "GetObject", Status: 206},
		{Service: "S3", Operation: "CopyObject"},
	},
	Annotations: map[string]string{"correlation_id": "c-1"},
}

func TestExpectTraceIsIncompleteUntilEveryCallIsThere(t *testing.T) {
	env := localEnv(t)
	ctx := context.Background()
	_, err := env.ExpectTrace(ctx, "c-1", wantImageFunction)
	if !errors.Is(err, testharness.ErrTraceIncomplete) || !strings.Contains(err.Error(), `no trace annotated correlation_id = "c-1"`) {
		t.Fatalf("no trace: %v", err)
	}
	tid := traceID()
	putSegments(t, env, segment(tid, "aaaaaaaaaaaaaaaa", "c-1", false, awsCall("bbbbbbbbbbbbbbbb", "S3", "GetObject", 200)))
	_, err = env.ExpectTrace(ctx, "c-1", wantImageFunction)
	if !errors.Is(err, testharness.ErrTraceIncomplete) || !strings.Contains(err.Error(), "missing S3 GetObject (HTTP 206), S3 CopyObject") {
		t.Fatalf("partial trace: %v", err)
	}
	// The ranged read and the copy arrive in a later segment of another
	// trace of the same correlation id (a second invocation).
	putSegments(t, env, segment(traceID(), "cccccccccccccccc", "c-1", false,
		awsCall("dddddddddddddddd", "S3", "GetObject", 206), awsCall("eeeeeeeeeeeeeeee", "S3", "CopyObject", 200)))
	tr, err := env.ExpectTrace(ctx, "c-1", wantImageFunction)
	if err != nil {
		t.Fatalf("complete trace: %v", err)
	}
	if len(tr.IDs) != 2 || len(tr.Segments) != 2 {
		t.Errorf("trace = %d ids, %d segments; want both traces of the correlation id", len(tr.IDs), len(tr.Segments))
	}
	if _, err := env.ExpectTrace(ctx, "other", wantImageFunction); !errors.Is(err, testharness.ErrTraceIncomplete) {
		t.Errorf("another correlation id sees this one's trace: %v", err)
	}
}

func TestExpectTraceFailsAtOnceOnAFault(t *testing.T) {
	env := localEnv(t)
	putSegments(t, env, segment(traceID(), "ffffffffffffffff", "c-1", true))
	_, err := env.ExpectTrace(context.Background(), "c-1", wantImageFunction)
	if !errors.Is(err, testharness.ErrTraceFault) || errors.Is(err, testharness.ErrTraceIncomplete) || !strings.Contains(err.Error(), `fault in subsegment "image-metadata"`) {
		t.Fatalf("err = %v, want a fault naming the subsegment, not an incomplete trace", err)
	}
}

func TestExpectLogMessages(t *testing.T) {
	env := localEnv(t)
	ctx := context.Background()
	group, stream := "/audit", "s"
	if _, err := env.CloudWatchLogs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.CloudWatchLogs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: &group, LogStreamName: &stream}); err != nil {
		t.Fatal(err)
	}
	put := func(msgs ...string) {
		var evs []logstypes.InputLogEvent
		for _, m := range msgs {
			evs = append(evs, logstypes.InputLogEvent{Message: aws.String(m), Timestamp: aws.Int64(time.Now().UnixMilli())})
		}
		if _, err := env.CloudWatchLogs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: evs}); err != nil {
			t.Fatal(err)
		}
	}
	entry := `{"EventType":"UserCreated","PK":{"S":"USER#a"},"SK":{"S":"P"}}`
	pattern := `{ $.PK.S = "USER#a" }`
	if err := env.ExpectLogMessages(ctx, group, pattern, entry); !errors.Is(err, testharness.ErrTraceIncomplete) {
		t.Errorf("before the entry: %v, want incomplete (ingestion delay)", err)
	}
	put(entry, `{"EventType":"UserCreated","PK":{"S":"USER#b"},"SK":{"S":"P"}}`)
	if err := env.ExpectLogMessages(ctx, group, pattern, entry); err != nil {
		t.Errorf("exactly the entry: %v", err)
	}
	if err := env.ExpectLogMessages(ctx, group, `{ $.PK.S = "ORDER#1" }`); err != nil {
		t.Errorf("absent: %v", err)
	}
	put(entry + " ")
	err := env.ExpectLogMessages(ctx, group, pattern, entry)
	if err == nil || errors.Is(err, testharness.ErrTraceIncomplete) || !strings.Contains(err.Error(), "want exactly") {
		t.Errorf("an extra, almost equal entry: %v, want a failure", err)
	}
}

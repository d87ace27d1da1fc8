package logs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func putErr(e *env, events ...types.InputLogEvent) error {
	if events == nil {
		events = []types.InputLogEvent{} // the SDK itself refuses a nil list
	}
	_, err := e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: events})
	return err
}

func TestPutLogEventsValidation(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")

	wantAPIError(t, putErr(e, ev(time.Second, "b"), ev(0, "a")), "InvalidParameterException",
		"Log events in a single PutLogEvents request must be in chronological order.")
	wantAPIError(t, putErr(e, ev(0, "")), "InvalidParameterException",
		"1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1")
	wantAPIError(t, putErr(e), "InvalidParameterException",
		"1 validation error detected: Value '[0 log events]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1")

	many := make([]types.InputLogEvent, 10001)
	for i := range many {
		many[i] = ev(0, "x")
	}
	wantAPIError(t, putErr(e, many...), "InvalidParameterException", "")
	if _, err := e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), LogEvents: many[:10000]}); err != nil {
		t.Fatalf("10,000 events: %v", err)
	}

	// 1,048,576 bytes counting 26 per event: 4 events of 262,118 bytes fit exactly, one more byte does not.
	fits := strings.Repeat("a", 262118)
	if err := putErr(e, ev(0, fits), ev(0, fits), ev(0, fits), ev(0, fits)); err != nil {
		t.Fatalf("batch of exactly 1,048,576 bytes: %v", err)
	}
	wantAPIError(t, putErr(e, ev(0, fits), ev(0, fits), ev(0, fits), ev(0, fits+"a")), "InvalidParameterException",
		"Upload too large: 1048577 bytes exceeds limit of 1048576")
	wantAPIError(t, putErr(e, ev(0, strings.Repeat("a", 1048551))), "InvalidParameterException",
		"Log event too large: 1048577 bytes exceeds limit of 1048576")

	wantAPIError(t, putErr(e, ev(-25*time.Hour, "a"), ev(time.Hour, "b")), "InvalidParameterException",
		"The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")

	_, err := e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("nope"), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{ev(0, "a")}})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope"), LogEvents: []types.InputLogEvent{ev(0, "a")}})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestPutLogEventsRejectsTooOldExpiredAndTooNew(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	if _, err := e.client.PutRetentionPolicy(e.ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	// Valid events span less than 24 hours: the rejected ones do not count.
	out := e.put(t, "g", "s",
		ev(-20*24*time.Hour, "too old"), ev(-15*24*time.Hour, "too old too"),
		ev(-3*24*time.Hour, "expired"),
		ev(-time.Hour, "kept 1"), ev(time.Hour, "kept 2"),
		ev(3*time.Hour, "too new"))
	r := out.RejectedLogEventsInfo
	if r == nil || aws.ToInt32(r.TooOldLogEventEndIndex) != 2 || aws.ToInt32(r.ExpiredLogEventEndIndex) != 3 || aws.ToInt32(r.TooNewLogEventStartIndex) != 5 {
		t.Fatalf("rejectedLogEventsInfo = %+v; want tooOld end 2, expired end 3, tooNew start 5", r)
	}
	got, err := e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if m := strings.Join(messages(got.Events), ","); m != "kept 1,kept 2" {
		t.Errorf("stored %q, want only the accepted events", m)
	}

	clean := e.put(t, "g", "s", ev(0, "ok"))
	if clean.RejectedLogEventsInfo != nil {
		t.Errorf("a clean batch reports rejections: %+v", clean.RejectedLogEventsInfo)
	}
}

func TestPutLogEventsIgnoresSequenceTokensButReturnsThem(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	first := e.put(t, "g", "s", ev(0, "a"))
	out, err := e.client.PutLogEvents(e.ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		SequenceToken: aws.String("stale"), LogEvents: []types.InputLogEvent{ev(0, "b")}})
	if err != nil {
		t.Fatalf("a wrong sequence token must be ignored: %v", err)
	}
	if aws.ToString(first.NextSequenceToken) == "" || aws.ToString(out.NextSequenceToken) == aws.ToString(first.NextSequenceToken) {
		t.Errorf("nextSequenceToken %q then %q: want two different tokens", aws.ToString(first.NextSequenceToken), aws.ToString(out.NextSequenceToken))
	}
	streams, err := e.client.DescribeLogStreams(e.ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(streams.LogStreams[0].UploadSequenceToken); got != aws.ToString(out.NextSequenceToken) {
		t.Errorf("uploadSequenceToken %q, want the last nextSequenceToken %q", got, aws.ToString(out.NextSequenceToken))
	}
}

func TestOutOfOrderBatchesAreStoredInTimestampOrder(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	e.put(t, "g", "s", ev(10*time.Second, "t10"), ev(30*time.Second, "t30 first"))
	e.put(t, "g", "s", ev(0, "t0"), ev(20*time.Second, "t20"), ev(30*time.Second, "t30 second"), ev(40*time.Second, "t40"))
	out, err := e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(messages(out.Events), ","); got != "t0,t10,t20,t30 first,t30 second,t40" {
		t.Errorf("order %s", got)
	}
	streams, _ := e.client.DescribeLogStreams(e.ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	s := streams.LogStreams[0]
	if aws.ToInt64(s.FirstEventTimestamp) != ms(0) || aws.ToInt64(s.LastEventTimestamp) != ms(40*time.Second) || aws.ToInt64(s.LastIngestionTime) != ms(0) {
		t.Errorf("stream first %d last %d ingestion %d", aws.ToInt64(s.FirstEventTimestamp), aws.ToInt64(s.LastEventTimestamp), aws.ToInt64(s.LastIngestionTime))
	}
	if got, want := aws.ToString(s.Arn), "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s"; got != want {
		t.Errorf("stream arn %q, want %q", got, want)
	}
}

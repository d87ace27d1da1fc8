package logs_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// Under virtual time a client stamps its events with the wall clock; the
// cloud moves them onto its own clock, so that they sort with the lines it
// writes itself (a function's START and END) and are not too old to keep
// after a jump of more than 14 days.
func TestClientEventTimesMoveOntoVirtualTime(t *testing.T) {
	v := clock.NewVirtual()
	v.AdvanceTo(v.Now().Add(15 * 24 * time.Hour))
	_, client := serve(t, logs.Options{Clock: v})
	ctx := context.Background()
	if _, err := client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g")}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateLogStream(ctx, &cwl.CreateLogStreamInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	wall := time.Now().UnixMilli()
	put, err := client.PutLogEvents(ctx, &cwl.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Timestamp: aws.Int64(wall), Message: aws.String("audit")}}})
	if err != nil || put.RejectedLogEventsInfo != nil {
		t.Fatalf("PutLogEvents: %v, rejected %+v", err, put)
	}
	got, err := client.GetLogEvents(ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s")})
	if err != nil || len(got.Events) != 1 {
		t.Fatalf("GetLogEvents: %v, %+v", err, got)
	}
	want := wall + (15 * 24 * time.Hour).Milliseconds()
	if ts := aws.ToInt64(got.Events[0].Timestamp); ts < want-1000 || ts > want+1000 {
		t.Fatalf("timestamp %d, want the wall clock's %d moved 15 days on (%d)", ts, wall, want)
	}
}

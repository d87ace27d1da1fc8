package logs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func TestRetentionHidesAndDropsOldEvents(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "s")
	e.put(t, "g", "s", ev(-2*24*time.Hour, "two days old"))
	e.put(t, "g", "s", ev(-time.Hour, "an hour old"))
	if _, err := e.client.PutRetentionPolicy(e.ctx, &cwl.PutRetentionPolicyInput{LogGroupName: aws.String("g"), RetentionInDays: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	got := e.filter(t, cwl.FilterLogEventsInput{})
	if m := strings.Join(filteredMessages(got), ","); m != "an hour old" {
		t.Errorf("after retention of 1 day: %s", m)
	}

	// A day later the other event expires too: hidden on read before any
	// write sweeps it.
	e.clock.Advance(24 * time.Hour)
	out, err := e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 0 {
		t.Errorf("GetLogEvents returns expired events %v", messages(out.Events))
	}
	streams, _ := e.client.DescribeLogStreams(e.ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g")})
	if streams.LogStreams[0].FirstEventTimestamp != nil {
		t.Errorf("firstEventTimestamp %d of an expired stream", *streams.LogStreams[0].FirstEventTimestamp)
	}

	// The next write sweeps: stored bytes count only the new event.
	e.put(t, "g", "s", ev(24*time.Hour, "fresh"))
	groups, _ := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{})
	if b := aws.ToInt64(groups.LogGroups[0].StoredBytes); b != int64(len("fresh")) {
		t.Errorf("storedBytes %d after the sweep, want %d", b, len("fresh"))
	}
}

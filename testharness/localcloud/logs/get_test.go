package logs_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// tenEvents writes e0..e9 one second apart.
func tenEvents(t *testing.T, e *env) {
	e.mustGroupStream(t, "g", "s")
	var batch []types.InputLogEvent
	for i := range 10 {
		batch = append(batch, ev(time.Duration(i)*time.Second, fmt.Sprintf("e%d", i)))
	}
	e.put(t, "g", "s", batch...)
}

func TestGetLogEventsPagesForwardAndBackward(t *testing.T) {
	e := newEnv(t, logs.Options{})
	tenEvents(t, e)
	get := func(in cwl.GetLogEventsInput) *cwl.GetLogEventsOutput {
		t.Helper()
		in.LogGroupName, in.LogStreamName, in.Limit = aws.String("g"), aws.String("s"), aws.Int32(4)
		out, err := e.client.GetLogEvents(e.ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	head := get(cwl.GetLogEventsInput{StartFromHead: aws.Bool(true)})
	if got := strings.Join(messages(head.Events), ","); got != "e0,e1,e2,e3" {
		t.Fatalf("from head: %s", got)
	}
	next := get(cwl.GetLogEventsInput{NextToken: head.NextForwardToken})
	if got := strings.Join(messages(next.Events), ","); got != "e4,e5,e6,e7" {
		t.Fatalf("forward: %s", got)
	}
	back := get(cwl.GetLogEventsInput{NextToken: next.NextBackwardToken})
	if got := strings.Join(messages(back.Events), ","); got != "e0,e1,e2,e3" {
		t.Fatalf("backward from the second page: %s", got)
	}
	if !strings.HasPrefix(aws.ToString(head.NextForwardToken), "f/") || !strings.HasPrefix(aws.ToString(head.NextBackwardToken), "b/") {
		t.Errorf("tokens %q %q: want f/… and b/…", aws.ToString(head.NextForwardToken), aws.ToString(head.NextBackwardToken))
	}
	// Before the first event the backward token repeats.
	first := get(cwl.GetLogEventsInput{NextToken: back.NextBackwardToken})
	if len(first.Events) != 0 || aws.ToString(first.NextBackwardToken) != aws.ToString(back.NextBackwardToken) {
		t.Errorf("backward past the start: %d events, token %q (passed %q)", len(first.Events), aws.ToString(first.NextBackwardToken), aws.ToString(back.NextBackwardToken))
	}

	tail := get(cwl.GetLogEventsInput{})
	if got := strings.Join(messages(tail.Events), ","); got != "e6,e7,e8,e9" {
		t.Fatalf("default (from the tail): %s", got)
	}
	older := get(cwl.GetLogEventsInput{NextToken: tail.NextBackwardToken})
	if got := strings.Join(messages(older.Events), ","); got != "e2,e3,e4,e5" {
		t.Fatalf("backward from the tail: %s", got)
	}
	end := get(cwl.GetLogEventsInput{NextToken: tail.NextForwardToken})
	if len(end.Events) != 0 || aws.ToString(end.NextForwardToken) != aws.ToString(tail.NextForwardToken) {
		t.Errorf("at the end: %d events, forward token %q (passed %q)", len(end.Events), aws.ToString(end.NextForwardToken), aws.ToString(tail.NextForwardToken))
	}
}

func TestGetLogEventsPaginatorStops(t *testing.T) {
	e := newEnv(t, logs.Options{})
	tenEvents(t, e)
	p := cwl.NewGetLogEventsPaginator(e.client, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(3)}, func(o *cwl.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	var got []string
	pages := 0
	for p.HasMorePages() {
		if pages++; pages > 10 {
			t.Fatal("the paginator does not stop")
		}
		page, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, messages(page.Events)...)
	}
	want := []string{"e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9"}
	if !slices.Equal(got, want) || pages != 5 {
		t.Errorf("%d pages, events %v; want 5 pages (4 full, 1 empty) of %v", pages, got, want)
	}
}

func TestGetLogEventsTimeWindowAndErrors(t *testing.T) {
	e := newEnv(t, logs.Options{})
	tenEvents(t, e)
	out, err := e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		StartFromHead: aws.Bool(true), StartTime: aws.Int64(ms(2 * time.Second)), EndTime: aws.Int64(ms(5 * time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(messages(out.Events), ","); got != "e2,e3,e4" {
		t.Errorf("[2s, 5s): %s (startTime inclusive, endTime exclusive)", got)
	}
	if got := out.Events[0]; aws.ToInt64(got.Timestamp) != ms(2*time.Second) || aws.ToInt64(got.IngestionTime) != ms(0) {
		t.Errorf("event timestamp %d ingestion %d", aws.ToInt64(got.Timestamp), aws.ToInt64(got.IngestionTime))
	}
	out, err = e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:g:*"),
		LogStreamName: aws.String("s"), Limit: aws.Int32(1)})
	if err != nil || len(out.Events) != 1 || aws.ToString(out.Events[0].Message) != "e9" {
		t.Errorf("by ARN identifier: %v, %v", out, err)
	}
	_, err = e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"), NextToken: aws.String("f/garbage")})
	wantAPIError(t, err, "InvalidParameterException", "The specified nextToken is invalid.")
	_, err = e.client.GetLogEvents(e.ctx, &cwl.GetLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("nope")})
	wantAPIError(t, err, "ResourceNotFoundException", "The specified log stream does not exist.")
}

func TestDescribeLogStreamsOrderAndPaging(t *testing.T) {
	e := newEnv(t, logs.Options{})
	e.mustGroupStream(t, "g", "b", "a", "c", "other")
	e.put(t, "g", "a", ev(3*time.Second, "x"))
	e.put(t, "g", "b", ev(1*time.Second, "x"))
	e.put(t, "g", "c", ev(2*time.Second, "x"))
	list := func(in cwl.DescribeLogStreamsInput) string {
		t.Helper()
		in.LogGroupName = aws.String("g")
		var names []string
		p := cwl.NewDescribeLogStreamsPaginator(e.client, &in)
		for p.HasMorePages() {
			page, err := p.NextPage(e.ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page.LogStreams {
				names = append(names, aws.ToString(s.LogStreamName))
			}
		}
		return strings.Join(names, ",")
	}
	if got := list(cwl.DescribeLogStreamsInput{Limit: aws.Int32(2)}); got != "a,b,c,other" {
		t.Errorf("by name: %s", got)
	}
	if got := list(cwl.DescribeLogStreamsInput{OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)}); got != "a,c,b,other" {
		t.Errorf("by last event time, descending: %s", got)
	}
	if got := list(cwl.DescribeLogStreamsInput{LogStreamNamePrefix: aws.String("o")}); got != "other" {
		t.Errorf("prefix: %s", got)
	}
	_, err := e.client.DescribeLogStreams(e.ctx, &cwl.DescribeLogStreamsInput{LogGroupName: aws.String("g"), OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	wantAPIError(t, err, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
}

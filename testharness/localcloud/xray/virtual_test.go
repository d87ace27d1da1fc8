package xray

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsxray "github.com/aws/aws-sdk-go-v2/service/xray"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// Under virtual time a function process stamps its segments with the wall
// clock; the cloud moves them onto its own clock, so they line up with the
// segments it records itself.
func TestClientSegmentTimesMoveOntoVirtualTime(t *testing.T) {
	v := clock.NewVirtual()
	v.AdvanceTo(v.Now().Add(time.Hour))
	e := newEnv(t, v)
	wall := float64(time.Now().UnixNano()) / 1e9
	traceID := fmt.Sprintf("1-%08x-0123456789abcdef01234567", time.Now().Unix())
	doc := fmt.Sprintf(`{"trace_id":%q,"id":"70de5b6f19ff9a0a","name":"fn","start_time":%f,"end_time":%f,
	  "subsegments":[{"id":"70de5b6f19ff9a0b","name":"S3","start_time":%f,"end_time":%f}]}`,
		traceID, wall, wall+0.5, wall+0.1, wall+0.2)
	if _, err := e.client.PutTraceSegments(ctx(), &awsxray.PutTraceSegmentsInput{TraceSegmentDocuments: []string{doc}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{traceID}})
	if err != nil || len(out.Traces) != 1 || len(out.Traces[0].Segments) != 1 {
		t.Fatalf("BatchGetTraces: %v, %+v", err, out)
	}
	got, err := parseSegment([]byte(aws.ToString(out.Traces[0].Segments[0].Document)))
	if err != nil || len(got.Subsegments) != 1 {
		t.Fatalf("stored document: %v, %+v", err, got)
	}
	for what, pair := range map[string][2]float64{
		"start_time":            {got.StartTime, wall + 3600},
		"end_time":              {got.EndTime, wall + 3600.5},
		"subsegment start_time": {got.Subsegments[0].StartTime, wall + 3600.1},
	} {
		if math.Abs(pair[0]-pair[1]) > 1 {
			t.Errorf("%s %f, want the wall clock's %f moved an hour on", what, pair[0], pair[1])
		}
	}
}

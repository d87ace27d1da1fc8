package console_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/chromedp/chromedp"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// flowTrace is the trace of one flow of the app as its segments tell it:
// an upload (root segment, with the S3 call as a subsegment) and the
// function it caused, whose segment hangs under the S3 call.
type flowTrace struct {
	id, correlationID string
	fault             bool
}

// documents renders the trace's segment documents, start at start.
func (f flowTrace) documents(start time.Time) []string {
	at := func(ms int) float64 { return float64(start.Add(time.Duration(ms)*time.Millisecond).UnixNano()) / 1e9 }
	upload, s3call, fn := traceheader.NewSegmentID(), traceheader.NewSegmentID(), traceheader.NewSegmentID()
	docs := []map[string]any{
		{"trace_id": f.id, "id": upload, "name": "test-runner", "origin": "AWS::Lambda::Function",
			"start_time": at(0), "end_time": at(40),
			"annotations": map[string]any{"correlation_id": f.correlationID},
			"subsegments": []any{map[string]any{"id": s3call, "name": "S3", "namespace": "aws", "start_time": at(5), "end_time": at(15),
				"aws": map[string]any{"operation": "PutObject"}}}},
		{"trace_id": f.id, "id": fn, "parent_id": s3call, "name": "image-metadata", "origin": "AWS::Lambda::Function",
			"start_time": at(18), "end_time": at(35), "fault": f.fault,
			"annotations": map[string]any{"correlation_id": f.correlationID}},
	}
	out := make([]string, len(docs))
	for i, d := range docs {
		b, _ := json.Marshal(d) // maps of strings and numbers
		out[i] = string(b)
	}
	return out
}

// putTraces sends the traces' segments through X-Ray's API.
func putTraces(t testing.TB, cloud *localcloud.Cloud, traces ...flowTrace) {
	t.Helper()
	client := xray.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	start := time.Now().Add(-time.Second)
	for _, f := range traces {
		out, err := client.PutTraceSegments(context.Background(), &xray.PutTraceSegmentsInput{TraceSegmentDocuments: f.documents(start)})
		if err != nil || len(out.UnprocessedTraceSegments) > 0 {
			t.Fatalf("PutTraceSegments: %v %+v", err, out)
		}
	}
}

func TestConsoleInChromium(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	now := time.Now()
	passing := flowTrace{id: traceheader.NewTraceID(now), correlationID: "c-png-1"}
	failing := flowTrace{id: traceheader.NewTraceID(now), correlationID: "c-user-2", fault: true}
	putTraces(t, cloud, passing, failing)

	b := startBrowser(t)
	b.run(t, "load the console",
		chromedp.Navigate(cloud.ConsoleURL()),
		chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)),
		chromedp.Click(chromedp.CSS(`nav a[data-view="runs"]`)))

	// The run is reported while the page is open: it must arrive through
	// the live stream, not a reload.
	cloud.Observer().TestRun(observe.TestRun{ExecutionArn: "arn:aws:states:us-east-1:000000000000:execution:Tests:run-1",
		Passed: 1, Failed: 1, VerdictMs: 840, Results: []observe.TestResult{
			{Name: "s3_png_metadata", Passed: true, DurationMs: 412, TraceID: passing.id, CorrelationID: passing.correlationID},
			{Name: "ddb_user_audit_log", Passed: false, DurationMs: 30, TraceID: failing.id, CorrelationID: failing.correlationID,
				Reason: "UserAuditFailed: AccessDeniedException"},
		}})
	b.run(t, "see the test run appear live",
		chromedp.WaitVisible(chromedp.CSS(`#runs-list tr[data-test="ddb_user_audit_log"]`)))
	reason := get(t, b, "read the failure's reason",
		chromedp.Text(chromedp.CSS(`#runs-list tr[data-test="ddb_user_audit_log"] td:nth-child(4)`)))

	// Its trace link opens the trace: a timeline bar per segment and
	// subsegment, a trace map with a node per service.
	b.run(t, "open the failing test's trace",
		chromedp.Click(chromedp.CSS(`#runs-list tr[data-test="ddb_user_audit_log"] a[href^="#trace/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#trace-timeline .tl-bar.fault`)),
		chromedp.WaitVisible(chromedp.CSS(`#trace-map g[data-service="image-metadata"] circle`)))
	bars := get(t, b, "count the timeline's bars", chromedp.Evaluate[int](`document.querySelectorAll('#trace-timeline .tl-bar').length`))
	nodes := get(t, b, "count the map's nodes", chromedp.Evaluate[int](`document.querySelectorAll('#trace-map g[data-service]').length`))

	// The filter by correlation id lists that trace alone.
	b.run(t, "filter the traces by correlation id",
		chromedp.SetValue(chromedp.CSS(`#traces-correlation`), passing.correlationID),
		chromedp.Click(chromedp.CSS(`#traces-filter button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#traces-table[data-filter='annotation.correlation_id = "%s"']`, passing.correlationID))))
	listed := get(t, b, "read the filtered list",
		chromedp.Evaluate[[]string](`[...document.querySelectorAll('#traces-table tbody tr')].map(r => r.dataset.trace)`))

	if reason != "UserAuditFailed: AccessDeniedException" {
		t.Errorf("the failing test's reason reads %q", reason)
	}
	if bars != 3 || nodes != 3 {
		t.Errorf("the trace drew %d timeline bars and %d map nodes, want 3 (two segments, one subsegment) and 3 (the function, S3 and the function it called)", bars, nodes)
	}
	if len(listed) != 1 || listed[0] != passing.id {
		t.Errorf("filtered by %s, the list shows %q; want only %s", passing.correlationID, listed, passing.id)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("the page reported errors: %q", errs)
	}
}

// A browser opens few connections to one host (six over HTTP/1.1), and
// keeps pages navigated from in its back/forward cache: a page that held
// its live stream open there would leave the seventh load waiting.
func TestConsoleLetsGoOfItsStreamWhenNavigatedFrom(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	b := startBrowser(t)
	for i := range 8 {
		b.run(t, fmt.Sprintf("load %d", i+1), chromedp.Navigate(fmt.Sprintf("%s?load=%d#events", cloud.ConsoleURL(), i)),
			chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("the page reported errors: %q", errs)
	}
}

package lambda

import (
	"context"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

func TestLogsCarryPlatformLinesAndOutput(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Logs", map[string]any{"FunctionName": "logs-fn", "TracingConfig": map[string]any{"Mode": "Active"}})
	cold := invoke(t, h, name, `{"action":"echo"}`)
	tail, err := base64.StdEncoding.DecodeString(aws.ToString(cold.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	requestID := decode[echo](t, cold.Payload).RequestID
	for _, re := range []string{
		`START RequestId: ` + requestID + ` Version: \$LATEST`,
		`handling echo`,
		`END RequestId: ` + requestID,
		`REPORT RequestId: ` + requestID + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: \d+\.\d\d ms\t`,
		`XRAY TraceId: 1-[0-9a-f]{8}-[0-9a-f]{24}\tSegmentId: [0-9a-f]{16}\tSampled: true`,
	} {
		if !regexp.MustCompile(re).Match(tail) {
			t.Errorf("cold log tail lacks %s:\n%s", re, tail)
		}
	}
	warm := invoke(t, h, name, `{}`)
	warmTail, _ := base64.StdEncoding.DecodeString(aws.ToString(warm.LogResult))
	if strings.Contains(string(warmTail), "Init Duration") {
		t.Errorf("warm REPORT has an init duration:\n%s", warmTail)
	}

	var streams = map[string]bool{}
	var sawOutput bool
	for _, e := range h.logs.snapshot() {
		if e.group != "/aws/lambda/logs-fn" {
			t.Errorf("log event in group %q", e.group)
		}
		streams[e.stream] = true
		sawOutput = sawOutput || e.message == "handling echo"
	}
	if !sawOutput || len(streams) != 1 {
		t.Errorf("sink got output %v in streams %v", sawOutput, streams)
	}
}

func TestTracingContinuesTheCallersTrace(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Traced", nil) // PassThrough
	const root = "1-5759e988-bd862e3fe1be46a994272793"
	out, err := h.svc.Invoke(context.Background(), name, []byte(`{}`), InvokeOptions{TraceHeader: "Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1"})
	if err != nil {
		t.Fatal(err)
	}
	got := decode[echo](t, out.Payload).TraceID
	if !regexp.MustCompile(`^Root=` + root + `;Parent=[0-9a-f]{16};Sampled=1$`).MatchString(got) {
		t.Fatalf("runtime trace header = %q", got)
	}
	records := h.traces.snapshot()
	if len(records) != 1 {
		t.Fatalf("%d trace records", len(records))
	}
	rec := records[0]
	if rec.TraceID != root || rec.CallerParentID != "53995c3f42cd8ad8" || !strings.Contains(got, rec.FunctionSegmentID) || rec.InitDuration == 0 {
		t.Fatalf("trace record = %+v", rec)
	}

	// Unsampled without a caller header on PassThrough: no record.
	if _, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if len(h.traces.snapshot()) != 1 {
		t.Fatal("an unsampled invocation was traced")
	}
}

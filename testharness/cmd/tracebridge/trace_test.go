package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/xray"
)

// putSegments sends segment documents through the X-Ray API, as an
// instrumented service would.
func putSegments(t *testing.T, endpoint string, docs ...map[string]any) {
	t.Helper()
	cfg, err := awsConfig(context.Background(), endpoint)
	if err != nil {
		t.Fatal(err)
	}
	var raw []string
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, string(b))
	}
	out, err := xray.NewFromConfig(cfg).PutTraceSegments(context.Background(), &xray.PutTraceSegmentsInput{TraceSegmentDocuments: raw})
	if err != nil {
		t.Fatalf("PutTraceSegments: %v", err)
	}
	if len(out.UnprocessedTraceSegments) > 0 {
		t.Fatalf("unprocessed segments: %+v", out.UnprocessedTraceSegments)
	}
}

func traceID(start time.Time, n int) string {
	return fmt.Sprintf("1-%08x-%024x", start.Unix(), n)
}

// Two traces of one correlation id — an upload and the function it
// triggered, whose S3 call faulted — and a trace of another id.
func seedTraces(t *testing.T, endpoint string) (upload, function, other string) {
	start := time.Now().Add(-time.Minute)
	sec := func(ms int) float64 { return float64(start.UnixMilli()+int64(ms)) / 1000 }
	upload, function, other = traceID(start, 1), traceID(start, 2), traceID(start, 3)
	putSegments(t, endpoint,
		map[string]any{"id": "a000000000000001", "trace_id": upload, "name": "suite", "start_time": sec(0), "end_time": sec(100),
			"annotations": map[string]any{"correlation_id": "corr-42"},
			"subsegments": []any{map[string]any{"id": "a000000000000002", "name": "S3", "namespace": "aws",
				"aws": map[string]any{"operation": "PutObject"}, "start_time": sec(10), "end_time": sec(90)}}},
		map[string]any{"id": "b000000000000001", "trace_id": function, "name": "metadata", "origin": "AWS::Lambda::Function",
			"start_time": sec(200), "end_time": sec(400), "fault": true,
			"annotations": map[string]any{"correlation_id": "corr-42"},
			"subsegments": []any{map[string]any{"id": "b000000000000002", "name": "S3", "namespace": "aws",
				"aws": map[string]any{"operation": "CopyObject"}, "start_time": sec(250), "end_time": sec(390), "fault": true,
				"cause": map[string]any{"exceptions": []any{map[string]any{"message": "Access Denied"}}}}}},
		map[string]any{"id": "c000000000000001", "trace_id": other, "name": "unrelated", "start_time": sec(0), "end_time": sec(5),
			"annotations": map[string]any{"correlation_id": "corr-7"}},
	)
	return upload, function, other
}

func TestTraceStitchesTheTracesOfACorrelationID(t *testing.T) {
	cloud := emptyCloud(t)
	upload, function, other := seedTraces(t, cloud.Endpoint())
	page := filepath.Join(t.TempDir(), "trace.html")

	got := runCLI(t, "trace", "--correlation-id", "corr-42", "--endpoint", cloud.Endpoint(), "--html", page, "--width", "40")
	if got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	lines := strings.Split(strings.TrimRight(got.stdout, "\n"), "\n")
	if !strings.Contains(lines[0], upload+", "+function) || strings.Contains(got.stdout, other) {
		t.Errorf("header %q: want the two traces of corr-42, oldest first, and not %s", lines[0], other)
	}
	wantRows := []string{"suite ", "  S3 PutObject ", "metadata ", "  S3 CopyObject "}
	if len(lines) != 2+len(wantRows) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), 2+len(wantRows), got.stdout)
	}
	for i, want := range wantRows {
		if !strings.HasPrefix(lines[2+i], want) {
			t.Errorf("row %d = %q, want it to start with %q", i, lines[2+i], want)
		}
	}
	if copyRow := lines[5]; !strings.Contains(copyRow, "FAULT") || !strings.Contains(copyRow, "Access Denied") || !strings.Contains(copyRow, "140.0ms") {
		t.Errorf("CopyObject row %q: want its 140 ms, FAULT and the cause", copyRow)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "S3 CopyObject") || !strings.Contains(string(html), "<!DOCTYPE html>") {
		t.Errorf("HTML page lacks the waterfall:\n%.300s", html)
	}
}

func TestTraceByID(t *testing.T) {
	cloud := emptyCloud(t)
	_, function, _ := seedTraces(t, cloud.Endpoint())
	got := runCLI(t, "trace", function, "--endpoint", cloud.Endpoint())
	if got.code != 0 || !strings.Contains(got.stdout, "  S3 CopyObject") || strings.Contains(got.stdout, "suite") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
}

func TestTraceOfUnknownIDsFails(t *testing.T) {
	cloud := emptyCloud(t)
	missing := traceID(time.Now(), 99)
	got := runCLI(t, "trace", missing, "--endpoint", cloud.Endpoint())
	if got.code != 1 || !strings.Contains(got.stderr, "X-Ray has no trace ["+missing+"]") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
	got = runCLI(t, "trace", "--correlation-id", "nobody", "--endpoint", cloud.Endpoint())
	if got.code != 1 || !strings.Contains(got.stderr, `no trace is annotated with correlation_id = "nobody"`) {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

// Without --endpoint the SDK's default chain decides, so the environment
// `tracebridge local up` prints is enough.
func TestTraceHonoursAWSEndpointURL(t *testing.T) {
	cloud := emptyCloud(t)
	_, function, _ := seedTraces(t, cloud.Endpoint())
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": cloud.Endpoint(), "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_REGION": "us-east-1", "AWS_PROFILE": "", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		t.Setenv(k, v)
	}
	got := runCLI(t, "trace", function)
	if got.code != 0 || !strings.Contains(got.stdout, "  S3 CopyObject") {
		t.Errorf("exit %d, stdout:\n%s\nstderr: %s", got.code, got.stdout, got.stderr)
	}
}

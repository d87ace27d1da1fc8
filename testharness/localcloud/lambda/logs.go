package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// LogEvent is one line of function output or one platform line.
type LogEvent struct {
	Timestamp time.Time
	Message   string
}

// LogSink receives what functions write: each process's stdout and stderr
// lines and the platform's START, END and REPORT lines, in the group of
// the function (/aws/lambda/NAME or LoggingConfig.LogGroup) and the stream
// of the process. The Logs service implements it; Write must not block on
// the function.
type LogSink interface {
	Write(ctx context.Context, group, stream string, events []LogEvent)
}

type discardLogs struct{}

func (discardLogs) Write(context.Context, string, string, []LogEvent) {}

// newStreamName names a process's log stream as Lambda does:
// 2026/11/25/[$LATEST]<32 hex digits>.
func newStreamName(now time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("2006/01/02") + "/[" + latest + "]" + hex.EncodeToString(b[:])
}

// report is what the REPORT line says about an invocation.
type report struct {
	requestID    string
	duration     time.Duration
	initDuration time.Duration // zero on a warm start
	memorySize   int
	maxMemoryMB  int
	status       string // "", or "timeout" / "error" when the environment was reset
	trace        *traceContext
}

// platformLines formats the START, END and REPORT lines in the function's
// log format: Text as Lambda has always written them, JSON as the
// platform.start / platform.report records of LoggingConfig LogFormat JSON.
type platformLines struct {
	json bool
}

func (p platformLines) start(now time.Time, requestID string) string {
	if p.json {
		return platformRecord(now, "platform.start", map[string]any{"requestId": requestID, "version": latest})
	}
	return "START RequestId: " + requestID + " Version: " + latest
}

func (p platformLines) end(now time.Time, requestID string) string {
	if p.json {
		return platformRecord(now, "platform.runtimeDone", map[string]any{"requestId": requestID})
	}
	return "END RequestId: " + requestID
}

func (p platformLines) report(now time.Time, r report) string {
	billed := int64(math.Ceil(float64(r.duration+r.initDuration) / float64(time.Millisecond)))
	if p.json {
		metrics := map[string]any{
			"durationMs": millis(r.duration), "billedDurationMs": billed,
			"memorySizeMB": r.memorySize, "maxMemoryUsedMB": r.maxMemoryMB,
		}
		if r.initDuration > 0 {
			metrics["initDurationMs"] = millis(r.initDuration)
		}
		status := r.status
		if status == "" {
			status = "success"
		}
		rec := map[string]any{"requestId": r.requestID, "metrics": metrics, "status": status}
		if r.trace != nil && r.trace.sampled {
			rec["tracing"] = map[string]any{"type": "X-Amzn-Trace-Id", "value": r.trace.runtimeHeader()}
		}
		return platformRecord(now, "platform.report", rec)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.requestID, millis(r.duration), billed, r.memorySize, r.maxMemoryMB)
	if r.initDuration > 0 {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", millis(r.initDuration))
	}
	if r.status != "" {
		fmt.Fprintf(&b, "Status: %s\t", r.status)
	}
	if r.trace != nil && r.trace.sampled {
		fmt.Fprintf(&b, "\nXRAY TraceId: %s\tSegmentId: %s\tSampled: true\t", r.trace.root, r.trace.functionSegment)
	}
	return b.String()
}

func platformRecord(now time.Time, typ string, record map[string]any) string {
	b, _ := json.Marshal(map[string]any{"time": now.UTC().Format("2006-01-02T15:04:05.000Z"), "type": typ, "record": record})
	return string(b)
}

func millis(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*100) / 100
}

// maxMemoryMB reads a process's peak resident memory (VmHWM) where /proc
// has it, for the REPORT line; 0 elsewhere.
func maxMemoryMB(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return (kb + 1023) / 1024
		}
	}
	return 0
}

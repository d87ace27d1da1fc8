package lambda

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// traceContext is an invocation's X-Ray context. Lambda records two
// segments per traced invocation — AWS::Lambda (the service, a child of the
// caller's segment) and AWS::Lambda::Function (its child) — and hands the
// runtime a header whose Parent is the function segment, so the handler's
// subsegments nest under it.
type traceContext struct {
	root            string // 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx
	callerParent    string // the caller's segment, "" when Lambda started the trace
	serviceSegment  string
	functionSegment string
	sampled         bool
}

// newTraceContext continues the caller's X-Amzn-Trace-Id header, or starts
// a trace: sampled when the function's TracingConfig is Active, otherwise
// unsampled (Lambda still gives the runtime a header then).
func newTraceContext(callerHeader string, now time.Time, active bool) *traceContext {
	t := &traceContext{serviceSegment: randomHex(8), functionSegment: randomHex(8)}
	sampledSet := false
	for _, part := range strings.Split(callerHeader, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Root":
			t.root = v
		case "Parent":
			t.callerParent = v
		case "Sampled":
			t.sampled, sampledSet = v == "1", v == "0" || v == "1"
		}
	}
	if t.root == "" {
		t.root = fmt.Sprintf("1-%08x-%s", now.Unix(), randomHex(12))
		t.callerParent = ""
	}
	if !sampledSet {
		t.sampled = active
	}
	return t
}

// runtimeHeader is Lambda-Runtime-Trace-Id (and the function's
// _X_AMZN_TRACE_ID).
func (t *traceContext) runtimeHeader() string {
	sampled := "0"
	if t.sampled {
		sampled = "1"
	}
	return "Root=" + t.root + ";Parent=" + t.functionSegment + ";Sampled=" + sampled
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// InvocationRecord describes one finished invocation: what the X-Ray
// service needs to record the AWS::Lambda and AWS::Lambda::Function
// segments of a sampled one, and what the observer shows.
type InvocationRecord struct {
	FunctionARN string
	RequestID   string
	TraceID     string // Root
	Sampled     bool
	// CallerParentID is the caller's segment id, the parent of the
	// AWS::Lambda segment; empty when Lambda started the trace.
	CallerParentID    string
	ServiceSegmentID  string // AWS::Lambda
	FunctionSegmentID string // AWS::Lambda::Function, the runtime's Parent
	Start, End        time.Time
	// Duration is the invocation's run time on the wall clock, as the
	// REPORT line says it.
	Duration time.Duration
	// InitDuration is the cold start's init phase (an Initialization
	// subsegment), zero when warm.
	InitDuration time.Duration
	// FunctionError is "Unhandled" when the function failed; ErrorType is
	// the error's type (Runtime.ExitError, a Go type name, …).
	FunctionError, ErrorType string
	Async                    bool
	// FaultID is the injected fault the invocation met ("" for none).
	FaultID string
	// LogGroup and LogStream are where the invocation's lines went.
	LogGroup, LogStream string
	// Retry is set for an attempt of an asynchronous event.
	Retry *AsyncAttempt
}

// AsyncAttempt places an invocation among its asynchronous event's
// attempts, and says what Lambda does next when it failed.
type AsyncAttempt struct {
	// Attempt is 1 for the first, 2 for the first retry …; MaxRetries the
	// function's MaximumRetryAttempts.
	Attempt, MaxRetries int
	// RetryAt is when a failed attempt is retried (its event's age is
	// checked then); zero when it succeeded or was the last.
	RetryAt time.Time
	// OnFailure is the destination the event's record goes to when its
	// last attempt fails; "" when the event is then dropped.
	OnFailure string
}

// InvocationTracer is told about every sampled invocation when it ends.
// The X-Ray service implements it.
type InvocationTracer interface {
	TraceInvocation(ctx context.Context, rec InvocationRecord)
}

// InvocationObserver is told about every invocation when it ends, sampled
// or not (the local cloud's console).
type InvocationObserver interface {
	InvocationEnded(rec InvocationRecord)
}

type noObserver struct{}

func (noObserver) InvocationEnded(InvocationRecord) {}

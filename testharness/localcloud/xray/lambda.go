package xray

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// With active tracing, AWS Lambda records two segments per invocation
// (Lambda developer guide, "Using AWS Lambda with AWS X-Ray"; shapes as
// BatchGetTraces returns them in aws-powertools/powertools-lambda-typescript#452
// and #1636):
//   - the service segment: name = function name, origin "AWS::Lambda",
//     http.response.status 200, aws.request_id, resource_arn; its parent is
//     the caller's segment when the caller passed a trace header;
//   - the function segment: the same name, origin "AWS::Lambda::Function",
//     parent = the service segment, aws.account_id / function_arn /
//     resource_names, and subsegments Initialization (cold starts only),
//     Invocation and Overhead.
// The function's own SDK subsegments hang from the function segment: the
// runtime gets Parent=<function segment id> in Lambda-Runtime-Trace-Id.
//
// Simplified: Overhead is zero-length (the local Lambda has no post-response
// work to show); a function error marks the function segment and its
// Invocation subsegment as fault with the error type as the cause; async
// invocations get no "Dwell Time"/"Attempt #n" subsegments.

// LambdaInvocation describes an invocation to record.
type LambdaInvocation struct {
	// TraceID is the trace to record into; empty starts a new trace.
	TraceID string
	// ParentID is the caller's segment id (the Parent of its trace
	// header), the service segment's parent; empty when Lambda starts the
	// trace.
	ParentID     string
	FunctionName string // defaults to the ARN's function name
	FunctionARN  string
	RequestID    string
	// Start is when the invocation began (after init on a cold start).
	Start time.Time
	// ColdStart with InitDuration records an Initialization subsegment
	// that ends at Start.
	ColdStart    bool
	InitDuration time.Duration
	// ServiceSegmentID and FunctionSegmentID are used when set (a caller
	// that chose its ids already); new ids are made otherwise.
	ServiceSegmentID  string
	FunctionSegmentID string
}

// LambdaOutcome is how an invocation ended.
type LambdaOutcome struct {
	End time.Time
	// FunctionError is "Unhandled" when the function failed, else "".
	FunctionError string
	// ErrorType is the failure's type (Runtime.ExitError, a Go type name).
	ErrorType string
	// FaultID is the injected fault the invocation met: the service
	// segment is annotated with it (FaultAnnotation).
	FaultID string
}

// LambdaSegments is a started invocation's trace context.
type LambdaSegments struct {
	TraceID           string
	ServiceSegmentID  string
	FunctionSegmentID string

	s   *Service
	inv LambdaInvocation
	// ids of the Initialization, Invocation and Overhead subsegments and
	// of a failure's exception, fixed at start so the completed document
	// keeps them.
	initID, invokeID, overheadID, exceptionID string
}

// RuntimeHeader is the Lambda-Runtime-Trace-Id for the runtime (and its
// _X_AMZN_TRACE_ID): Root=<trace>;Parent=<function segment>;Sampled=1.
func (l *LambdaSegments) RuntimeHeader() string {
	return traceheader.Header{Root: l.TraceID, Parent: l.FunctionSegmentID, Sampled: traceheader.Sampled}.String()
}

// StartLambdaInvocation records both segments as in progress and returns
// their ids, before the function runs: pass RuntimeHeader() to the runtime
// so the SDK's subsegments hang from the function segment, then call
// Finish. Until then the trace is partial.
func (s *Service) StartLambdaInvocation(_ context.Context, inv LambdaInvocation) (*LambdaSegments, error) {
	if inv.FunctionARN == "" {
		return nil, fmt.Errorf("xray: StartLambdaInvocation: FunctionARN is required")
	}
	if inv.FunctionName == "" {
		a, err := arn.Parse(inv.FunctionARN)
		if err != nil {
			return nil, fmt.Errorf("xray: StartLambdaInvocation: %w", err)
		}
		inv.FunctionName = functionName(a.Resource)
	}
	if inv.TraceID == "" {
		inv.TraceID, inv.ParentID = traceheader.NewTraceID(inv.Start), ""
	} else if !traceheader.ValidTraceID(inv.TraceID) {
		return nil, fmt.Errorf("xray: StartLambdaInvocation: trace id %q is not valid", inv.TraceID)
	}
	if inv.ServiceSegmentID == "" {
		inv.ServiceSegmentID = traceheader.NewSegmentID()
	}
	if inv.FunctionSegmentID == "" {
		inv.FunctionSegmentID = traceheader.NewSegmentID()
	}
	l := &LambdaSegments{TraceID: inv.TraceID, ServiceSegmentID: inv.ServiceSegmentID,
		FunctionSegmentID: inv.FunctionSegmentID, s: s, inv: inv, initID: traceheader.NewSegmentID(),
		invokeID: traceheader.NewSegmentID(), overheadID: traceheader.NewSegmentID(), exceptionID: traceheader.NewSegmentID()}
	if err := l.record(nil); err != nil {
		return nil, err
	}
	return l, nil
}

// Finish records the completed segments.
func (l *LambdaSegments) Finish(out LambdaOutcome) error { return l.record(&out) }

// RecordLambdaInvocation records a finished invocation at once (for a
// caller that learns of invocations when they end) and returns the
// function segment's id.
func (s *Service) RecordLambdaInvocation(ctx context.Context, inv LambdaInvocation, out LambdaOutcome) (string, error) {
	l, err := s.StartLambdaInvocation(ctx, inv)
	if err != nil {
		return "", err
	}
	return l.FunctionSegmentID, l.Finish(out)
}

// functionName is the name in a function ARN's resource
// ("function:name" or "function:name:qualifier").
func functionName(resource string) string {
	var name string
	if _, err := fmt.Sscanf(resource, "function:%s", &name); err != nil {
		return resource
	}
	for i := 0; i < len(name); i++ {
		if name[i] == ':' {
			return name[:i]
		}
	}
	return name
}

// lambdaDoc is a segment document as Lambda writes it.
type lambdaDoc struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	StartTime   float64        `json:"start_time"`
	TraceID     string         `json:"trace_id,omitempty"`
	EndTime     float64        `json:"end_time,omitempty"`
	InProgress  bool           `json:"in_progress,omitempty"`
	ParentID    string         `json:"parent_id,omitempty"`
	Fault       bool           `json:"fault,omitempty"`
	Cause       any            `json:"cause,omitempty"`
	HTTP        any            `json:"http,omitempty"`
	AWS         map[string]any `json:"aws,omitempty"`
	Origin      string         `json:"origin,omitempty"`
	ResourceARN string         `json:"resource_arn,omitempty"`
	Subsegments []lambdaDoc    `json:"subsegments,omitempty"`
	Annotations map[string]any `json:"annotations,omitempty"`
}

// record stores the two segments, in progress when out is nil.
func (l *LambdaSegments) record(out *LambdaOutcome) error {
	inv := l.inv
	begin := inv.Start
	if inv.ColdStart {
		begin = begin.Add(-inv.InitDuration)
	}
	fnAWS := map[string]any{"function_arn": inv.FunctionARN}
	svc := lambdaDoc{ID: inv.ServiceSegmentID, Name: inv.FunctionName, StartTime: epoch(begin), TraceID: inv.TraceID,
		ParentID: inv.ParentID, Origin: "AWS::Lambda", ResourceARN: inv.FunctionARN,
		AWS: map[string]any{"request_id": inv.RequestID}}
	fn := lambdaDoc{ID: inv.FunctionSegmentID, Name: inv.FunctionName, StartTime: epoch(begin), TraceID: inv.TraceID,
		ParentID: inv.ServiceSegmentID, Origin: "AWS::Lambda::Function",
		AWS: map[string]any{"account_id": accountOfARN(inv.FunctionARN), "function_arn": inv.FunctionARN,
			"resource_names": []string{inv.FunctionName}}}
	if inv.ColdStart {
		fn.Subsegments = append(fn.Subsegments, lambdaDoc{ID: l.initID, Name: "Initialization",
			StartTime: epoch(begin), EndTime: epoch(inv.Start), AWS: fnAWS})
	}
	if out == nil {
		svc.InProgress, fn.InProgress = true, true
	} else {
		end := epoch(out.End)
		svc.EndTime, fn.EndTime = end, end
		if out.FaultID != "" {
			svc.Annotations = map[string]any{FaultAnnotation: out.FaultID}
		}
		svc.HTTP = map[string]any{"response": map[string]any{"status": 200}}
		invocation := lambdaDoc{ID: l.invokeID, Name: "Invocation", StartTime: epoch(inv.Start),
			EndTime: end, AWS: fnAWS}
		if out.FunctionError != "" {
			errType := out.ErrorType
			if errType == "" {
				errType = out.FunctionError
			}
			cause := map[string]any{"working_directory": "/var/task", "exceptions": []map[string]any{
				{"id": l.exceptionID, "type": errType, "message": errType}}}
			fn.Fault, invocation.Fault, invocation.Cause = true, true, cause
		}
		fn.Subsegments = append(fn.Subsegments, invocation,
			lambdaDoc{ID: l.overheadID, Name: "Overhead", StartTime: end, EndTime: end, AWS: fnAWS})
	}
	for _, d := range []lambdaDoc{svc, fn} {
		b, err := json.Marshal(d)
		if err != nil {
			return fmt.Errorf("xray: encode Lambda segment: %w", err)
		}
		seg, err := parseSegment(b)
		if err != nil {
			return fmt.Errorf("xray: Lambda segment %s: %w", d.ID, err)
		}
		l.s.store(seg)
	}
	return nil
}

func accountOfARN(s string) string {
	if a, err := arn.Parse(s); err == nil {
		return a.Account
	}
	return arn.Account
}

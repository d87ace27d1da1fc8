package testharness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/xray"
)

// OriginLambdaFunction is the origin of the segment a Lambda function's
// runtime records (the one its SDK calls hang under); OriginLambda is the
// Lambda service's own segment of the invocation.
const (
	OriginLambdaFunction = "AWS::Lambda::Function"
	OriginLambda         = "AWS::Lambda"
)

// CorrelationAnnotation is the X-Ray annotation the app's handlers put the
// correlation id in (completion.Annotate); traces are found by it. It is
// completion.CorrelationAnnotation, written out (a test holds them equal):
// importing completion would link the X-Ray SDK, and with it gRPC and the
// AWS SDK v1, into every program that reads traces — the CLI among them,
// which a first run compiles.
const CorrelationAnnotation = "correlation_id"

// traceWindow is how far back trace queries look. A test's trace starts
// after its Act, which is minutes ago at most.
const traceWindow = time.Hour

// Segment is an X-Ray segment or subsegment document: the fields
// assertions read ("X-Ray segment documents" in the X-Ray developer guide).
type Segment struct {
	ID          string          `json:"id"`
	TraceID     string          `json:"trace_id,omitempty"`
	Name        string          `json:"name"`
	Origin      string          `json:"origin,omitempty"`
	Namespace   string          `json:"namespace,omitempty"`
	Fault       bool            `json:"fault,omitempty"`
	Error       bool            `json:"error,omitempty"`
	Throttle    bool            `json:"throttle,omitempty"`
	Cause       json.RawMessage `json:"cause,omitempty"`
	Annotations map[string]any  `json:"annotations,omitempty"`
	AWS         struct {
		Operation string `json:"operation,omitempty"`
	} `json:"aws"`
	HTTP struct {
		Response struct {
			Status int `json:"status,omitempty"`
		} `json:"response"`
	} `json:"http"`
	Subsegments []Segment `json:"subsegments,omitempty"`
}

// Walk calls fn for s and every subsegment below it, depth first.
func (s Segment) Walk(fn func(Segment)) {
	fn(s)
	for _, sub := range s.Subsegments {
		sub.Walk(fn)
	}
}

// Trace is every trace annotated with one correlation id: AWS does not
// carry trace context across S3 notifications or DynamoDB streams, so one
// run may span several traces.
type Trace struct {
	IDs      []string
	Segments []Segment // top-level segments of all the traces
}

// FindTrace returns the traces annotated correlation_id = id:
// GetTraceSummaries with that filter expression, then BatchGetTraces.
// It returns an empty Trace, not an error, when there are none yet.
func (e *Env) FindTrace(ctx context.Context, correlationID string) (Trace, error) {
	if strings.ContainsAny(correlationID, `"\`) {
		return Trace{}, fmt.Errorf("correlation id %q cannot be quoted in an X-Ray filter expression", correlationID)
	}
	now := time.Now()
	filter := fmt.Sprintf(`annotation.%s = "%s"`, CorrelationAnnotation, correlationID)
	var tr Trace
	sums := xray.NewGetTraceSummariesPaginator(e.XRay, &xray.GetTraceSummariesInput{
		StartTime: aws.Time(now.Add(-traceWindow)), EndTime: aws.Time(now.Add(time.Minute)),
		FilterExpression: aws.String(filter),
	})
	for sums.HasMorePages() {
		page, err := sums.NextPage(ctx)
		if err != nil {
			return Trace{}, fmt.Errorf("GetTraceSummaries %s: %w", filter, err)
		}
		for _, s := range page.TraceSummaries {
			if id := aws.ToString(s.Id); id != "" && !slices.Contains(tr.IDs, id) {
				tr.IDs = append(tr.IDs, id)
			}
		}
	}
	// BatchGetTraces takes at most 5 trace ids per request.
	for batch := range slices.Chunk(tr.IDs, 5) {
		pages := xray.NewBatchGetTracesPaginator(e.XRay, &xray.BatchGetTracesInput{TraceIds: batch})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return Trace{}, fmt.Errorf("BatchGetTraces %v: %w", batch, err)
			}
			for _, t := range page.Traces {
				for _, s := range t.Segments {
					var seg Segment
					if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &seg); err != nil {
						return Trace{}, fmt.Errorf("segment %s of trace %s: %w", aws.ToString(s.Id), aws.ToString(t.Id), err)
					}
					tr.Segments = append(tr.Segments, seg)
				}
			}
		}
	}
	return tr, nil
}

// AWSCall is an AWS SDK call recorded as a subsegment: its name is the
// service ("S3", "EventBridge") and aws.operation the operation.
type AWSCall struct {
	Service   string
	Operation string
	// Status is the HTTP status the call must have had (206 for a ranged
	// GetObject); 0 accepts any.
	Status int
}

func (c AWSCall) String() string {
	s := c.Service + " " + c.Operation
	if c.Status != 0 {
		s += fmt.Sprintf(" (HTTP %d)", c.Status)
	}
	return s
}

func (c AWSCall) matches(s Segment) bool {
	return s.Namespace == "aws" && s.Name == c.Service && s.AWS.Operation == c.Operation &&
		(c.Status == 0 || s.HTTP.Response.Status == c.Status)
}

// SegmentExpectation describes one segment the trace must hold. Empty
// fields match anything.
type SegmentExpectation struct {
	Name   string // exact segment name (for a function: its name)
	Origin string // e.g. OriginLambdaFunction
	// Subsegments are names of subsegments somewhere below the segment,
	// such as the one a handler opens for its own work.
	Subsegments []string
	// Calls are AWS calls recorded below the segment.
	Calls []AWSCall
	// Annotations must be on the segment or a subsegment below it.
	Annotations map[string]string
}

func (x SegmentExpectation) String() string {
	var parts []string
	if x.Origin != "" {
		parts = append(parts, x.Origin)
	}
	if x.Name != "" {
		parts = append(parts, fmt.Sprintf("named %q", x.Name))
	}
	for _, s := range x.Subsegments {
		parts = append(parts, fmt.Sprintf("with subsegment %q", s))
	}
	for _, c := range x.Calls {
		parts = append(parts, "with "+c.String())
	}
	for k, v := range x.Annotations {
		parts = append(parts, fmt.Sprintf("annotated %s=%q", k, v))
	}
	return "segment " + strings.Join(parts, " ")
}

// identifies reports whether s is the segment x is about.
func (x SegmentExpectation) identifies(s Segment) bool {
	return (x.Name == "" || s.Name == x.Name) && (x.Origin == "" || s.Origin == x.Origin)
}

// missing lists what s lacks of x, or nil when s satisfies it.
func (x SegmentExpectation) missing(s Segment) []string {
	var lack []string
	for _, name := range x.Subsegments {
		if !s.any(func(sub Segment) bool { return sub.Name == name }) {
			lack = append(lack, fmt.Sprintf("subsegment %q", name))
		}
	}
	for _, c := range x.Calls {
		if !s.any(c.matches) {
			lack = append(lack, c.String())
		}
	}
	for k, v := range x.Annotations {
		if !s.any(func(sub Segment) bool { a, ok := sub.Annotations[k]; return ok && fmt.Sprint(a) == v }) {
			lack = append(lack, fmt.Sprintf("annotation %s=%q", k, v))
		}
	}
	return lack
}

func (s Segment) any(pred func(Segment) bool) bool {
	found := false
	s.Walk(func(sub Segment) { found = found || pred(sub) })
	return found
}

// ExpectTrace finds the traces of a correlation id and checks them: every
// expected segment is there, and no segment or subsegment has a fault or
// an error. It returns the traces it checked. While an expected segment is
// missing it returns an error wrapping ErrTraceIncomplete (X-Ray ingests
// with a delay, so the caller retries); a fault or error is a failure at
// once, even when the trace is still incomplete.
func (e *Env) ExpectTrace(ctx context.Context, correlationID string, want ...SegmentExpectation) (Trace, error) {
	tr, err := e.FindTrace(ctx, correlationID)
	if err != nil {
		return tr, err
	}
	if err := tr.NoFaults(); err != nil {
		return tr, err
	}
	if len(tr.Segments) == 0 {
		return tr, fmt.Errorf("no trace annotated %s = %q yet: %w", CorrelationAnnotation, correlationID, ErrTraceIncomplete)
	}
	var problems []string
	for _, x := range want {
		if lack := tr.closest(x); lack != nil {
			problems = append(problems, fmt.Sprintf("%s: missing %s", x, strings.Join(lack, ", ")))
		}
	}
	if len(problems) > 0 {
		return tr, fmt.Errorf("traces %s of %s: %s: %w", strings.Join(tr.IDs, ", "), correlationID,
			strings.Join(problems, "; "), ErrTraceIncomplete)
	}
	return tr, nil
}

// closest returns nil when some segment satisfies x, else what the best
// candidate lacks.
func (tr Trace) closest(x SegmentExpectation) []string {
	best := []string{"the segment itself"}
	candidates := 0
	for _, s := range tr.Segments {
		if !x.identifies(s) {
			continue
		}
		lack := x.missing(s)
		if len(lack) == 0 {
			return nil
		}
		if candidates == 0 || len(lack) < len(best) {
			best = lack
		}
		candidates++
	}
	return best
}

// ErrTraceFault is wrapped by the error NoFaults returns.
var ErrTraceFault = errors.New("trace has a fault or error")

// NoFaults fails when any segment or subsegment records a fault (5xx), an
// error (4xx) or a throttle, naming the first and its cause.
func (tr Trace) NoFaults() error {
	for _, top := range tr.Segments {
		var bad *Segment
		top.Walk(func(s Segment) {
			if bad == nil && (s.Fault || s.Error || s.Throttle) {
				bad = &s
			}
		})
		if bad != nil {
			what := "error"
			switch {
			case bad.Fault:
				what = "fault"
			case bad.Throttle:
				what = "throttle"
			}
			cause := ""
			if len(bad.Cause) > 0 {
				cause = ": " + string(bad.Cause)
			}
			return fmt.Errorf("%w: %s in %s %q (trace %s)%s", ErrTraceFault, what, describeOrigin(*bad), bad.Name, top.TraceID, cause)
		}
	}
	return nil
}

func describeOrigin(s Segment) string {
	switch {
	case s.Origin != "":
		return s.Origin + " segment"
	case s.Namespace == "aws":
		return "AWS call " + s.AWS.Operation + " of"
	default:
		return "subsegment"
	}
}

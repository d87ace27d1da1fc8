package stepfunctions

import (
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// ExecutionTracer records the X-Ray segments of traced executions (the
// xray service implements it). TraceExecution is called once per sampled
// execution, when it ends.
type ExecutionTracer interface {
	TraceExecution(rec ExecutionTrace)
}

// ExecutionTrace is one execution's segment and its task subsegments.
type ExecutionTrace struct {
	TraceID string
	// SegmentID is the execution's segment (named after the state
	// machine); ParentID is the caller's segment, "" when the execution
	// started the trace.
	SegmentID, ParentID string
	ExecutionArn        string
	StateMachineArn     string
	StateMachineName    string
	Start, End          time.Time
	Status              string
	Error, Cause        string
	Tasks               []TaskSegment
}

// TaskSegment is a Task state's attempt: a subsegment of the execution's
// segment, the Parent of the header the integration received.
type TaskSegment struct {
	SegmentID  string
	StateName  string
	Resource   string
	Start, End time.Time
	// Error is the task's error name, "" when it succeeded.
	Error string
}

// executionTrace is an execution's place in a trace. With tracing off,
// a header the caller gave is still passed on as it came, unsampled
// executions record nothing.
type executionTrace struct {
	given     string // the caller's header
	root      string
	parentID  string
	segmentID string
	sampled   bool

	mu    sync.Mutex
	tasks []TaskSegment // guarded by mu
}

// newExecutionTrace continues the caller's header, or starts a trace when
// the state machine has tracing enabled; nil when neither applies.
func newExecutionTrace(callerHeader string, enabled bool, now time.Time) *executionTrace {
	h, err := traceheader.Parse(callerHeader)
	if err != nil {
		h = traceheader.Header{}
	}
	if h.Root == "" && !enabled {
		return nil
	}
	t := &executionTrace{given: callerHeader, root: h.Root, parentID: h.Parent, segmentID: traceheader.NewSegmentID()}
	if t.root == "" {
		t.root = traceheader.NewTraceID(now)
		t.parentID = ""
	}
	t.sampled = enabled && h.Sampled != traceheader.NotSampled
	return t
}

// header is the traceHeader DescribeExecution reports.
func (t *executionTrace) header() string {
	if t == nil {
		return ""
	}
	if t.given != "" {
		return t.given
	}
	return traceheader.Header{Root: t.root, Sampled: traceheader.Sampled}.String()
}

// taskHeader starts a task subsegment and returns its id and the header
// the integration is called with.
func (t *executionTrace) taskHeader() (string, string) {
	if t == nil {
		return "", ""
	}
	if !t.sampled {
		return "", t.given
	}
	id := traceheader.NewSegmentID()
	return id, traceheader.Header{Root: t.root, Parent: id, Sampled: traceheader.Sampled}.String()
}

func (t *executionTrace) addTask(seg TaskSegment) {
	if t == nil || !t.sampled {
		return
	}
	t.mu.Lock()
	t.tasks = append(t.tasks, seg)
	t.mu.Unlock()
}

func (t *executionTrace) record(r ExecutionResult) ExecutionTrace {
	t.mu.Lock()
	defer t.mu.Unlock()
	name := r.StateMachineArn[strings.LastIndexByte(r.StateMachineArn, ':')+1:]
	return ExecutionTrace{TraceID: t.root, SegmentID: t.segmentID, ParentID: t.parentID, ExecutionArn: r.ExecutionArn,
		StateMachineArn: r.StateMachineArn, StateMachineName: name, Start: r.StartDate, End: r.StopDate,
		Status: r.Status, Error: r.Error, Cause: r.Cause, Tasks: append([]TaskSegment(nil), t.tasks...)}
}

package observe

import "time"

// Kind says what a record is about.
type Kind string

// The kinds of records.
const (
	KindEvent        Kind = "event"        // an event put on (or replayed to) a bus
	KindDelivery     Kind = "delivery"     // one attempt to deliver an event to a rule target, or giving up
	KindStreamRecord Kind = "streamRecord" // a stream record a pipe read, with its filter's verdict
	KindInvocation   Kind = "invocation"   // a Lambda invocation, with its log lines
	KindDenial       Kind = "denial"       // a request or in-process call IAM denied
	KindFault        Kind = "fault"        // an injected fault that hit
	KindTestRun      Kind = "testRun"      // a run of the test suite and its verdicts
)

// Record is one thing that happened in the local cloud. Exactly one of the
// kind's fields is set. Seq orders records; Time is the cloud's clock.
type Record struct {
	Seq  uint64    `json:"seq"`
	Time time.Time `json:"time"`
	Kind Kind      `json:"kind"`
	// TraceID is the X-Ray trace root the record belongs to, when known.
	TraceID string `json:"traceId,omitempty"`

	Event        *Event        `json:"event,omitempty"`
	Delivery     *Delivery     `json:"delivery,omitempty"`
	StreamRecord *StreamRecord `json:"streamRecord,omitempty"`
	Invocation   *Invocation   `json:"invocation,omitempty"`
	Denial       *Denial       `json:"denial,omitempty"`
	Fault        *Fault        `json:"fault,omitempty"`
	TestRun      *TestRun      `json:"testRun,omitempty"`
}

// Event is an event EventBridge accepted and matched against the enabled
// rules of its bus.
type Event struct {
	ID         string `json:"id"`
	Bus        string `json:"bus"`
	Source     string `json:"source"`
	DetailType string `json:"detailType"`
	// Detail is the event's detail JSON, cut at MaxDetailBytes.
	Detail string `json:"detail"`
	// Replay names the replay that sent the event again, "" for a put.
	Replay string `json:"replay,omitempty"`
	// Matched and Unmatched are the ARNs of the enabled rules considered.
	Matched   []string `json:"matched"`
	Unmatched []string `json:"unmatched"`
}

// Delivery outcomes.
const (
	Delivered = "delivered" // the target accepted the event
	Retrying  = "retrying"  // the attempt failed; EventBridge tries again
	Failed    = "failed"    // the attempt failed for good
	GaveUp    = "gaveUp"    // retries ended: sent to the dead-letter queue, or dropped
)

// Delivery is one attempt to deliver an event to a rule's target.
type Delivery struct {
	EventID  string `json:"eventId"`
	Rule     string `json:"rule"`
	TargetID string `json:"targetId"`
	Target   string `json:"target"`
	Attempt  int    `json:"attempt"`
	Outcome  string `json:"outcome"`
	// ErrorCode is the dead-letter ERROR_CODE of a failed attempt
	// (NO_PERMISSIONS, THROTTLING …).
	ErrorCode    string `json:"errorCode,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	// InvocationID is the request id of the invocation a Lambda target
	// was asked for: its Invocation record has it.
	InvocationID string `json:"invocationId,omitempty"`
	// DeadLetterQueue is where a GaveUp event went, "" when dropped.
	DeadLetterQueue string `json:"deadLetterQueue,omitempty"`
	// RetryAt is when a Retrying attempt is tried again (the event's age
	// is checked then), as retry Attempt of MaxRetries.
	RetryAt    *time.Time `json:"retryAt,omitempty"`
	MaxRetries int        `json:"maxRetries,omitempty"`
}

// StreamRecord is a DynamoDB stream record a pipe read.
type StreamRecord struct {
	Pipe           string `json:"pipe"`
	EventID        string `json:"eventId"`
	EventName      string `json:"eventName"`
	SequenceNumber string `json:"sequenceNumber"`
	Keys           string `json:"keys"`
	// Passed tells whether the pipe's filters let the record through.
	Passed bool `json:"passed"`
}

// Invocation is a finished Lambda invocation.
type Invocation struct {
	Function  string  `json:"function"`
	RequestID string  `json:"requestId"`
	Async     bool    `json:"async"`
	Duration  float64 `json:"durationMs"`
	// InitDuration is the cold start's init phase, 0 when warm.
	InitDuration float64 `json:"initDurationMs,omitempty"`
	// ErrorType is set when the function failed (Runtime.ExitError …).
	ErrorType string `json:"errorType,omitempty"`
	// Fault is the injected fault the invocation met.
	Fault    string `json:"fault,omitempty"`
	LogGroup string `json:"logGroup"`
	// Logs are the lines the invocation wrote (platform lines included),
	// at most MaxInvocationLines; LogsDropped counts those left out.
	Logs        []string `json:"logs"`
	LogsDropped int      `json:"logsDropped,omitempty"`
	// Retry is set for an attempt of an asynchronous event.
	Retry *AsyncAttempt `json:"retry,omitempty"`
}

// AsyncAttempt is where an asynchronous invocation stands among its
// event's attempts, and what Lambda does when it failed.
type AsyncAttempt struct {
	// Attempt is 1 for the first, 2 for the first retry …
	Attempt    int `json:"attempt"`
	MaxRetries int `json:"maxRetries"`
	// RetryAt is when a failed attempt is retried; nil when the attempt
	// succeeded or was the last.
	RetryAt *time.Time `json:"retryAt,omitempty"`
	// OnFailure is the destination the event's record goes to after its
	// last attempt failed, "" when it is dropped.
	OnFailure string `json:"onFailure,omitempty"`
}

// Denial is a request IAM refused.
type Denial struct {
	Service   string `json:"service"`
	Principal string `json:"principal"`
	Code      string `json:"code"`
	Message   string `json:"message"`
}

// Fault is an injected fault's hit.
type Fault struct {
	ID         string   `json:"id"`
	Action     string   `json:"action"`
	Service    string   `json:"service"`
	Operations []string `json:"operations,omitempty"`
	Resources  []string `json:"resources,omitempty"`
	Principal  string   `json:"principal,omitempty"`
	ErrorCode  string   `json:"errorCode,omitempty"`
}

// TestRun is a run of the test suite, as its report tells it.
type TestRun struct {
	ExecutionArn string       `json:"executionArn"`
	Passed       int          `json:"passed"`
	Failed       int          `json:"failed"`
	VerdictMs    int64        `json:"verdictMs"`
	Results      []TestResult `json:"results"`
}

// TestResult is one test's verdict.
type TestResult struct {
	Name          string `json:"name"`
	Passed        bool   `json:"passed"`
	DurationMs    int64  `json:"durationMs"`
	TraceID       string `json:"traceId,omitempty"`
	CorrelationID string `json:"correlationId,omitempty"`
	Reason        string `json:"reason,omitempty"`
}

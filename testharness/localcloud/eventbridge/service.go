package eventbridge

import (
	"context"
	"net/http"
	"sync"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// AsyncInvokeOptions is what EventBridge tells Lambda about an invocation,
// so that Lambda can check the function's resource policy against it.
type AsyncInvokeOptions struct {
	SourceARN     string // the rule ARN
	SourceAccount string
	Principal     string // "events.amazonaws.com"
	TraceHeader   string // X-Amzn-Trace-Id of the event, "" when none
	// RequestID is the id Lambda gives the invocation, so that what the
	// delivery caused can be followed (DeliveryAttempt.InvocationID).
	RequestID string
}

// LambdaInvoker invokes functions asynchronously (the lambda service). An
// *awsproto.Error with status 403 (AccessDeniedException) or 404 tells
// EventBridge not to retry.
type LambdaInvoker interface {
	InvokeAsync(ctx context.Context, functionARN string, payload []byte, opts AsyncInvokeOptions) error
}

// QueueMessage is a message EventBridge sends to an SQS queue.
type QueueMessage struct {
	Body string
	// RuleARN is the rule whose delivery this is: the aws:SourceArn the
	// queue's policy sees when EventBridge sends as events.amazonaws.com.
	RuleARN string
	// MessageGroupID is the target's SqsParameters.MessageGroupId (FIFO).
	MessageGroupID string
	// Attributes are string message attributes (dead-letter messages
	// carry RULE_ARN, TARGET_ARN, ERROR_CODE, …).
	Attributes map[string]string
	// TraceHeader is the event's X-Ray trace header, which the message
	// carries as its AWSTraceHeader system attribute: EventBridge passes
	// the original trace header to the target, and to a dead-letter queue
	// on its SendMessage (EventBridge User Guide, "Amazon EventBridge
	// integration with AWS X-Ray").
	TraceHeader string
}

// QueueSender sends messages to SQS queues: rule targets and dead-letter
// queues.
type QueueSender interface {
	SendMessage(ctx context.Context, queueARN string, m QueueMessage) error
}

// ExecutionStarter starts Step Functions executions for state machine
// targets, as a session of the target's role (roleARN), which must allow
// states:StartExecution on the state machine.
type ExecutionStarter interface {
	StartExecution(ctx context.Context, stateMachineARN, roleARN, input, traceHeader string) error
}

// Delivery is one event on its way to one target, after input
// transformation.
type Delivery struct {
	RuleARN     string
	TargetID    string
	TargetARN   string
	RoleARN     string
	Input       []byte
	TraceHeader string
}

// Target delivers to a kind of target the service does not know itself;
// Options.Targets maps an ARN's service ("sns", "kinesis") to one.
type Target interface {
	Deliver(ctx context.Context, d Delivery) error
}

// TargetFunc adapts a function to Target.
type TargetFunc func(ctx context.Context, d Delivery) error

func (f TargetFunc) Deliver(ctx context.Context, d Delivery) error { return f(ctx, d) }

// DeliveryFailure reports an event EventBridge gave up delivering to a
// target: sent to its dead-letter queue, or dropped.
type DeliveryFailure struct {
	Delivery
	EventID      string
	ErrorCode    string // ERROR_CODE of the dead-letter message
	ErrorMessage string
	Attempts     int
	// DeadLetterARN is the queue the event went to, "" when dropped.
	DeadLetterARN string
	// DeadLetterErr is why sending to the dead-letter queue failed.
	DeadLetterErr error
}

// EntryFaults decides which entries of a caller's PutEvents an injected
// fault fails (faults.EntryError): the local cloud's fault registry, which
// also logs the hit.
type EntryFaults interface {
	// EntryFault returns the fault that fails an entry for the bus busARN
	// put by the principal in ctx, traced with traceHeader.
	EntryFault(ctx context.Context, busARN, traceHeader string) (faults.Fault, bool)
}

// Options configure a Service. Every field is optional; a target whose
// consumer is missing fails its deliveries with NO_RESOURCE.
type Options struct {
	// Clock stamps events and times retries (clock.Real{} when nil).
	Clock   clock.Clock
	Lambda  LambdaInvoker
	SQS     QueueSender
	StepFns ExecutionStarter
	// Targets adds kinds of targets by ARN service name.
	Targets map[string]Target
	// OnDeliveryFailure is told about every event given up on.
	OnDeliveryFailure func(DeliveryFailure)
	// Faults fails entries of callers' PutEvents as injected; none when
	// nil.
	Faults EntryFaults
	// Observer hears every routed event and delivery attempt; nobody
	// when nil.
	Observer Observer
	// Activity records deliveries not yet made, so the cloud knows when it
	// has settled; a tracker of the service's own when nil.
	Activity *activity.Tracker
	// MaxArchiveBytes bounds what one archive keeps, counted as
	// DescribeArchive's SizeBytes (DefaultMaxArchiveBytes when 0): past
	// it the oldest events are dropped, as retention would drop them.
	// AWS archives without a size limit; the local cloud keeps them in
	// memory.
	MaxArchiveBytes int64
}

// DefaultMaxArchiveBytes is the local cloud's budget for one archive.
const DefaultMaxArchiveBytes = 64 << 20

// Service is the local EventBridge.
type Service struct {
	opts  Options
	clock clock.Clock

	// ctx ends with Close; deliveries run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.RWMutex
	buses    map[string]*bus     // guarded by mu, by name
	archives map[string]*archive // guarded by mu, by name
	replays  map[string]*replay  // guarded by mu, by name

	subMu  sync.RWMutex
	subs   map[string]map[int]func([]byte) // guarded by subMu, by bus name
	nextID int                             // guarded by subMu

	q queues
}

// New returns an EventBridge service with the default bus.
func New(o Options) *Service {
	if o.MaxArchiveBytes <= 0 {
		o.MaxArchiveBytes = DefaultMaxArchiveBytes
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	o.Activity = activity.OrNew(o.Activity, o.Clock)
	if o.Observer == nil {
		o.Observer = noObserver{}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		opts: o, clock: o.Clock, ctx: ctx, cancel: cancel,
		buses:    map[string]*bus{},
		archives: map[string]*archive{},
		replays:  map[string]*replay{},
		subs:     map[string]map[int]func([]byte){},
	}
	s.q.init()
	s.buses[DefaultBus] = newBus(DefaultBus, s.clock.Now())
	return s
}

// Close stops deliveries and replays and waits for them to end.
func (s *Service) Close() {
	s.cancel()
	s.q.stopAll()
	s.wg.Wait()
}

// Route is EventBridge's gateway route.
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "events", SigningNames: []string{"events"},
		TargetPrefixes: []string{"AWSEvents"}, Auth: sigv4.JSON, Handler: s.handler()}
}

// handler serves the awsJson1.1 API.
func (s *Service) handler() http.Handler {
	return &awsproto.JSONService{TargetPrefix: "AWSEvents", ContentType: "application/x-amz-json-1.1",
		Operations: s.operations()}
}

// operations is the table of the API operations the service answers.
func (s *Service) operations() map[string]awsproto.JSONOperation {
	return map[string]awsproto.JSONOperation{
		"CreateEventBus":   awsproto.JSONOp(s.createEventBus),
		"DescribeEventBus": awsproto.JSONOp(s.describeEventBus),
		"ListEventBuses":   awsproto.JSONOp(s.listEventBuses),
		"DeleteEventBus":   awsproto.JSONOp(s.deleteEventBus),
		"PutPermission":    awsproto.JSONOp(s.putPermission),
		"RemovePermission": awsproto.JSONOp(s.removePermission),

		"PutRule":      awsproto.JSONOp(s.putRule),
		"DescribeRule": awsproto.JSONOp(s.describeRule),
		"ListRules":    awsproto.JSONOp(s.listRules),
		"DeleteRule":   awsproto.JSONOp(s.deleteRule),
		"EnableRule":   awsproto.JSONOp(s.enableRule),
		"DisableRule":  awsproto.JSONOp(s.disableRule),

		"PutTargets":            awsproto.JSONOp(s.putTargets),
		"RemoveTargets":         awsproto.JSONOp(s.removeTargets),
		"ListTargetsByRule":     awsproto.JSONOp(s.listTargetsByRule),
		"ListRuleNamesByTarget": awsproto.JSONOp(s.listRuleNamesByTarget),

		"PutEvents":        awsproto.JSONOp(s.putEventsOp),
		"TestEventPattern": awsproto.JSONOp(s.testEventPattern),

		"CreateArchive":   awsproto.JSONOp(s.createArchive),
		"DescribeArchive": awsproto.JSONOp(s.describeArchive),
		"ListArchives":    awsproto.JSONOp(s.listArchives),
		"UpdateArchive":   awsproto.JSONOp(s.updateArchive),
		"DeleteArchive":   awsproto.JSONOp(s.deleteArchive),
		"StartReplay":     awsproto.JSONOp(s.startReplay),
		"DescribeReplay":  awsproto.JSONOp(s.describeReplay),
		"ListReplays":     awsproto.JSONOp(s.listReplays),
		"CancelReplay":    awsproto.JSONOp(s.cancelReplay),
	}
}

package stepfunctions

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// LambdaInvoker runs functions synchronously for lambda:invoke tasks and
// bare function ARNs (the lambda service). ctx carries the principal of the
// state machine's role session (identity.FromContext).
//
// A function error is a result (FunctionError set, Payload the error
// document), not an error. An error is a failure of the Lambda service
// itself; an *awsproto.Error keeps its code ("ResourceNotFoundException",
// "TooManyRequestsException"), which the task reports as "Lambda.<code>".
type LambdaInvoker interface {
	Invoke(ctx context.Context, functionARN string, payload []byte, opts LambdaInvokeOptions) (LambdaResult, error)
}

// LambdaInvokeOptions are the parts of a lambda:invoke task besides the
// function and the payload.
type LambdaInvokeOptions struct {
	// Qualifier is a version or alias ("" for $LATEST).
	Qualifier string
	// InvocationType is "RequestResponse" (default) or "Event".
	InvocationType string
	// ClientContext is the base64 client context of the task's Parameters.
	ClientContext string
	// TraceHeader is the X-Amzn-Trace-Id the function's trace continues.
	TraceHeader string
}

// LambdaResult is a finished invocation.
type LambdaResult struct {
	Payload []byte
	// FunctionError is "Unhandled" (or "Handled") when the function failed.
	FunctionError   string
	ExecutedVersion string
	RequestID       string
}

// EventPutter puts events on buses for events:putEvents tasks (the
// eventbridge service). ctx carries the role session's principal.
type EventPutter interface {
	PutEvents(ctx context.Context, entries []EventEntry) ([]EventResult, error)
}

// EventEntry is one entry of a putEvents task.
type EventEntry struct {
	EventBusName string // name or ARN; "" is the default bus
	Source       string
	DetailType   string
	Detail       json.RawMessage // a JSON object
	Resources    []string
	Time         time.Time // zero: the time it is put
	TraceHeader  string
}

// EventResult is one entry's outcome: an event id, or an error code and
// message.
type EventResult struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// SDKCaller calls an AWS API action with awsJson parameters, on behalf of
// the role session in ctx. It serves the optimized DynamoDB and SQS
// integrations and every arn:aws:states:::aws-sdk:SERVICE:ACTION task.
// service is the SDK client name of the Resource ("dynamodb", "sqs",
// "sfn", "eventbridge", …) and action the API action in PascalCase
// ("PutItem"). params and the result use the service's own JSON member
// names.
//
// A service error SHOULD be an *awsproto.Error carrying the service's
// error code, so that tasks can catch it by name; NewGatewaySDKCaller
// returns one.
type SDKCaller interface {
	Call(ctx context.Context, service, action string, params json.RawMessage) (json.RawMessage, error)
}

// RoleAssumer issues the role session every execution acts as;
// identity.Store is one.
type RoleAssumer interface {
	AssumeRole(roleARN, sessionName string, now time.Time, duration time.Duration) identity.Credentials
	Lookup(accessKeyID string) (p identity.Principal, secret string, ok bool)
}

// Options configure a Service. Every field is optional: a task whose
// integration is nil fails with States.Runtime and a cause naming what is
// missing.
type Options struct {
	// Clock drives executions: Wait states, retry intervals, timeouts and
	// heartbeats (clock.Real{} when nil).
	Clock clock.Clock
	// Roles issues the role sessions executions act as; without it, tasks
	// run as the caller that started the execution.
	Roles  RoleAssumer
	Lambda LambdaInvoker
	Events EventPutter
	// AWS serves DynamoDB, SQS and aws-sdk:* tasks.
	AWS SDKCaller
	// Tracer records the X-Ray segments of traced executions.
	Tracer ExecutionTracer
	// StatusChanges receives the status change events of STANDARD
	// executions (EventBridge's default bus); none are sent when nil.
	StatusChanges StatusChangePublisher
	// Activity records running executions, so the cloud knows when it has
	// settled; a tracker of the service's own when nil. An execution is
	// work in progress from start to end, owned by its ARN (what it
	// invokes carries that owner too), so a waiter can ignore its own
	// execution; it is paused while the execution waits on a task token,
	// a Wait state or a retry interval (its timers are the tracker's).
	Activity *activity.Tracker
}

// Service is the local Step Functions.
type Service struct {
	opts     Options
	clock    clock.Clock
	executor *asl.Executor

	// ctx ends with Close; every execution runs under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu         sync.Mutex
	machines   map[string]*stateMachine // guarded by mu, by ARN
	executions map[string]*execution    // guarded by mu, by ARN
	// order lists execution ARNs in start order, for ListExecutions.
	order []string // guarded by mu
	// tokens are the task tokens ever handed out, by token, so that a
	// late SendTask* answers TaskTimedOut rather than TaskDoesNotExist.
	tokens map[string]string // guarded by mu, token → execution ARN
	hooks  map[int]func(ExecutionResult)
	nextID int // guarded by mu
	closed bool
}

// New returns a Step Functions service without state machines.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	opts.Activity = activity.OrNew(opts.Activity, opts.Clock)
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		opts: opts, clock: opts.Clock, ctx: ctx, cancel: cancel,
		machines:   map[string]*stateMachine{},
		executions: map[string]*execution{},
		tokens:     map[string]string{},
		hooks:      map[int]func(ExecutionResult){},
	}
	s.executor = asl.NewExecutor(asl.TaskInvokerFunc(s.invokeTask), asl.WithClock(opts.Clock), asl.WithTracker(opts.Activity))
	return s
}

// Close aborts every running execution and waits for them to end.
func (s *Service) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// Route is Step Functions' gateway route (awsJson1.0, signing name
// "states").
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "states", SigningNames: []string{"states"},
		TargetPrefixes: []string{targetPrefix}, Auth: sigv4.JSON, Handler: s.handler()}
}

const (
	targetPrefix = "AWSStepFunctions"
	contentType  = "application/x-amz-json-1.0"
)

// handler serves the awsJson1.0 API.
func (s *Service) handler() http.Handler {
	return &awsproto.JSONService{TargetPrefix: targetPrefix, ContentType: contentType, Operations: s.operations()}
}

// operations is the table of the API operations the service answers.
func (s *Service) operations() map[string]awsproto.JSONOperation {
	return map[string]awsproto.JSONOperation{
		"CreateStateMachine":             awsproto.JSONOp(s.CreateStateMachine),
		"DescribeStateMachine":           awsproto.JSONOp(s.DescribeStateMachine),
		"ListStateMachines":              awsproto.JSONOp(s.ListStateMachines),
		"UpdateStateMachine":             awsproto.JSONOp(s.UpdateStateMachine),
		"DeleteStateMachine":             awsproto.JSONOp(s.DeleteStateMachine),
		"ValidateStateMachineDefinition": awsproto.JSONOp(s.ValidateStateMachineDefinition),

		"StartExecution":      awsproto.JSONOp(s.StartExecution),
		"StartSyncExecution":  awsproto.JSONOp(s.StartSyncExecution),
		"DescribeExecution":   awsproto.JSONOp(s.DescribeExecution),
		"ListExecutions":      awsproto.JSONOp(s.ListExecutions),
		"StopExecution":       awsproto.JSONOp(s.StopExecution),
		"GetExecutionHistory": awsproto.JSONOp(s.getExecutionHistory),

		"SendTaskSuccess":   awsproto.JSONOp(s.SendTaskSuccess),
		"SendTaskFailure":   awsproto.JSONOp(s.SendTaskFailure),
		"SendTaskHeartbeat": awsproto.JSONOp(s.SendTaskHeartbeat),
	}
}

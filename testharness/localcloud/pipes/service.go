package pipes

import (
	"context"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// StreamSource is the DynamoDB Streams service as a pipe reads it.
type StreamSource interface {
	Subscribe(streamARN, startingPosition string) (*dynamodbstreams.Subscription, string, error)
}

// FunctionInvoker runs Lambda functions for enrichments and targets. ctx
// carries the pipe role's principal (identity.FromContext).
type FunctionInvoker interface {
	// Invoke is a synchronous (RequestResponse) invocation. A function
	// error is a result (FunctionError set), not an error.
	Invoke(ctx context.Context, functionARN string, payload []byte) (InvokeResult, error)
	// InvokeAsync queues an asynchronous (Event) invocation.
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// InvokeResult is a finished synchronous invocation.
type InvokeResult struct {
	Payload []byte
	// FunctionError is "Unhandled" (or "Handled") when the function failed.
	FunctionError string
}

// ExecutionStarter starts Step Functions executions for state machine
// targets.
type ExecutionStarter interface {
	// StartExecution starts an execution (FIRE_AND_FORGET).
	StartExecution(ctx context.Context, stateMachineARN string, input []byte) error
	// StartSyncExecution runs an execution to its end (REQUEST_RESPONSE);
	// failed tells whether it ended in anything but SUCCEEDED.
	StartSyncExecution(ctx context.Context, stateMachineARN string, input []byte) (output []byte, failed bool, err error)
}

// EventPutter puts events on an event bus, as PutEvents does.
type EventPutter interface {
	PutEvents(ctx context.Context, entries []EventEntry) error
}

// EventEntry is one PutEvents entry a pipe sends to its bus target.
type EventEntry struct {
	EventBusName string // the bus ARN
	Source       string
	DetailType   string
	Detail       string
	Resources    []string
	Time         time.Time
}

// QueueSender sends the dead-letter messages of a pipe to an SQS queue.
type QueueSender interface {
	SendMessage(ctx context.Context, queueARN, body string) error
}

// RoleAssumer issues a pipe's role session; identity.Store is one.
type RoleAssumer interface {
	AssumeRole(roleARN, sessionName string, now time.Time, duration time.Duration) identity.Credentials
	Lookup(accessKeyID string) (p identity.Principal, secret string, ok bool)
}

// Permissions decides what a pipe's role may do (IAM); the error is the
// denial. ctx carries the role's principal.
type Permissions interface {
	Check(ctx context.Context, service, action, resource string) error
}

// Options configure a Service. Clock defaults to the wall clock; a pipe
// whose source, enrichment or target needs a nil dependency fails to
// create.
type Options struct {
	Clock      clock.Clock
	Streams    StreamSource
	Functions  FunctionInvoker
	Executions ExecutionStarter
	Events     EventPutter
	Queues     QueueSender
	Roles      RoleAssumer
	// Permissions, when set, must allow the pipe's role to read its
	// stream before the pipe is created.
	Permissions Permissions
	// Activity records records not yet processed and deliveries in
	// progress, so the cloud knows when it has settled; a tracker of the
	// service's own when nil.
	Activity *activity.Tracker
	// Observer hears every record a pipe reads and its filters' verdict;
	// nobody when nil.
	Observer FilterObserver
}

// Service holds the pipes of the local account and runs those RUNNING.
type Service struct {
	opts  Options
	clock clock.Clock

	mu    sync.Mutex
	pipes map[string]*pipe // by name
	wg    sync.WaitGroup   // running pipe loops
}

// New returns a service without pipes.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	opts.Activity = activity.OrNew(opts.Activity, opts.Clock)
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	return &Service{opts: opts, clock: opts.Clock, pipes: map[string]*pipe{}}
}

// Route returns the gateway route of the restJson Pipes API.
func (s *Service) Route() gateway.Route {
	return gateway.Route{
		Service:      "pipes",
		SigningNames: []string{"pipes"},
		PathPrefixes: []string{"/v1/pipes"},
		Auth:         sigv4.RESTJSON,
		Handler:      s.routes(),
	}
}

// Close stops every pipe and waits for their loops to end.
func (s *Service) Close() {
	s.mu.Lock()
	for _, p := range s.pipes {
		p.stop()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

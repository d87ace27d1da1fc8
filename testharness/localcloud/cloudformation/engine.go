// Package cloudformation is the local cloud's CloudFormation: it deploys
// the stacks of a synthesized CDK cloud assembly (or a template given to
// CreateStack), resolving intrinsics, creating resources in dependency
// order through the provisioners services register, running custom
// resources through their Lambda service token and a local response URL,
// and rolling back a failed deployment as CloudFormation does. Its query
// API describes the stacks to the AWS CLI and SDKs.
//
// Where it differs from CloudFormation is written in testharness/localcloud/SUPPORT.md; the main
// points: JSON templates only, no Rules evaluation, no exports,
// resources without an in-place update path are replaced by delete then
// create, and CDK's helper custom resources run natively.
package cloudformation

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Namespace is the xmlns of CloudFormation's query-protocol responses.
const Namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

// ResponsePathPrefix is the path under which custom resources' response
// URLs are served.
const ResponsePathPrefix = "/_localcloud/cloudformation/"

// DefaultCustomResourceTimeout is CloudFormation's default (and largest)
// ServiceTimeout of a custom resource.
const DefaultCustomResourceTimeout = time.Hour

// FunctionInvoker invokes a Lambda function asynchronously (InvocationType
// Event), as CloudFormation invokes a custom resource's service token.
type FunctionInvoker interface {
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// BucketNotifier applies an S3 bucket's notification configuration, in
// S3's JSON shape ({"EventBridgeConfiguration":{}, "LambdaFunctionConfigurations":[…],
// "QueueConfigurations":[…], "TopicConfigurations":[…]}), replacing the
// bucket's current one; "{}" removes every notification. It serves CDK's
// Custom::S3BucketNotifications.
type BucketNotifier interface {
	PutBucketNotificationConfiguration(ctx context.Context, bucket string, cfg json.RawMessage) error
}

// LogRetentionSetter sets a log group's retention, creating the group when
// it does not exist, as CDK's Custom::LogRetention handler does; days 0
// means never expire (DeleteRetentionPolicy).
type LogRetentionSetter interface {
	SetLogRetention(ctx context.Context, logGroupName string, days int) error
}

// BucketEmptier deletes every object (and version) of a bucket; it serves
// CDK's Custom::S3AutoDeleteObjects when the bucket's stack is deleted.
type BucketEmptier interface {
	EmptyBucket(ctx context.Context, bucket string) error
}

// Updater is implemented by provisioners that can change a resource in
// place. The engine calls Update for a resource whose resolved properties
// changed on a re-deploy; provisioners without it have the resource
// replaced (the old one deleted, then a new one created). old is the
// request the resource was created or last updated with.
type Updater interface {
	Update(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error)
}

// Options configure an Engine.
type Options struct {
	Clock clock.Clock
	// Provisioners are the resource types services own; more can be added
	// with Register.
	Provisioners cfnresource.Registry
	// Endpoint is the local cloud's base URL ("http://127.0.0.1:4566"),
	// which custom resources' ResponseURLs are built on.
	Endpoint string
	// Invoker runs custom resources whose ServiceToken is a Lambda ARN.
	Invoker FunctionInvoker
	// Native handlers of CDK's helper custom resources; a template that
	// uses one whose dependency is nil fails with a clear reason.
	BucketNotifier BucketNotifier
	LogRetention   LogRetentionSetter
	BucketEmptier  BucketEmptier
	// Concurrency is how many resources are created at once (default 4).
	// 1 makes the order of all events deterministic.
	Concurrency int
	// CustomResourceTimeout caps how long a custom resource's response is
	// awaited (default and AWS maximum: one hour; a ServiceTimeout
	// property shortens it).
	CustomResourceTimeout time.Duration
	// Templates reads the S3 objects TemplateURLs name.
	Templates TemplateStore
	// SSMParameters answer SSM-typed template parameters by parameter
	// name; BootstrapVersionParameter is DefaultBootstrapVersion unless
	// set here.
	SSMParameters map[string]string
	// Activity records stack operations as work in progress (see
	// activity.go); a tracker of the engine's own when nil.
	Activity *activity.Tracker
}

// Engine deploys stacks and answers the CloudFormation API.
type Engine struct {
	opts Options
	clk  clock.Clock

	// ctx ends with Close; stack operations the API runs in the
	// background stop with it, and wg waits for them.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu sync.Mutex
	// provisioners by type; must hold mu.
	provisioners cfnresource.Registry
	// stacks are the live stacks by name; deleted keeps deleted ones for
	// ListStacks and DescribeStacks by stack id. Must hold mu.
	stacks  map[string]*stack
	deleted []*stack
	// pending are custom resource requests awaiting their response, by
	// response token. Must hold mu.
	pending map[string]pendingResponse
	// changeSets by change set ARN. Must hold mu.
	changeSets map[string]*changeSet
}

// New returns an engine.
func New(opts Options) *Engine {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	opts.Activity = activity.OrNew(opts.Activity, opts.Clock)
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.CustomResourceTimeout <= 0 || opts.CustomResourceTimeout > DefaultCustomResourceTimeout {
		opts.CustomResourceTimeout = DefaultCustomResourceTimeout
	}
	ssm := map[string]string{BootstrapVersionParameter: DefaultBootstrapVersion}
	for k, v := range opts.SSMParameters {
		ssm[k] = v
	}
	opts.SSMParameters = ssm
	ctx, cancel := context.WithCancel(context.Background())
	e := &Engine{opts: opts, clk: opts.Clock, ctx: ctx, cancel: cancel, provisioners: cfnresource.Registry{},
		stacks: map[string]*stack{}, pending: map[string]pendingResponse{},
		changeSets: map[string]*changeSet{}}
	e.Register(opts.Provisioners)
	return e
}

// Register adds the provisioners of resource types; a type registered
// twice keeps the last provisioner.
func (e *Engine) Register(reg cfnresource.Registry) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for t, p := range reg {
		e.provisioners[t] = p
	}
}

func (e *Engine) provisioner(resourceType string) (cfnresource.Provisioner, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	p, ok := e.provisioners[resourceType]
	return p, ok
}

// Route serves the query API (signing name "cloudformation") and the
// custom resource response URLs.
func (e *Engine) Route() gateway.Route {
	api := &awsproto.QueryService{Namespace: Namespace, Operations: e.operations()}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT "+ResponsePathPrefix+"responses/{token}", e.serveResponse)
	mux.Handle("/", api)
	return gateway.Route{
		Service:      "cloudformation",
		SigningNames: []string{"cloudformation"},
		PathPrefixes: []string{ResponsePathPrefix},
		// The response URL stands for S3's presigned one: its token is the credential.
		UnsignedPaths:  []string{ResponsePathPrefix},
		Auth:           sigv4.Query,
		QueryNamespace: Namespace,
		Handler:        mux,
	}
}

// background runs a stack operation the API answered at once (CreateStack,
// DeleteStack) until it ends or the engine closes. It keeps the request's
// values (its principal) but not its cancellation.
func (e *Engine) background(reqCtx context.Context, op func(ctx context.Context)) {
	// The operation is in progress before the API answers.
	work := e.opts.Activity.Begin(reqCtx, "cloudformation stack operation")
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer work.Done()
		ctx, cancel := context.WithCancel(withWork(context.WithoutCancel(reqCtx), work))
		defer cancel()
		stop := context.AfterFunc(e.ctx, cancel)
		defer stop()
		op(ctx)
	}()
}

// Close stops the stack operations running in the background and waits
// for them, so none provisions against services that are closing.
func (e *Engine) Close() {
	e.cancel()
	e.wg.Wait()
}

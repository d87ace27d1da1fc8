// Package lambda is the local cloud's Lambda service. It runs each
// function's Go handler as a host process that speaks the Lambda Runtime
// API (package runtimeapi), warm between invocations, one invocation per
// process at a time, up to the function's concurrency. A function's code is
// a bootstrap: built from the template's "tracebridge:go-package" Metadata
// (package build), or the deployment package its Code names — a cloud
// assembly asset, a zip uploaded through the API, an S3 object — for the
// provided runtimes only (code.go).
//
// It serves the restJson Lambda API (Invoke, CreateFunction,
// UpdateFunctionCode, functions, permissions, event invoke configs, event
// source mappings, tags), provisions AWS::Lambda::Function, Permission,
// EventInvokeConfig and EventSourceMapping, and gives other services a Go
// API: Invoke (Pipes, Step Functions) and InvokeAsync (EventBridge, S3),
// which checks the function's resource policy. Asynchronous events are
// retried on the injected clock and end in the OnSuccess/OnFailure
// destinations; SQS event source mappings poll their queue in process
// (esm_poll.go).
//
// Where it differs from AWS is in testharness/localcloud/SUPPORT.md; mainly: code runs on the
// host (no sandbox, no memory limit), only $LATEST exists, and timeouts run
// on the wall clock (retry delays and event ages use the injected clock).
package lambda

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/build"
)

// DefaultConcurrency caps the processes of a function that sets no
// ReservedConcurrentExecutions: AWS would scale to the account's 1,000, a
// laptop should not.
const DefaultConcurrency = 10

// RoleAssumer issues a function's role credentials (identity.Store).
type RoleAssumer interface {
	AssumeRole(roleARN, sessionName string, now time.Time, duration time.Duration) identity.Credentials
}

// Options configure the service. Every field is optional.
type Options struct {
	// Clock times log events, event ages and async retry delays
	// (clock.Real{} by default). Invocation timeouts use the wall clock,
	// since the handler processes do.
	Clock clock.Clock
	// Credentials issues each function's role credentials; an
	// identity.NewStore() of its own by default.
	Credentials RoleAssumer
	// SourceRoot is the Go module root that "tracebridge:go-package" and
	// relative "tracebridge:code-dir" paths are relative to.
	SourceRoot string
	// BuildDir holds built executables, keyed by the sources they are
	// built from; DefaultBuildDir() by default, or a temporary directory
	// removed by Close when the user has no cache directory.
	BuildDir string
	// CodeObjects reads deployment packages from S3; without it, code in
	// S3 cannot be found.
	CodeObjects CodeObjects
	// Logs receives function output and platform lines; discarded if nil.
	Logs LogSink
	// Destinations receives async invocation records; without it,
	// configured destinations are skipped.
	Destinations DestinationSender
	// Tracer is told about each sampled invocation (X-Ray segments).
	Tracer InvocationTracer
	// Observer is told about every invocation; nobody when nil.
	Observer InvocationObserver
	// EndpointURL is given to functions as AWS_ENDPOINT_URL (the gateway).
	EndpointURL string
	// XRayDaemonAddress is the local X-Ray daemon's UDP host:port, given to
	// functions as AWS_XRAY_DAEMON_ADDRESS.
	XRayDaemonAddress string
	// MaxConcurrency replaces DefaultConcurrency.
	MaxConcurrency int
	// Activity records invocations and queued events, so the cloud knows
	// when it has settled; a tracker of the service's own when nil.
	Activity *activity.Tracker
	// Faults injects faults into invocations; none when nil.
	Faults Faults
	// Queues is SQS as event source mappings poll it; without it, SQS
	// mappings cannot be made.
	Queues QueueSource
}

// Service is the Lambda service.
type Service struct {
	opts    Options
	clock   clock.Clock
	creds   RoleAssumer
	builder *build.Builder
	tempDir string // BuildDir made by New, removed by Close
	// packages holds unpacked zip packages by content (zipPackage); made
	// on first use, removed by Close.
	packages string

	// ctx ends with Close; async deliveries run under it.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu        sync.Mutex
	functions map[string]*function // by name
	// retired are the pools of replaced code, whose busy processes end
	// with their invocation (replaceCode).
	retired []*pool
	closed  bool
	// asyncPending counts queued and running asynchronous events;
	// idleWaiters are closed when it drops to zero (WaitAsyncIdle).
	asyncPending int
	idleWaiters  []chan struct{}
	// mappings are the event source mappings, in the order they were made.
	mappings []*eventSourceMapping
}

// New returns a Lambda service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Credentials == nil {
		opts.Credentials = identity.NewStore()
	}
	if opts.Logs == nil {
		opts.Logs = discardLogs{}
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = DefaultConcurrency
	}
	opts.Activity = activity.OrNew(opts.Activity, opts.Clock)
	ctx, cancel := context.WithCancel(context.Background())
	return &Service{
		opts:      opts,
		clock:     opts.Clock,
		creds:     opts.Credentials,
		ctx:       ctx,
		cancel:    cancel,
		functions: map[string]*function{},
	}
}

// DefaultBuildDir is where executables are kept across local clouds, so
// that one whose sources did not change starts without building: the
// user's cache directory, or "" when there is none.
func DefaultBuildDir() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "tracebridge", "lambda-builds")
}

// builderFor returns the Go builder, making its output directory on first
// use.
func (s *Service) builderFor() (*build.Builder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.builder != nil {
		return s.builder, nil
	}
	dir := s.opts.BuildDir
	if dir == "" {
		dir = DefaultBuildDir()
	}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "tracebridge-lambda-")
		if err != nil {
			return nil, fmt.Errorf("build directory: %w", err)
		}
		dir, s.tempDir = tmp, tmp
	}
	s.builder = build.New(s.opts.SourceRoot, dir)
	return s.builder, nil
}

// Close kills every function process, stops their Runtime API listeners
// and async deliveries, and waits for all of it; ctx bounds the wait.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	s.closed = true
	pools := append([]*pool(nil), s.retired...)
	for _, fn := range s.functions {
		pools = append(pools, fn.pool)
	}
	tempDirs := []string{s.tempDir, s.packages}
	s.mu.Unlock()

	s.cancel()
	var errs []error
	for _, p := range pools {
		errs = append(errs, p.close(ctx))
	}
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		errs = append(errs, fmt.Errorf("waiting for async deliveries: %w", ctx.Err()))
	}
	for _, dir := range tempDirs {
		if dir != "" {
			errs = append(errs, os.RemoveAll(dir))
		}
	}
	return errors.Join(errs...)
}

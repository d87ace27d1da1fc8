package localcloud

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/authz"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// DefaultAddr is where `tracebridge local up` listens: the port people
// already know from other AWS emulators, on loopback only.
const DefaultAddr = "127.0.0.1:4566"

// Options configure a local cloud. Every field is optional.
type Options struct {
	// Addr is the listen address; "127.0.0.1:0" (a free port) when empty.
	Addr string
	// SourceRoot is the Go module root the template's handler packages
	// ("tracebridge:go-package") are built from.
	SourceRoot string
	// Clock drives retries, retention, timeouts and Wait states;
	// clock.Real{} when nil, or a virtual clock with TimeVirtual.
	// Signatures are checked against the wall clock, as the SDKs sign
	// with it.
	Clock clock.Clock
	// Time is TimeReal (the default, also for "") or TimeVirtual: once the
	// cloud has settled, its clock jumps to the next thing it owes (a
	// retry, a backoff, a Wait state, a timeout), so AWS's real timings
	// play out at once. Virtual time brings its own clock: Clock must be
	// nil then.
	Time TimeMode
	// IAM says whether requests are authenticated with SigV4 and
	// authorized by IAM policy evaluation: IAMOn (the default, also for
	// "") or IAMOff (`--iam=off`), which accepts any signature or none and
	// lets every principal do everything.
	IAM IAMMode
	// Logger hears what goes wrong between services where no caller
	// would (an event S3 could not publish, a delivery EventBridge gave
	// up on, logs a function's role may not write); slog.Default() when
	// nil.
	Logger *slog.Logger
	// FaultRand is what injected faults' probabilities draw from (a
	// seeded source repeats a run's hits); seeded from the time when nil.
	FaultRand rand.Source
}

// TimeMode says how the cloud's clock moves.
type TimeMode string

// The time modes.
const (
	TimeReal    TimeMode = "real"
	TimeVirtual TimeMode = "virtual"
)

// ParseTimeMode reads a flag value ("real" or "virtual").
func ParseTimeMode(s string) (TimeMode, error) { return parseMode(s, "time", TimeReal, TimeVirtual) }

// IAMMode turns IAM enforcement on or off.
type IAMMode string

// The IAM modes.
const (
	IAMOn  IAMMode = "on"
	IAMOff IAMMode = "off"
)

// ParseIAMMode reads a flag value ("on" or "off").
func ParseIAMMode(s string) (IAMMode, error) { return parseMode(s, "IAM", IAMOn, IAMOff) }

// parseMode reads a flag value that must be one of two modes.
func parseMode[M ~string](s, what string, a, b M) (M, error) {
	if m := M(s); m == a || m == b {
		return m, nil
	}
	return "", fmt.Errorf("%s mode %q: want %s or %s", what, s, a, b)
}

// Cloud is a running local cloud: the gateway on its listener and every
// service behind it. The exported service fields let Go tests seed and
// inspect state without the wire.
type Cloud struct {
	services

	listener   net.Listener
	server     *http.Server
	endpoint   string
	identities *identity.Store
	authz      *authz.Authorizer // nil when IAM is off
	clock      clock.Clock
	faults     *faults.Registry
	// operationNames names requests by IAM action for fault matching:
	// the authorizer, or one of its own when IAM is off.
	operationNames *authz.Authorizer
	serveErr       chan error
	closeOnce      sync.Once
	// closing ends when Close starts: waiters for the cloud to settle
	// give up then.
	closing     context.Context
	stopClosing context.CancelFunc
}

// Start listens, wires the services together and serves until Close.
func Start(opts Options) (*Cloud, error) {
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	var virtual *clock.Virtual
	switch opts.Time {
	case "", TimeReal:
		if opts.Clock == nil {
			opts.Clock = clock.Real{}
		}
	case TimeVirtual:
		if opts.Clock != nil {
			return nil, fmt.Errorf("local cloud: virtual time brings its own clock; leave Options.Clock nil")
		}
		virtual = clock.NewVirtual()
		opts.Clock = virtual
	default:
		return nil, fmt.Errorf("local cloud: time mode %q: want real or virtual", opts.Time)
	}
	if opts.IAM == "" {
		opts.IAM = IAMOn
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.FaultRand == nil {
		opts.FaultRand = rand.NewSource(time.Now().UnixNano())
	}
	if _, err := ParseIAMMode(string(opts.IAM)); err != nil {
		return nil, fmt.Errorf("local cloud: %w", err)
	}
	ln, err := net.Listen("tcp", opts.Addr)
	if err != nil {
		return nil, fmt.Errorf("local cloud: listen on %s: %w", opts.Addr, err)
	}
	c := &Cloud{listener: ln, endpoint: "http://" + ln.Addr().String(),
		identities: identity.NewStore(), serveErr: make(chan error, 1),
		clock: opts.Clock, faults: faults.NewRegistry(opts.FaultRand)}
	c.closing, c.stopClosing = context.WithCancel(context.Background())
	if err := c.wire(opts); err != nil {
		ln.Close()
		return nil, err
	}
	g := gateway.New(c.identities)
	for _, r := range c.routes() {
		g.Register(r)
	}
	if c.authz != nil {
		g.Secure(gateway.Security{Keys: c.identities, Region: arn.Region, Authorizer: observedAuthorizer{c.authz, c.observe}})
	}
	g.Track(c.activity)
	g.InjectFaults(faultInjector{c})
	// Bodies time out in the gateway after DefaultBodyIdleTimeout without
	// data; a whole-request ReadTimeout would also cut off a slow but
	// steady upload, and responses that wait (long polls) need none.
	c.server = &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { c.serveErr <- c.server.Serve(ln) }()
	if virtual != nil {
		go c.activity.RunVirtualTime(c.closing, virtual)
	}
	return c, nil
}

// RunT starts a local cloud for a test and closes it when the test ends.
// Unless opts say otherwise (Time, or a Clock of the test's own), time is
// virtual: a retry path takes milliseconds, not minutes.
func RunT(t testing.TB, opts Options) *Cloud {
	t.Helper()
	if opts.Time == "" && opts.Clock == nil {
		opts.Time = TimeVirtual
	}
	c, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := c.Close(ctx); err != nil {
			t.Errorf("close local cloud: %v", err)
		}
	})
	return c
}

// Now is the time on the cloud's clock: with virtual time, ahead of the
// wall clock by the waits it has skipped.
func (c *Cloud) Now() time.Time { return c.clock.Now() }

// Endpoint is the base URL clients reach the cloud at (AWS_ENDPOINT_URL).
func (c *Cloud) Endpoint() string { return c.endpoint }

// Identities is the cloud's credential store (test/test and role sessions).
func (c *Cloud) Identities() *identity.Store { return c.identities }

// Deploy deploys the stack of a CDK cloud assembly directory and waits for
// the deployment to end. A failed deployment returns the stack's result
// (status, reason) with a *cloudformation.DeployError.
func (c *Cloud) Deploy(ctx context.Context, assemblyDir string) (*cloudformation.StackResult, error) {
	return c.CloudFormation.Deploy(ctx, assemblyDir, cloudformation.DeployOptions{})
}

// Close stops serving, ends every function process and delivery, and
// releases the listener.
func (c *Cloud) Close(ctx context.Context) error {
	var err error
	c.closeOnce.Do(func() {
		c.stopClosing()
		// Stop the services first: that ends what in-flight requests wait
		// on (a function's invocation, a delivery). Then let requests
		// finish; those still running when ctx ends (an SQS long poll) are
		// cut off, as a stopping endpoint does.
		err = c.closeServices(ctx)
		if c.server.Shutdown(ctx) != nil {
			err = errors.Join(err, c.server.Close())
		}
		if serveErr := <-c.serveErr; serveErr != nil && !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	})
	return err
}

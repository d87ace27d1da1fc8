package lambda

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// credentialLifetime is how long a function's role credentials last; a
// process started after they expire gets fresh ones.
const credentialLifetime = time.Hour

// pool holds a function's processes. slots bounds how many invocations run
// at once (the function's concurrency); idle processes are reused, newest
// first, so a function stays warm.
type pool struct {
	svc   *Service
	cfg   *config
	slots chan struct{}

	mu     sync.Mutex
	idle   []*process
	all    map[*process]struct{}
	creds  identity.Credentials
	closed bool
	// retired pools serve the invocations that began before the
	// function's code was replaced, and keep no process after them.
	retired bool
}

func newPool(svc *Service, cfg *config) *pool {
	return &pool{
		svc:   svc,
		cfg:   cfg,
		slots: make(chan struct{}, cfg.concurrency(svc.opts.MaxConcurrency)),
		all:   map[*process]struct{}{},
	}
}

// acquire takes a concurrency slot: at once or not at all for synchronous
// invocations (TooManyRequestsException), waiting for asynchronous ones.
func (p *pool) acquire(ctx context.Context, wait bool) error {
	select {
	case p.slots <- struct{}{}:
		return nil
	default:
	}
	if !wait {
		return throttled()
	}
	select {
	case p.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p *pool) release() { <-p.slots }

// get returns an idle process, or starts one (a cold start). The caller
// holds a slot.
func (p *pool) get() (*process, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, errors.New("function is being deleted")
	}
	for len(p.idle) > 0 {
		proc := p.idle[len(p.idle)-1]
		p.idle = p.idle[:len(p.idle)-1]
		if proc.alive() {
			p.mu.Unlock()
			return proc, nil
		}
		delete(p.all, proc)
	}
	now := p.svc.clock.Now()
	if p.creds.AccessKeyID == "" || !now.Add(time.Duration(p.cfg.Timeout)*time.Second).Before(p.creds.Expiration) {
		p.creds = p.svc.creds.AssumeRole(p.cfg.Role, p.cfg.Name, now, credentialLifetime)
	}
	creds := p.creds
	p.mu.Unlock()
	roleCtx := identity.NewContext(p.svc.ctx, identity.RoleSession(p.cfg.Role, p.cfg.Name, creds.AccessKeyID))

	stream := newStreamName(now)
	proc, err := startProcess(processSpec{
		bootstrap: p.cfg.Bootstrap,
		stream:    stream,
		env: func(runtimeAPI string) []string {
			return p.svc.environment(*p.cfg, codeDir(p.cfg.Bootstrap), runtimeAPI, stream, creds)
		},
		// Lambda writes a function's logs with the function's role, as
		// AWS does: a role that may not write its group loses its logs.
		write: func(stream, line string) {
			p.svc.opts.Logs.Write(roleCtx, p.cfg.logGroup(), stream, []LogEvent{{Timestamp: p.svc.clock.Now(), Message: line}})
		},
	})
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		_ = proc.kill(context.Background())
		return nil, errors.New("function is being deleted")
	}
	p.all[proc] = struct{}{}
	return proc, nil
}

// put returns a process after an invocation that left it healthy; a
// retired pool stops it instead.
func (p *pool) put(proc *process) {
	p.mu.Lock()
	if p.retired {
		p.mu.Unlock()
		p.discard(proc)
		return
	}
	defer p.mu.Unlock()
	if !p.closed {
		p.idle = append(p.idle, proc)
	}
}

// retire stops the idle processes of replaced code; the busy ones stop
// when their invocation ends (put), as Lambda lets invocations under way
// finish on the code they began with.
func (p *pool) retire() {
	p.mu.Lock()
	p.retired = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, proc := range idle {
		p.discard(proc)
	}
}

// discard kills a process the invocation left unusable (timed out,
// crashed, failed init) and reaps it; the next invocation starts afresh.
func (p *pool) discard(proc *process) {
	_ = proc.kill(context.Background())
	p.mu.Lock()
	delete(p.all, proc)
	p.mu.Unlock()
}

// close kills every process, busy or idle, and waits until all are reaped.
func (p *pool) close(ctx context.Context) error {
	p.mu.Lock()
	p.closed = true
	procs := make([]*process, 0, len(p.all))
	for proc := range p.all {
		procs = append(procs, proc)
	}
	p.idle, p.all = nil, map[*process]struct{}{}
	p.mu.Unlock()
	var errs []error
	for _, proc := range procs {
		if err := proc.kill(ctx); err != nil {
			errs = append(errs, fmt.Errorf("function %s: %w", p.cfg.Name, err))
		}
	}
	return errors.Join(errs...)
}

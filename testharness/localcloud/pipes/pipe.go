package pipes

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// Pipe states (Pipes API Reference, PipeState).
const (
	StateRunning  = "RUNNING"
	StateStopped  = "STOPPED"
	StateStarting = "STARTING"
	StateStopping = "STOPPING"
)

// pipe is one pipe and, while it runs, its delivery loop.
type pipe struct {
	cfg               *config
	arn               string
	created, modified time.Time
	desired, current  string
	principal         identity.Principal
	sub               *dynamodbstreams.Subscription
	// cursor is the sequence number of the last record the pipe is done
	// with ("" before any): delivered, filtered out or discarded.
	cursor string
	// stateReason says why the pipe could not do its work (a dead-letter
	// queue it may not send to); DescribePipe shows it. Must hold s.mu.
	stateReason string
	cancel      context.CancelFunc
	done        chan struct{} // closed when the loop has ended
	// work is the running loop's work in progress: paused while the pipe
	// has read everything on its stream, resumed by the stream's writer.
	work *activity.Work
	// observer hears each record read and its filters' verdict.
	observer FilterObserver
}

// Description is a pipe as DescribePipe returns it.
type Description struct {
	Spec
	Arn              string  `json:"Arn"`
	CurrentState     string  `json:"CurrentState"`
	StateReason      string  `json:"StateReason,omitempty"`
	CreationTime     float64 `json:"CreationTime"`
	LastModifiedTime float64 `json:"LastModifiedTime"`
}

// CreatePipe creates a pipe and, unless DesiredState is STOPPED, starts
// it. The pipe reads its stream from StartingPosition as of now.
func (s *Service) CreatePipe(_ context.Context, spec Spec) (Description, error) {
	cfg, err := s.compile(spec)
	if err != nil {
		return Description{}, err
	}
	now := s.clock.Now()
	principal := s.rolePrincipal(spec.RoleArn, spec.Name, now)
	if err := s.checkSourceAccess(principal, cfg.streamARN); err != nil {
		return Description{}, err
	}
	sub, cursor, err := s.opts.Streams.Subscribe(cfg.streamARN, cfg.startingPosition)
	if err != nil {
		return Description{}, invalid("Pipe %s: source %s: %v", spec.Name, spec.Source, err)
	}
	p := &pipe{cfg: cfg, arn: arn.New("pipes", "pipe/"+spec.Name), created: now, modified: now,
		desired: StateRunning, current: StateStopped, sub: sub, cursor: cursor, principal: principal,
		observer: s.opts.Observer}
	if spec.DesiredState == StateStopped {
		p.desired = StateStopped
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pipes[spec.Name] != nil {
		sub.Close()
		return Description{}, awsproto.Errorf("ConflictException", http.StatusConflict, "Pipe %s already exists.", spec.Name)
	}
	s.pipes[spec.Name] = p
	if p.desired == StateRunning {
		s.start(p)
	}
	return p.describe(), nil
}

// sourceActions are what a pipe does to its DynamoDB stream source, each
// of which its role must be allowed (Pipes User Guide, "Amazon DynamoDB
// stream as a source": execution role permissions).
var sourceActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// checkSourceAccess asks whether the pipe's role may read its stream; a
// pipe whose role may not fails to create, naming the denial.
func (s *Service) checkSourceAccess(principal identity.Principal, streamARN string) error {
	if s.opts.Permissions == nil {
		return nil
	}
	ctx := identity.NewContext(context.Background(), principal)
	for _, action := range sourceActions {
		if err := s.opts.Permissions.Check(ctx, "pipes", action, streamARN); err != nil {
			return err
		}
	}
	return nil
}

// rolePrincipal is the identity the pipe calls other services with: a
// session of its role, as Pipes assumes it.
func (s *Service) rolePrincipal(roleARN, name string, now time.Time) identity.Principal {
	session := name
	if len(session) > 64 {
		session = session[:64]
	}
	if s.opts.Roles != nil {
		creds := s.opts.Roles.AssumeRole(roleARN, session, now, time.Hour)
		if p, _, ok := s.opts.Roles.Lookup(creds.AccessKeyID); ok {
			return p
		}
	}
	roleName := roleARN[strings.LastIndex(roleARN, "/")+1:]
	return identity.Principal{ARN: arn.Global("sts", "assumed-role/"+roleName+"/"+session), RoleARN: roleARN, SessionName: session}
}

// DescribePipe returns a pipe or NotFoundException.
func (s *Service) DescribePipe(name string) (Description, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	return p.describe(), nil
}

// StartPipe sets a stopped pipe running again from where it stopped.
func (s *Service) StartPipe(name string) (Description, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	p.desired = StateRunning
	p.modified = s.clock.Now()
	if p.current == StateStopped {
		s.start(p)
	} else if p.current == StateStopping {
		// The loop is ending; start again once it has.
		p.current = StateStarting
		go func(done <-chan struct{}) {
			<-done
			s.mu.Lock()
			defer s.mu.Unlock()
			switch {
			case p.desired == StateRunning && s.pipes[name] == p:
				s.start(p)
			case p.current != StateRunning:
				p.current = StateStopped
			}
		}(p.done)
	}
	return p.describe(), nil
}

// StopPipe stops a pipe's deliveries; an invocation in flight finishes
// without advancing the pipe's position, so its records are delivered
// again on start.
func (s *Service) StopPipe(name string) (Description, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	p.desired = StateStopped
	p.modified = s.clock.Now()
	p.stop()
	return p.describe(), nil
}

// DeletePipe stops and removes a pipe.
func (s *Service) DeletePipe(name string) (Description, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.lookup(name)
	if err != nil {
		return Description{}, err
	}
	p.stop()
	p.sub.Close()
	delete(s.pipes, name)
	d := p.describe()
	d.CurrentState = "DELETING"
	return d, nil
}

// ListFilter selects pipes as ListPipes' parameters do.
type ListFilter struct {
	NamePrefix, SourcePrefix, TargetPrefix, CurrentState, DesiredState string
}

// ListPipes returns the matching pipes sorted by name.
func (s *Service) ListPipes(f ListFilter) []Description {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Description
	for _, p := range s.pipes {
		d := p.describe()
		if strings.HasPrefix(d.Name, f.NamePrefix) && strings.HasPrefix(d.Source, f.SourcePrefix) &&
			strings.HasPrefix(d.Target, f.TargetPrefix) && (f.CurrentState == "" || f.CurrentState == d.CurrentState) &&
			(f.DesiredState == "" || f.DesiredState == d.DesiredState) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b Description) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// lookup returns a pipe by name or NotFoundException. Must hold s.mu.
func (s *Service) lookup(name string) (*pipe, error) {
	p := s.pipes[name]
	if p == nil {
		return nil, awsproto.Errorf("NotFoundException", http.StatusNotFound, "Pipe %s does not exist.", name)
	}
	return p, nil
}

// start launches the delivery loop. Must hold s.mu.
func (s *Service) start(p *pipe) {
	ctx, cancel := context.WithCancel(identity.NewContext(context.Background(), p.principal))
	p.cancel, p.done, p.current = cancel, make(chan struct{}), StateRunning
	work := s.opts.Activity.Begin(ctx, "pipe "+p.cfg.spec.Name)
	p.work = work
	p.sub.SetWaker(work.Resume)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer work.Done()
		s.run(ctx, p)
		s.mu.Lock()
		if p.current == StateStopping {
			p.current = StateStopped
		}
		s.mu.Unlock()
		close(p.done)
	}()
}

// stop asks the loop to end. Must hold s.mu.
func (p *pipe) stop() {
	if p.current == StateRunning || p.current == StateStarting {
		p.current = StateStopping
		p.cancel()
	}
}

// describe renders the pipe. Must hold s.mu.
func (p *pipe) describe() Description {
	spec := p.cfg.spec
	spec.DesiredState = p.desired
	return Description{Spec: spec, Arn: p.arn, CurrentState: p.current, StateReason: p.stateReason,
		CreationTime: epochSeconds(p.created), LastModifiedTime: epochSeconds(p.modified)}
}

func epochSeconds(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

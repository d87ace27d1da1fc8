package eventbridge

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// Replay states.
const (
	ReplayStarting   = "STARTING"
	ReplayRunning    = "RUNNING"
	ReplayCancelling = "CANCELLING"
	ReplayCompleted  = "COMPLETED"
	ReplayCancelled  = "CANCELLED"
	ReplayFailed     = "FAILED"
)

var replayNamePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

type replayDestination struct {
	Arn        string
	FilterArns []string `json:",omitempty"`
}

type replay struct {
	name, arn, description string
	archiveARN, archive    string
	from, to               time.Time
	dest                   replayDestination
	state, reason          string
	started, ended         time.Time
	lastReplayed           time.Time
}

type startReplayInput struct {
	ReplayName     string
	Description    string
	EventSourceArn string
	EventStartTime float64
	EventEndTime   float64
	Destination    replayDestination
}

type startReplayOutput struct {
	ReplayArn       string
	State           string
	StateReason     string `json:",omitempty"`
	ReplayStartTime float64
}

func fromEpoch(sec float64) time.Time { return time.Unix(0, int64(sec*1e9)).UTC() }

// StartReplay re-sends an archive's events of a time window (by the time
// they were archived) to the rules of the archive's bus, or only to the
// rules in Destination.FilterArns. Replayed events carry replay-name and
// are not archived again.
func (s *Service) startReplay(_ context.Context, in *startReplayInput) (*startReplayOutput, error) {
	if !replayNamePattern.MatchString(in.ReplayName) {
		return nil, constraint("replayName", "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	from, to := fromEpoch(in.EventStartTime), fromEpoch(in.EventEndTime)
	if !from.Before(to) {
		return nil, awsproto.ValidationError("Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	}
	if to.After(s.clock.Now()) {
		return nil, awsproto.ValidationError("Parameter EventEndTime is not valid. Reason: EventEndTime must be before the current time.")
	}
	src, err := arn.Parse(in.EventSourceArn)
	name, ok := strings.CutPrefix(src.Resource, "archive/")
	if err != nil || !ok {
		return nil, awsproto.ValidationError("Parameter EventSourceArn is not valid.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.archives[name]
	if a == nil {
		return nil, archiveNotFound(name)
	}
	if in.Destination.Arn != busARN(a.bus) {
		return nil, awsproto.ValidationError("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.")
	}
	if s.replays[in.ReplayName] != nil {
		return nil, alreadyExists("Replay %s already exists.", in.ReplayName)
	}
	r := &replay{name: in.ReplayName, arn: arn.New("events", "replay/"+in.ReplayName), description: in.Description,
		archiveARN: a.arn, archive: a.name, from: from, to: to, dest: in.Destination,
		state: ReplayStarting, started: s.clock.Now()}
	s.replays[r.name] = r
	events := a.store.snapshot(s.clock.Now(), a.retentionDays)

	s.q.mu.Lock()
	s.q.pending++ // Flush waits for the replay too
	s.q.mu.Unlock()
	work := s.opts.Activity.Begin(s.ctx, "eventbridge replay "+r.name)
	s.wg.Add(1)
	go func() {
		defer work.Done()
		s.runReplay(r, a.bus, events)
	}()
	return &startReplayOutput{ReplayArn: r.arn, State: r.state, ReplayStartTime: awsproto.Epoch(r.started)}, nil
}

// runReplay sends the replay's events in the order they were archived.
func (s *Service) runReplay(r *replay, busName string, events []archivedEvent) {
	defer s.wg.Done()
	defer s.q.settle(1)
	if !s.setReplayState(r, ReplayRunning) {
		return
	}
	only := ruleARNs(r.dest.FilterArns)
	for _, e := range events {
		if e.ingested.Before(r.from) || !e.ingested.Before(r.to) {
			continue
		}
		if s.ctx.Err() != nil || s.replayState(r) == ReplayCancelling {
			break
		}
		ev := &event{id: e.id, entry: e.entry, ingested: e.ingested, replay: r.name, routeable: true}
		ev.entry.EventBusName = busName
		ev.envelope = envelope(ev)
		parsed, err := eventpattern.ParseEvent(ev.envelope)
		if err != nil {
			continue // archived events were parsed when put
		}
		ev.parsed = parsed
		if err := s.route(ev, only, false); err != nil {
			s.mu.Lock()
			r.state, r.reason, r.ended = ReplayFailed, err.Error(), s.clock.Now()
			s.mu.Unlock()
			return
		}
		s.mu.Lock()
		r.lastReplayed = e.entry.Time
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ended = s.clock.Now()
	if r.state == ReplayCancelling {
		r.state = ReplayCancelled
		return
	}
	r.state = ReplayCompleted
}

// setReplayState moves a replay on unless it is being cancelled.
func (s *Service) setReplayState(r *replay, state string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.state == ReplayCancelling {
		r.state, r.ended = ReplayCancelled, s.clock.Now()
		return false
	}
	r.state = state
	return true
}

func (s *Service) replayState(r *replay) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return r.state
}

type replayNameInput struct{ ReplayName string }

type replayOutput struct {
	ReplayName            string
	ReplayArn             string `json:",omitempty"`
	Description           string `json:",omitempty"`
	State                 string
	StateReason           string             `json:",omitempty"`
	EventSourceArn        string             `json:",omitempty"`
	Destination           *replayDestination `json:",omitempty"`
	EventStartTime        float64
	EventEndTime          float64
	EventLastReplayedTime float64 `json:",omitempty"`
	ReplayStartTime       float64
	ReplayEndTime         float64 `json:",omitempty"`
}

// describe renders a replay. Must hold s.mu.
func (r *replay) describe() replayOutput {
	dest := r.dest
	return replayOutput{ReplayName: r.name, ReplayArn: r.arn, Description: r.description, State: r.state,
		StateReason: r.reason, EventSourceArn: r.archiveARN, Destination: &dest,
		EventStartTime: awsproto.Epoch(r.from), EventEndTime: awsproto.Epoch(r.to), EventLastReplayedTime: awsproto.Epoch(r.lastReplayed),
		ReplayStartTime: awsproto.Epoch(r.started), ReplayEndTime: awsproto.Epoch(r.ended)}
}

func (s *Service) describeReplay(_ context.Context, in *replayNameInput) (*replayOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.replays[in.ReplayName]
	if r == nil {
		return nil, replayNotFound(in.ReplayName)
	}
	out := r.describe()
	return &out, nil
}

type listReplaysInput struct {
	NamePrefix     string
	State          string
	EventSourceArn string
	NextToken      string
	Limit          int
}

type listReplaysOutput struct {
	Replays   []replayOutput
	NextToken string `json:",omitempty"`
}

func (s *Service) listReplays(_ context.Context, in *listReplaysInput) (*listReplaysOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for n, r := range s.replays {
		if strings.HasPrefix(n, in.NamePrefix) && (in.State == "" || in.State == r.state) &&
			(in.EventSourceArn == "" || in.EventSourceArn == r.archiveARN) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listReplaysOutput{Replays: []replayOutput{}, NextToken: next}
	for _, n := range page {
		d := s.replays[n].describe()
		d.ReplayArn, d.Description, d.Destination = "", "", nil // not in ListReplays' Replay shape
		out.Replays = append(out.Replays, d)
	}
	return out, nil
}

type cancelReplayOutput struct {
	ReplayArn   string
	State       string
	StateReason string `json:",omitempty"`
}

func (s *Service) cancelReplay(_ context.Context, in *replayNameInput) (*cancelReplayOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.replays[in.ReplayName]
	if r == nil {
		return nil, replayNotFound(in.ReplayName)
	}
	if r.state != ReplayStarting && r.state != ReplayRunning {
		return nil, illegalStatus("Replay %s is not in a valid state for this operation.", r.name)
	}
	r.state = ReplayCancelling
	return &cancelReplayOutput{ReplayArn: r.arn, State: r.state}, nil
}

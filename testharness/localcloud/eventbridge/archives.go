package eventbridge

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

const archiveEnabled = "ENABLED"

var archiveNamePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,48}$`)

type archive struct {
	name, arn, bus string
	description    string
	pattern        string
	compiled       *eventpattern.Pattern // nil archives every event
	retentionDays  int                   // 0 keeps events forever
	state          string
	created        time.Time
	store          *archiveStore
}

// archiveStore holds an archive's events. It has its own lock so that
// PutEvents archives under the service's read lock.
type archiveStore struct {
	mu     sync.Mutex
	events []archivedEvent // guarded by mu, in ingestion order
	bytes  int64           // guarded by mu: the events' entrySize
	max    int64           // past it the oldest events are dropped
}

type archivedEvent struct {
	id       string
	entry    Entry
	ingested time.Time
}

// add archives e, dropping the oldest events while the archive holds more
// than its budget, as retention would drop them.
func (a *archiveStore) add(e archivedEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
	a.bytes += int64(entrySize(e.entry))
	n := 0
	for a.bytes > a.max && n < len(a.events)-1 {
		a.bytes -= int64(entrySize(a.events[n].entry))
		n++
	}
	a.dropLocked(n)
}

// dropLocked drops the n oldest events, copying the rest to a new array
// once the dropped ones would be most of the old one. Must hold a.mu.
func (a *archiveStore) dropLocked(n int) {
	if n == 0 {
		return
	}
	a.events = a.events[n:]
	if cap(a.events) > 2*len(a.events)+64 {
		a.events = append([]archivedEvent(nil), a.events...)
	}
}

// snapshot returns the events still retained at now.
func (a *archiveStore) snapshot(now time.Time, retentionDays int) []archivedEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	if retentionDays > 0 {
		cutoff := now.Add(-time.Duration(retentionDays) * 24 * time.Hour)
		i := sort.Search(len(a.events), func(i int) bool { return !a.events[i].ingested.Before(cutoff) })
		for _, e := range a.events[:i] {
			a.bytes -= int64(entrySize(e.entry))
		}
		a.dropLocked(i)
	}
	return append([]archivedEvent(nil), a.events...)
}

func archiveARN(name string) string { return arn.New("events", "archive/"+name) }

type createArchiveInput struct {
	ArchiveName    string
	EventSourceArn string
	Description    string
	EventPattern   string
	RetentionDays  int
}

type archiveStateOutput struct {
	ArchiveArn   string
	State        string
	StateReason  string `json:",omitempty"`
	CreationTime float64
}

func (s *Service) createArchive(_ context.Context, in *createArchiveInput) (*archiveStateOutput, error) {
	if !archiveNamePattern.MatchString(in.ArchiveName) {
		return nil, constraint("archiveName", "Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
	}
	if in.RetentionDays < 0 {
		return nil, constraint("retentionDays", "Member must have value greater than or equal to 0")
	}
	var compiled *eventpattern.Pattern
	if in.EventPattern != "" {
		p, err := compilePattern(in.EventPattern)
		if err != nil {
			return nil, err
		}
		compiled = p
	}
	src, err := arn.Parse(in.EventSourceArn)
	bn, ok := strings.CutPrefix(src.Resource, "event-bus/")
	if err != nil || !ok || src.Service != "events" {
		return nil, awsproto.ValidationError("Parameter EventSourceArn is not valid.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buses[bn] == nil {
		return nil, busNotFound(bn)
	}
	if s.archives[in.ArchiveName] != nil {
		return nil, alreadyExists("Archive %s already exists.", in.ArchiveName)
	}
	a := &archive{name: in.ArchiveName, arn: archiveARN(in.ArchiveName), bus: bn, description: in.Description,
		pattern: in.EventPattern, compiled: compiled, retentionDays: in.RetentionDays, state: archiveEnabled,
		created: s.clock.Now(), store: &archiveStore{max: s.opts.MaxArchiveBytes}}
	s.archives[a.name] = a
	return &archiveStateOutput{ArchiveArn: a.arn, State: a.state, CreationTime: awsproto.Epoch(a.created)}, nil
}

type archiveNameInput struct{ ArchiveName string }

type archiveOutput struct {
	ArchiveArn     string `json:",omitempty"`
	ArchiveName    string
	EventSourceArn string
	Description    string `json:",omitempty"`
	EventPattern   string `json:",omitempty"`
	State          string
	RetentionDays  int
	SizeBytes      int
	EventCount     int
	CreationTime   float64
}

// describe renders an archive. Must hold s.mu.
func (s *Service) describeArchiveLocked(a *archive) archiveOutput {
	events := a.store.snapshot(s.clock.Now(), a.retentionDays)
	size := 0
	for _, e := range events {
		size += entrySize(e.entry)
	}
	return archiveOutput{ArchiveArn: a.arn, ArchiveName: a.name, EventSourceArn: busARN(a.bus),
		Description: a.description, EventPattern: a.pattern, State: a.state, RetentionDays: a.retentionDays,
		SizeBytes: size, EventCount: len(events), CreationTime: awsproto.Epoch(a.created)}
}

func (s *Service) describeArchive(_ context.Context, in *archiveNameInput) (*archiveOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a := s.archives[in.ArchiveName]
	if a == nil {
		return nil, archiveNotFound(in.ArchiveName)
	}
	out := s.describeArchiveLocked(a)
	return &out, nil
}

type listArchivesInput struct {
	NamePrefix     string
	EventSourceArn string
	State          string
	NextToken      string
	Limit          int
}

type listArchivesOutput struct {
	Archives  []archiveOutput
	NextToken string `json:",omitempty"`
}

func (s *Service) listArchives(_ context.Context, in *listArchivesInput) (*listArchivesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var names []string
	for n, a := range s.archives {
		if strings.HasPrefix(n, in.NamePrefix) && (in.EventSourceArn == "" || in.EventSourceArn == busARN(a.bus)) &&
			(in.State == "" || in.State == a.state) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	page, next, err := paginate(names, in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listArchivesOutput{Archives: []archiveOutput{}, NextToken: next}
	for _, n := range page {
		d := s.describeArchiveLocked(s.archives[n])
		d.ArchiveArn, d.Description, d.EventPattern = "", "", "" // not in ListArchives' Archive shape
		out.Archives = append(out.Archives, d)
	}
	return out, nil
}

type updateArchiveInput struct {
	ArchiveName   string
	Description   *string
	EventPattern  *string
	RetentionDays *int
}

func (s *Service) updateArchive(_ context.Context, in *updateArchiveInput) (*archiveStateOutput, error) {
	var compiled *eventpattern.Pattern
	if in.EventPattern != nil && *in.EventPattern != "" {
		p, err := compilePattern(*in.EventPattern)
		if err != nil {
			return nil, err
		}
		compiled = p
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.archives[in.ArchiveName]
	if a == nil {
		return nil, archiveNotFound(in.ArchiveName)
	}
	if in.Description != nil {
		a.description = *in.Description
	}
	if in.EventPattern != nil {
		a.pattern, a.compiled = *in.EventPattern, compiled
	}
	if in.RetentionDays != nil {
		a.retentionDays = *in.RetentionDays
	}
	return &archiveStateOutput{ArchiveArn: a.arn, State: a.state, CreationTime: awsproto.Epoch(a.created)}, nil
}

func (s *Service) deleteArchive(_ context.Context, in *archiveNameInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.archives[in.ArchiveName] == nil {
		return nil, archiveNotFound(in.ArchiveName)
	}
	delete(s.archives, in.ArchiveName)
	return &struct{}{}, nil
}

// archived remembers an event's id next to its entry for replays.
func (ev *event) archived() archivedEvent {
	return archivedEvent{id: ev.id, entry: ev.entry, ingested: ev.ingested}
}

// ruleARNs returns the set of a replay destination's FilterArns, or nil.
func ruleARNs(arns []string) map[string]bool {
	if len(arns) == 0 {
		return nil
	}
	m := make(map[string]bool, len(arns))
	for _, a := range arns {
		m[a] = true
	}
	return m
}

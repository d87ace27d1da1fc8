package eventbridge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// PutEvents limits (API reference, PutEvents; EventBridge User Guide,
// "Calculating PutEvents event entry size").
const (
	MaxEntries      = 10
	MaxRequestBytes = 256 * 1024
	// timeEntryBytes is what a set Time counts toward the size.
	timeEntryBytes = 14
)

// Entry is an event to put on a bus, as other services give it.
type Entry struct {
	// EventBusName is a bus name or ARN; "" is the default bus.
	EventBusName string
	Source       string
	DetailType   string
	// Detail is a JSON object.
	Detail    json.RawMessage
	Resources []string
	// Time is the event's time; the time it is put when zero.
	Time time.Time
	// TraceHeader is an X-Ray trace header the targets receive.
	TraceHeader string
}

// EntryResult is the outcome of one entry: an event id, or an error code
// and message as PutEvents reports them.
type EntryResult struct {
	EventID      string
	ErrorCode    string
	ErrorMessage string
}

// EntryError is the error PutEvent returns for a rejected entry.
type EntryError struct{ Code, Message string }

func (e *EntryError) Error() string { return e.Code + ": " + e.Message }

// PutEvent puts one event and returns its id.
func (s *Service) PutEvent(ctx context.Context, e Entry) (string, error) {
	res, err := s.PutEvents(ctx, []Entry{e})
	if err != nil {
		return "", err
	}
	if res[0].ErrorCode != "" {
		return "", &EntryError{Code: res[0].ErrorCode, Message: res[0].ErrorMessage}
	}
	return res[0].EventID, nil
}

// PutEvents puts up to MaxEntries events, as the PutEvents operation does:
// an error for the request as a whole, or one result per entry. Matching
// targets receive the events asynchronously; subscribers of the bus are
// called before PutEvents returns. It is the path of AWS's own publishers
// (S3 notifications, Lambda destinations, Step Functions status events),
// so any source is accepted; see PutCallerEvents.
func (s *Service) PutEvents(ctx context.Context, entries []Entry) ([]EntryResult, error) {
	return s.putEvents(ctx, entries, false)
}

// PutCallerEvents is PutEvents on behalf of a customer's principal (the
// PutEvents operation, and services that put events with a customer's
// role). Entries whose source begins with "aws." are rejected one by one:
// only AWS services speak for "aws.*" sources (API reference,
// PutEventsResultEntry: "NotAuthorizedForSourceException — You do not
// have permissions to publish events with this source onto this event
// bus"; AWS answers the message "Not authorized for the source.").
func (s *Service) PutCallerEvents(ctx context.Context, entries []Entry) ([]EntryResult, error) {
	return s.putEvents(ctx, entries, true)
}

func (s *Service) putEvents(ctx context.Context, entries []Entry, caller bool) ([]EntryResult, error) {
	if len(entries) < 1 || len(entries) > MaxEntries {
		return nil, constraint("entries", fmt.Sprintf("Member must have length less than or equal to %d and greater than or equal to 1", MaxEntries))
	}
	size := 0
	for _, e := range entries {
		size += entrySize(e)
	}
	if size > MaxRequestBytes {
		return nil, awsproto.ValidationError("Total size of the entries in the request is over the limit.")
	}
	out := make([]EntryResult, len(entries))
	for i, e := range entries {
		if caller && strings.HasPrefix(e.Source, "aws.") {
			out[i] = EntryResult{ErrorCode: "NotAuthorizedForSourceException", ErrorMessage: "Not authorized for the source."}
			continue
		}
		if f, ok := s.entryFault(ctx, e, caller); ok {
			out[i] = EntryResult{ErrorCode: f.ErrorCode, ErrorMessage: f.Message}
			continue
		}
		out[i] = s.putOne(ctx, e)
	}
	return out, nil
}

// entryFault is the injected fault that fails a caller's entry, if any.
func (s *Service) entryFault(ctx context.Context, e Entry, caller bool) (faults.Fault, bool) {
	if !caller || s.opts.Faults == nil {
		return faults.Fault{}, false
	}
	trace := e.TraceHeader
	if trace == "" {
		trace = awsproto.TraceHeader(ctx)
	}
	return s.opts.Faults.EntryFault(ctx, busARN(busName(e.EventBusName)), trace)
}

// entrySize counts an entry as EventBridge documents it.
func entrySize(e Entry) int {
	n := len(e.Source) + len(e.DetailType) + len(e.Detail)
	if !e.Time.IsZero() {
		n += timeEntryBytes
	}
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// event is an accepted event on its way to rules, archives and
// subscribers.
type event struct {
	id        string
	entry     Entry // normalized: bus name, time set, detail compact
	envelope  []byte
	parsed    *eventpattern.Event
	ingested  time.Time
	replay    string // replay name, for replayed events
	routeable bool   // false for a detail EventBridge accepts but ignores
}

func (s *Service) putOne(ctx context.Context, e Entry) EntryResult {
	switch {
	case e.Source == "":
		return EntryResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Source is not valid. Reason: Source is a required argument."}
	case e.DetailType == "":
		return EntryResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter DetailType is not valid. Reason: DetailType is a required argument."}
	case len(bytes.TrimSpace(e.Detail)) == 0:
		return EntryResult{ErrorCode: "InvalidArgument", ErrorMessage: "Parameter Detail is not valid. Reason: Detail is a required argument."}
	}
	var detail bytes.Buffer
	if err := json.Compact(&detail, e.Detail); err != nil {
		return EntryResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
	}
	e.Detail = detail.Bytes()
	e.EventBusName = busName(e.EventBusName)
	now := s.clock.Now()
	if e.Time.IsZero() {
		e.Time = now
	}
	if e.TraceHeader == "" {
		e.TraceHeader = awsproto.TraceHeader(ctx)
	}
	ev := &event{id: awsproto.NewRequestID(), entry: e, ingested: now, routeable: e.Detail[0] == '{'}
	ev.envelope = envelope(ev)
	if ev.routeable {
		parsed, err := eventpattern.ParseEvent(ev.envelope)
		if err != nil {
			return EntryResult{ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed."}
		}
		ev.parsed = parsed
	}
	if err := s.route(ev, nil, true); err != nil {
		e := awsproto.AsError(err)
		return EntryResult{ErrorCode: e.Code, ErrorMessage: e.Message}
	}
	return EntryResult{EventID: ev.id}
}

// envelope renders the event as EventBridge delivers it (EventBridge User
// Guide, "Amazon EventBridge events": version, id, detail-type, source,
// account, time, region, resources, detail), plus replay-name on replays.
func envelope(ev *event) []byte {
	e := ev.entry
	var b bytes.Buffer
	b.Grow(160 + len(e.Detail))
	field := func(k string, v any) {
		enc, _ := json.Marshal(v) // strings and string slices always marshal
		b.WriteString(`,"` + k + `":`)
		b.Write(enc)
	}
	b.WriteString(`{"version":"0"`)
	field("id", ev.id)
	field("detail-type", e.DetailType)
	field("source", e.Source)
	field("account", arn.Account)
	field("time", e.Time.UTC().Format(time.RFC3339))
	field("region", arn.Region)
	resources := e.Resources
	if resources == nil {
		resources = []string{}
	}
	field("resources", resources)
	b.WriteString(`,"detail":`)
	b.Write(e.Detail)
	if ev.replay != "" {
		field("replay-name", ev.replay)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// route matches an event against the enabled rules of its bus (only the
// rules in only, when set), queues a delivery per target of each match,
// archives it when archive is set, and calls the bus's subscribers.
func (s *Service) route(ev *event, only map[string]bool, archive bool) error {
	var (
		work               []item
		archives           []*archiveStore
		matched, unmatched []string
	)
	s.mu.RLock()
	b := s.buses[ev.entry.EventBusName]
	if b == nil {
		s.mu.RUnlock()
		return busNotFound(ev.entry.EventBusName)
	}
	if ev.routeable {
		for _, r := range b.rules {
			if r.state != StateEnabled || r.compiled == nil || (only != nil && !only[r.arn]) {
				continue
			}
			if !r.compiled.MatchesEvent(ev.parsed) {
				unmatched = append(unmatched, r.arn)
				continue
			}
			matched = append(matched, r.arn)
			for _, t := range r.targets {
				work = append(work, item{ev: ev, ruleARN: r.arn, ruleName: r.name, target: *t})
			}
		}
		if archive {
			for _, a := range s.archives {
				if a.bus == b.name && a.state == archiveEnabled && (a.compiled == nil || a.compiled.MatchesEvent(ev.parsed)) {
					archives = append(archives, a.store)
				}
			}
		}
	}
	s.mu.RUnlock()

	if ev.routeable {
		s.observeRoute(ev, matched, unmatched)
	}
	for _, a := range archives {
		a.add(ev.archived())
	}
	for _, w := range work {
		s.q.enqueue(s, w)
	}
	s.notify(ev.entry.EventBusName, ev.envelope)
	return nil
}

// Subscribe calls fn with the envelope of every event put on (or replayed
// to) the bus, in the goroutine that puts it, until cancel is called. fn
// must not block; it may not call back into the service's PutEvents for
// the same bus in a loop.
func (s *Service) Subscribe(bus string, fn func(envelope []byte)) (cancel func()) {
	name := busName(bus)
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.nextID
	s.nextID++
	if s.subs[name] == nil {
		s.subs[name] = map[int]func([]byte){}
	}
	s.subs[name][id] = fn
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		delete(s.subs[name], id)
	}
}

func (s *Service) notify(bus string, envelope []byte) {
	s.subMu.RLock()
	fns := make([]func([]byte), 0, len(s.subs[bus]))
	for _, fn := range s.subs[bus] {
		fns = append(fns, fn)
	}
	s.subMu.RUnlock()
	for _, fn := range fns {
		fn(envelope)
	}
}

// The wire shapes of PutEvents.

type putEventsRequestEntry struct {
	Source       string
	DetailType   string
	Detail       string
	Resources    []string
	Time         *float64
	EventBusName string
	TraceHeader  string
}

type putEventsInput struct {
	Entries    []putEventsRequestEntry
	EndpointId string
}

type putEventsResultEntry struct {
	EventId      string `json:",omitempty"`
	ErrorCode    string `json:",omitempty"`
	ErrorMessage string `json:",omitempty"`
}

type putEventsOutput struct {
	FailedEntryCount int
	Entries          []putEventsResultEntry
}

func (s *Service) putEventsOp(ctx context.Context, in *putEventsInput) (*putEventsOutput, error) {
	entries := make([]Entry, len(in.Entries))
	for i, e := range in.Entries {
		entries[i] = Entry{EventBusName: e.EventBusName, Source: e.Source, DetailType: e.DetailType,
			Detail: json.RawMessage(e.Detail), Resources: e.Resources, TraceHeader: e.TraceHeader}
		if e.Time != nil {
			sec := *e.Time
			entries[i].Time = time.Unix(0, int64(sec*1e9)).UTC()
		}
	}
	res, err := s.PutCallerEvents(ctx, entries)
	if err != nil {
		return nil, err
	}
	out := &putEventsOutput{Entries: make([]putEventsResultEntry, len(res))}
	for i, r := range res {
		out.Entries[i] = putEventsResultEntry{EventId: r.EventID, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage}
		if r.ErrorCode != "" {
			out.FailedEntryCount++
		}
	}
	return out, nil
}

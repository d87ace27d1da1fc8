package logs

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// PutLogEvents limits (API reference, PutLogEvents): at most 10,000 events
// and 1,048,576 bytes per batch, counting each message in UTF-8 plus 26
// bytes; each event at most 1 MB since April 2025 (it was 256 KB); events
// at most 14 days old and 2 hours ahead; a batch's valid events within 24
// hours of each other.
const (
	maxBatchEvents = 10000
	maxBatchBytes  = 1048576
	maxEventBytes  = 1048576
	eventOverhead  = 26
	maxEventAge    = 14 * 24 * time.Hour
	maxEventAhead  = 2 * time.Hour
	maxBatchSpan   = 24 * time.Hour
)

// InputEvent is one event written through the Go API.
type InputEvent struct {
	Timestamp time.Time
	Message   string
}

// Event is a stored event, as subscribers receive it.
type Event struct {
	Group, Stream string
	EventID       string
	Timestamp     time.Time
	IngestionTime time.Time
	Message       string
}

// pending is an event on its way in.
type pending struct {
	ts  int64
	msg string
}

// rejected is PutLogEvents' rejectedLogEventsInfo; nil members are absent.
type rejected struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// window is the part of a chronological batch that is accepted: events
// before start are too old (tooOld of them, more than 14 days) or past the
// group's retention (the rest up to start); events from end on are more
// than 2 hours ahead.
type window struct{ tooOld, start, end int }

func classify(batch []pending, now, cutoff int64) window {
	oldest := now - maxEventAge.Milliseconds()
	newest := now + maxEventAhead.Milliseconds()
	w := window{end: len(batch)}
	for i, e := range batch {
		switch {
		case e.ts < oldest:
			w.tooOld, w.start = i+1, i+1
		case e.ts < cutoff:
			w.start = i + 1
		case e.ts > newest && w.end == len(batch):
			w.end = i
		}
	}
	if w.end < w.start {
		w.end = w.start
	}
	return w
}

func (w window) report(n int) *rejected {
	var r rejected
	any := false
	if w.tooOld > 0 {
		r.TooOldLogEventEndIndex, any = ptr(w.tooOld), true
	}
	if w.start > w.tooOld {
		r.ExpiredLogEventEndIndex, any = ptr(w.start), true
	}
	if w.end < n {
		r.TooNewLogEventStartIndex, any = ptr(w.end), true
	}
	if !any {
		return nil
	}
	return &r
}

func ptr[T any](v T) *T { return &v }

// commit stores the accepted events of a chronological batch and returns
// them as subscribers see them (nil when nobody listens). Must hold s.mu.
func (s *Service) commit(g *group, st *stream, batch []pending, listening bool) []Event {
	now := s.nowMillis()
	st.uploads++
	st.lastIngestion = now
	records := make([]record, len(batch))
	for i, e := range batch {
		g.seq++
		records[i] = record{ts: e.ts, seq: g.seq, ingest: now, msg: e.msg}
		g.bytes += int64(len(e.msg))
	}
	st.insert(records)
	g.sweep(now)
	g.trim(s.maxGroupBytes)
	if !listening {
		return nil
	}
	out := make([]Event, len(records))
	for i := range records {
		r := &records[i]
		out[i] = Event{Group: g.name, Stream: st.name, EventID: eventID(r), Timestamp: millisToTime(r.ts),
			IngestionTime: millisToTime(r.ingest), Message: r.msg}
	}
	return out
}

// PutEvents writes events to a stream for another service (Lambda's
// function output), creating the stream when it is missing and the group
// too when Options.CreateMissingGroups is set. Events are sorted by time;
// empty messages and events PutLogEvents would reject as too old, expired
// or too new are dropped, as they would be on AWS; batch limits do not
// apply, since the caller is not an API client that could split them.
func (s *Service) PutEvents(ctx context.Context, groupName, streamName string, events []InputEvent) error {
	if err := validateGroupName(groupName, "logGroupName"); err != nil {
		return fmt.Errorf("put events to %s: %w", groupName, err)
	}
	if err := validateStreamName(streamName, "logStreamName"); err != nil {
		return fmt.Errorf("put events to %s/%s: %w", groupName, streamName, err)
	}
	batch := make([]pending, 0, len(events))
	for _, e := range events {
		if e.Message != "" {
			batch = append(batch, pending{ts: e.Timestamp.UnixMilli(), msg: e.Message})
		}
	}
	slices.SortStableFunc(batch, func(a, b pending) int { return int(max(min(a.ts-b.ts, 1), -1)) })
	listening := s.listening(groupName)

	s.mu.Lock()
	g, ok := s.groups[groupName]
	if !ok && !s.createGroups {
		s.mu.Unlock()
		return fmt.Errorf("put events to %s/%s: %w", groupName, streamName, groupNotFound())
	}
	if !ok {
		g = newGroup(groupName, s.nowMillis(), GroupConfig{LogGroupClass: "STANDARD"})
		s.groups[groupName] = g
	}
	st, ok := g.streams[streamName]
	if !ok {
		st = &stream{name: streamName, created: s.nowMillis()}
		g.streams[streamName] = st
	}
	w := classify(batch, s.nowMillis(), g.cutoff(s.nowMillis()))
	added := s.commit(g, st, batch[w.start:w.end], listening)
	s.mu.Unlock()

	s.notify(groupName, added)
	return nil
}

type inputLogEvent struct {
	Timestamp *int64  `json:"timestamp"`
	Message   *string `json:"message"`
}

type putLogEventsInput struct {
	LogGroupName  string          `json:"logGroupName"`
	LogStreamName string          `json:"logStreamName"`
	LogEvents     []inputLogEvent `json:"logEvents"`
	SequenceToken string          `json:"sequenceToken"` // ignored, as AWS now ignores it
}

type putLogEventsOutput struct {
	NextSequenceToken     string    `json:"nextSequenceToken"`
	RejectedLogEventsInfo *rejected `json:"rejectedLogEventsInfo,omitempty"`
}

// validateBatch applies PutLogEvents' checks that need no state, in the
// order AWS reports them: member constraints, order, event size, batch
// size.
func validateBatch(events []inputLogEvent) ([]pending, error) {
	n := len(events)
	if n < 1 || n > maxBatchEvents {
		rule := "Member must have length greater than or equal to 1"
		if n > maxBatchEvents {
			rule = "Member must have length less than or equal to 10000"
		}
		return nil, constraint(fmt.Sprintf("[%d log events]", n), "logEvents", rule)
	}
	var problems []string
	for i, e := range events {
		at := fmt.Sprintf("logEvents.%d.member", i+1)
		switch {
		case e.Timestamp == nil:
			problems = append(problems, fmt.Sprintf("Value null at '%s.timestamp' failed to satisfy constraint: Member must not be null", at))
		case *e.Timestamp < 0:
			problems = append(problems, fmt.Sprintf("Value '%d' at '%s.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0", *e.Timestamp, at))
		}
		switch {
		case e.Message == nil:
			problems = append(problems, fmt.Sprintf("Value null at '%s.message' failed to satisfy constraint: Member must not be null", at))
		case *e.Message == "":
			problems = append(problems, fmt.Sprintf("Value '' at '%s.message' failed to satisfy constraint: Member must have length greater than or equal to 1", at))
		}
	}
	if len(problems) == 1 {
		return nil, invalidParameter("1 validation error detected: %s", problems[0])
	}
	if len(problems) > 1 {
		return nil, invalidParameter("%d validation errors detected: %s", len(problems), strings.Join(problems, "; "))
	}
	batch := make([]pending, n)
	total := 0
	for i, e := range events {
		batch[i] = pending{ts: *e.Timestamp, msg: *e.Message}
		if i > 0 && batch[i].ts < batch[i-1].ts {
			// aws/aws-sdk (field reports, e.g. dibog/cloudwatch-logback-appender#17).
			return nil, invalidParameter("Log events in a single PutLogEvents request must be in chronological order.")
		}
	}
	for _, e := range batch {
		size := len(e.msg) + eventOverhead // UTF-8 bytes: encoding/json made the message valid UTF-8
		if size > maxEventBytes {
			// "Log event too large: 292824 bytes exceeds limit of 262144" (maxbanton/cwh#101), now 1 MB.
			return nil, invalidParameter("Log event too large: %d bytes exceeds limit of %d", size, maxEventBytes)
		}
		total += size
	}
	if total > maxBatchBytes {
		// "Upload too large: 1049882 bytes exceeds limit of 1048576" (nhs-england-tools/terraform-aws-opennext#27).
		return nil, invalidParameter("Upload too large: %d bytes exceeds limit of %d", total, maxBatchBytes)
	}
	return batch, nil
}

func (s *Service) putLogEvents(ctx context.Context, in *putLogEventsInput) (*putLogEventsOutput, error) {
	batch, err := validateBatch(in.LogEvents)
	if err != nil {
		return nil, err
	}
	// The client stamped its events with the wall clock; under virtual
	// time the cloud's clock is ahead of it.
	if off := clock.OffsetOf(s.clock).Milliseconds(); off != 0 {
		for i := range batch {
			batch[i].ts += off
		}
	}
	listening := s.listening(in.LogGroupName)

	s.mu.Lock()
	g, err := s.mustGroup(in.LogGroupName)
	if err != nil {
		s.mu.Unlock()
		return nil, err
	}
	st, ok := g.streams[in.LogStreamName]
	if !ok {
		s.mu.Unlock()
		return nil, streamNotFound()
	}
	now := s.nowMillis()
	w := classify(batch, now, g.cutoff(now))
	if accepted := batch[w.start:w.end]; len(accepted) > 1 && accepted[len(accepted)-1].ts-accepted[0].ts > maxBatchSpan.Milliseconds() {
		s.mu.Unlock()
		// aws/amazon-cloudwatch-logs-for-fluent-bit#29.
		return nil, invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.")
	}
	added := s.commit(g, st, batch[w.start:w.end], listening)
	out := &putLogEventsOutput{NextSequenceToken: sequenceToken(st.uploads), RejectedLogEventsInfo: w.report(len(batch))}
	s.mu.Unlock()

	s.notify(in.LogGroupName, added)
	return out, nil
}

// sequenceToken is a stream's upload sequence token: AWS no longer checks
// it but still returns one, a long decimal number.
func sequenceToken(uploads uint64) string { return fmt.Sprintf("%056d", uploads) }

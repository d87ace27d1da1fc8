package logs

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logfilter"
)

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               *int     `json:"limit"`
	Interleaved         bool     `json:"interleaved"` // deprecated: results are always interleaved
	Unmask              bool     `json:"unmask"`
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type filterLogEventsOutput struct {
	Events    []filteredLogEvent `json:"events"`
	NextToken string             `json:"nextToken,omitempty"`
}

// FilterQuery is a FilterLogEvents search through the Go API.
type FilterQuery struct {
	Group         string
	StreamNames   []string // empty: every stream (or those with StreamPrefix)
	StreamPrefix  string
	StartTime     *int64 // epoch ms, inclusive
	EndTime       *int64 // epoch ms, exclusive
	FilterPattern string
	Limit         int    // 0: 10,000 or as many as fit in 1 MB
	NextToken     string // from a previous page
}

// FilterPage is one page of a search: the matching events in timestamp
// order across streams (ingestion order within a millisecond), and the
// token of the next page, "" when the search is done.
type FilterPage struct {
	Events    []Event
	NextToken string
}

// hit is a matching event found by a scan.
type hit struct {
	st *stream
	r  *record
}

// patternError renders a logfilter compile error as the API reports it.
func patternError(err error, metric bool) error {
	var pe *logfilter.Error
	if !errors.As(err, &pe) {
		return awsproto.InternalError(err)
	}
	if metric {
		pe = pe.ForMetricFilter()
	}
	return awsproto.NewError(pe.Code, http.StatusBadRequest, pe.Message)
}

// Filter searches a group's events as FilterLogEvents does.
func (s *Service) Filter(ctx context.Context, q FilterQuery) (FilterPage, error) {
	if len(q.StreamNames) > 0 && q.StreamPrefix != "" {
		return FilterPage{}, invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.")
	}
	limit := maxResponseEvents
	if q.Limit != 0 {
		l, err := pageLimit(&q.Limit, maxResponseEvents)
		if err != nil {
			return FilterPage{}, err
		}
		limit = l
	}
	pattern, err := logfilter.Compile(q.FilterPattern)
	if err != nil {
		return FilterPage{}, patternError(err, false)
	}
	from := startCursor
	if q.NextToken != "" {
		var ok bool
		if _, from, ok = decodeCursor(q.NextToken, "n"); !ok {
			return FilterPage{}, invalidToken()
		}
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.mustGroup(q.Group)
	if err != nil {
		return FilterPage{}, err
	}
	cutoff := g.cutoff(s.nowMillis())
	var hits []hit
	for _, st := range g.streams {
		if !selected(st.name, q.StreamNames, q.StreamPrefix) {
			continue
		}
		lo, hi := st.window(cutoff, q.StartTime, q.EndTime)
		hits = scan(hits, st, max(lo, st.firstAfter(from)), hi, pattern, limit)
	}
	slices.SortFunc(hits, func(a, b hit) int {
		switch {
		case a.r.ts != b.r.ts:
			return cmp64(a.r.ts, b.r.ts)
		case a.r.seq < b.r.seq:
			return -1
		}
		return 1
	})

	page := FilterPage{Events: make([]Event, 0, min(len(hits), limit))}
	size := 0
	for _, h := range hits {
		size += len(h.r.msg) + eventOverhead
		if len(page.Events) == limit || (size > maxResponseBytes && len(page.Events) > 0) {
			break
		}
		page.Events = append(page.Events, Event{Group: g.name, Stream: h.st.name, EventID: eventID(h.r),
			Timestamp: millisToTime(h.r.ts), IngestionTime: millisToTime(h.r.ingest), Message: h.r.msg})
	}
	if n := len(page.Events); n == limit || n < len(hits) {
		last := hits[n-1].r
		page.NextToken = cursorAfter(last).encode("n")
	}
	return page, nil
}

// scan appends the events of st[i:hi] that match, at most limit of them:
// no page needs more from one stream. It allocates only for matches.
func scan(hits []hit, st *stream, i, hi int, p *logfilter.Pattern, limit int) []hit {
	found := 0
	events := st.events[i:hi]
	for k := range events {
		if p.Match(events[k].msg) {
			hits = append(hits, hit{st: st, r: &events[k]})
			if found++; found == limit {
				break
			}
		}
	}
	return hits
}

func selected(name string, names []string, prefix string) bool {
	if len(names) > 0 {
		return slices.Contains(names, name)
	}
	return strings.HasPrefix(name, prefix)
}

func cmp64(a, b int64) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

func (s *Service) filterLogEvents(ctx context.Context, in *filterLogEventsInput) (*filterLogEventsOutput, error) {
	name, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	if in.LogStreamNames != nil && len(in.LogStreamNames) < 1 {
		return nil, constraint("[]", "logStreamNames", "Member must have length greater than or equal to 1")
	}
	if len(in.LogStreamNames) > 100 {
		return nil, constraint(strings.Join(in.LogStreamNames, ", "), "logStreamNames", "Member must have length less than or equal to 100")
	}
	q := FilterQuery{Group: name, StreamNames: in.LogStreamNames, StreamPrefix: in.LogStreamNamePrefix,
		StartTime: in.StartTime, EndTime: in.EndTime, FilterPattern: in.FilterPattern, NextToken: in.NextToken}
	if in.Limit != nil {
		if _, err := pageLimit(in.Limit, maxResponseEvents); err != nil {
			return nil, err
		}
		q.Limit = *in.Limit
	}
	page, err := s.Filter(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &filterLogEventsOutput{Events: make([]filteredLogEvent, len(page.Events)), NextToken: page.NextToken}
	for i, e := range page.Events {
		out.Events[i] = filteredLogEvent{LogStreamName: e.Stream, Timestamp: e.Timestamp.UnixMilli(), Message: e.Message,
			IngestionTime: e.IngestionTime.UnixMilli(), EventID: e.EventID}
	}
	return out, nil
}

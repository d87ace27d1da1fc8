package logs

import (
	"context"
)

// maxResponseBytes is what one GetLogEvents or FilterLogEvents page holds
// when no smaller limit is given: "as many log events as can fit in a
// response size of 1 MB (up to 10,000 log events)" (API reference),
// counting events as PutLogEvents does.
const (
	maxResponseBytes  = 1048576
	maxResponseEvents = 10000
)

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              *int   `json:"limit"`
	StartFromHead      bool   `json:"startFromHead"`
	Unmask             bool   `json:"unmask"`
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

type getLogEventsOutput struct {
	Events            []outputLogEvent `json:"events"`
	NextForwardToken  string           `json:"nextForwardToken"`
	NextBackwardToken string           `json:"nextBackwardToken"`
}

// getLogEvents pages through one stream in timestamp order. Tokens are
// positions between events: "f/…" reads forward from one, "b/…" backward.
// When a page is empty the token passed in comes back unchanged, which is
// how AWS, and the SDK paginators' StopOnDuplicateToken, detect the end.
func (s *Service) getLogEvents(ctx context.Context, in *getLogEventsInput) (*getLogEventsOutput, error) {
	name, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	limit, err := pageLimit(in.Limit, maxResponseEvents)
	if err != nil {
		return nil, err
	}
	forward := in.StartFromHead
	var from cursor
	if in.NextToken != "" {
		dir, c, ok := decodeCursor(in.NextToken, "f", "b")
		if !ok {
			return nil, invalidToken()
		}
		forward, from = dir == "f", c
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.mustGroup(name)
	if err != nil {
		return nil, err
	}
	st, ok := g.streams[in.LogStreamName]
	if !ok {
		return nil, streamNotFound()
	}
	lo, hi := st.window(g.cutoff(s.nowMillis()), in.StartTime, in.EndTime)
	var i, j int
	switch {
	case in.NextToken == "" && forward:
		i, j = lo, pageForward(st.events, lo, hi, limit)
	case in.NextToken == "":
		i, j = pageBackward(st.events, lo, hi, limit), hi
	case forward:
		i = clamp(st.firstAfter(from), lo, hi)
		j = pageForward(st.events, i, hi, limit)
	default:
		j = clamp(st.firstAfter(from), lo, hi)
		i = pageBackward(st.events, lo, j, limit)
	}
	out := &getLogEventsOutput{Events: make([]outputLogEvent, 0, j-i),
		NextForwardToken: st.position(j).encode("f"), NextBackwardToken: st.position(i).encode("b")}
	for k := i; k < j; k++ {
		r := &st.events[k]
		out.Events = append(out.Events, outputLogEvent{Timestamp: r.ts, Message: r.msg, IngestionTime: r.ingest})
	}
	if i == j && in.NextToken != "" {
		if forward {
			out.NextForwardToken = in.NextToken
		} else {
			out.NextBackwardToken = in.NextToken
		}
	}
	return out, nil
}

// window returns the index range of the events a read may see: at or
// after startTime and the retention cutoff, before endTime.
func (st *stream) window(cutoff int64, startTime, endTime *int64) (lo, hi int) {
	from := cutoff
	if startTime != nil && *startTime > from {
		from = *startTime
	}
	lo = st.firstAfter(cursorBeforeTime(from))
	hi = len(st.events)
	if endTime != nil {
		hi = max(lo, st.firstAfter(cursorBeforeTime(*endTime)))
	}
	return lo, hi
}

// position is the cursor right before event i (after the last event when
// i is the end).
func (st *stream) position(i int) cursor {
	switch {
	case i < len(st.events):
		return cursorBefore(&st.events[i])
	case i > 0:
		return cursorAfter(&st.events[i-1])
	}
	return startCursor
}

// pageForward returns the end of the page that starts at i: up to limit
// events before hi that fit in a response.
func pageForward(events []record, i, hi, limit int) int {
	size := 0
	j := i
	for j < hi && j-i < limit {
		size += len(events[j].msg) + eventOverhead
		if size > maxResponseBytes && j > i {
			break
		}
		j++
	}
	return j
}

// pageBackward returns the start of the page that ends at j.
func pageBackward(events []record, lo, j, limit int) int {
	size := 0
	i := j
	for i > lo && j-i < limit {
		size += len(events[i-1].msg) + eventOverhead
		if size > maxResponseBytes && i < j {
			break
		}
		i--
	}
	return i
}

func clamp(v, lo, hi int) int { return min(max(v, lo), hi) }

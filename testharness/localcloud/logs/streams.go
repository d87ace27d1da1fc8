package logs

import (
	"context"
	"slices"
	"strings"
)

func validateStreamName(name, member string) error {
	switch {
	case len(name) < 1:
		return constraint(name, member, "Member must have length greater than or equal to 1")
	case len(name) > 512:
		return constraint(name, member, "Member must have length less than or equal to 512")
	case strings.ContainsAny(name, ":*"):
		return constraint(name, member, "Member must satisfy regular expression pattern: [^:*]*")
	}
	return nil
}

// CreateStream creates a log stream in an existing group.
func (s *Service) CreateStream(ctx context.Context, groupName, streamName string) error {
	if err := validateStreamName(streamName, "logStreamName"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(groupName)
	if err != nil {
		return err
	}
	if _, ok := g.streams[streamName]; ok {
		return streamExists()
	}
	g.streams[streamName] = &stream{name: streamName, created: s.nowMillis()}
	return nil
}

// DeleteStream deletes a log stream and its events.
func (s *Service) DeleteStream(ctx context.Context, groupName, streamName string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.mustGroup(groupName)
	if err != nil {
		return err
	}
	st, ok := g.streams[streamName]
	if !ok {
		return streamNotFound()
	}
	for i := range st.events {
		g.bytes -= int64(len(st.events[i].msg))
	}
	delete(g.streams, streamName)
	return nil
}

type streamInput struct {
	LogGroupName  string `json:"logGroupName"`
	LogStreamName string `json:"logStreamName"`
}

func (s *Service) createLogStream(ctx context.Context, in *streamInput) (*empty, error) {
	return &empty{}, s.CreateStream(ctx, in.LogGroupName, in.LogStreamName)
}

func (s *Service) deleteLogStream(ctx context.Context, in *streamInput) (*empty, error) {
	return &empty{}, s.DeleteStream(ctx, in.LogGroupName, in.LogStreamName)
}

type describeLogStreamsInput struct {
	LogGroupName        string `json:"logGroupName"`
	LogGroupIdentifier  string `json:"logGroupIdentifier"`
	LogStreamNamePrefix string `json:"logStreamNamePrefix"`
	OrderBy             string `json:"orderBy"`
	Descending          bool   `json:"descending"`
	Limit               *int   `json:"limit"`
	NextToken           string `json:"nextToken"`
}

type logStreamOut struct {
	LogStreamName       string `json:"logStreamName"`
	CreationTime        int64  `json:"creationTime"`
	FirstEventTimestamp *int64 `json:"firstEventTimestamp,omitempty"`
	LastEventTimestamp  *int64 `json:"lastEventTimestamp,omitempty"`
	LastIngestionTime   *int64 `json:"lastIngestionTime,omitempty"`
	UploadSequenceToken string `json:"uploadSequenceToken,omitempty"`
	Arn                 string `json:"arn"`
	StoredBytes         int64  `json:"storedBytes"`
}

type describeLogStreamsOutput struct {
	LogStreams []logStreamOut `json:"logStreams"`
	NextToken  string         `json:"nextToken,omitempty"`
}

// describeLogStreams lists a group's streams by name or by last event
// time. Pages are positions in that order, so the token is an offset.
func (s *Service) describeLogStreams(ctx context.Context, in *describeLogStreamsInput) (*describeLogStreamsOutput, error) {
	name, err := groupName(in.LogGroupName, in.LogGroupIdentifier)
	if err != nil {
		return nil, err
	}
	switch in.OrderBy {
	case "", "LogStreamName":
	case "LastEventTime":
		if in.LogStreamNamePrefix != "" {
			return nil, invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.")
		}
	default:
		return nil, constraint(in.OrderBy, "orderBy", "Member must satisfy enum value set: [LogStreamName, LastEventTime]")
	}
	limit, err := pageLimit(in.Limit, 50)
	if err != nil {
		return nil, err
	}
	offset, err := decodeOffsetToken(in.NextToken)
	if err != nil {
		return nil, err
	}

	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.mustGroup(name)
	if err != nil {
		return nil, err
	}
	cutoff := g.cutoff(s.nowMillis())
	list := make([]logStreamOut, 0, len(g.streams))
	for _, st := range g.streams {
		if strings.HasPrefix(st.name, in.LogStreamNamePrefix) {
			list = append(list, describeStream(g.name, st, cutoff))
		}
	}
	slices.SortFunc(list, func(a, b logStreamOut) int {
		if in.OrderBy == "LastEventTime" {
			if c := compareOptional(a.LastEventTimestamp, b.LastEventTimestamp); c != 0 {
				return c
			}
		}
		return strings.Compare(a.LogStreamName, b.LogStreamName)
	})
	if in.Descending {
		slices.Reverse(list)
	}
	out := &describeLogStreamsOutput{LogStreams: []logStreamOut{}}
	if offset >= len(list) {
		return out, nil
	}
	list = list[offset:]
	if len(list) > limit {
		list = list[:limit]
		out.NextToken = encodeOffsetToken(offset + limit)
	}
	out.LogStreams = list
	return out, nil
}

// describeStream reports a stream as DescribeLogStreams does; events past
// retention no longer count. storedBytes is deprecated and always 0 on AWS.
func describeStream(groupName string, st *stream, cutoff int64) logStreamOut {
	out := logStreamOut{LogStreamName: st.name, CreationTime: st.created, Arn: streamARN(groupName, st.name)}
	if st.uploads > 0 {
		out.UploadSequenceToken = sequenceToken(st.uploads)
		li := st.lastIngestion
		out.LastIngestionTime = &li
	}
	first := st.firstAfter(cursorBeforeTime(cutoff))
	if first < len(st.events) {
		f, l := st.events[first].ts, st.events[len(st.events)-1].ts
		out.FirstEventTimestamp, out.LastEventTimestamp = &f, &l
	}
	return out
}

func compareOptional(a, b *int64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	case *a < *b:
		return -1
	case *a > *b:
		return 1
	}
	return 0
}

package fakeaws

import (
	"fmt"
	"net/http"
)

// LogEvent is one stored CloudWatch Logs event.
type LogEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// RejectedLogEvents is PutLogEvents' rejectedLogEventsInfo; nil fields are
// left out.
type RejectedLogEvents struct {
	TooNewLogEventStartIndex *int `json:"tooNewLogEventStartIndex,omitempty"`
	TooOldLogEventEndIndex   *int `json:"tooOldLogEventEndIndex,omitempty"`
	ExpiredLogEventEndIndex  *int `json:"expiredLogEventEndIndex,omitempty"`
}

// PutLogEvents' documented limits (CloudWatch Logs API Reference).
const (
	maxLogBatchEvents = 10_000
	maxLogBatchBytes  = 1_048_576
	logEventOverhead  = 26
	maxLogBatchSpanMS = 24 * 60 * 60 * 1000
)

// CreateLogGroup creates a log group, as the infra would.
func (s *Server) CreateLogGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logGroups[name] = map[string][]LogEvent{}
}

// LogEvents returns every event stored in the group, stream by stream.
func (s *Server) LogEvents(group string) []LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []LogEvent
	for _, events := range s.logGroups[group] {
		out = append(out, events...)
	}
	return out
}

// PutLogEventsBatches returns the events of each PutLogEvents call received.
func (s *Server) PutLogEventsBatches() [][]LogEvent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]LogEvent(nil), s.logCalls...)
}

// RejectNextLogEvents makes the next PutLogEvents store only the events
// outside info's ranges and report info, as AWS does for events too old,
// too new or expired.
func (s *Server) RejectNextLogEvents(info RejectedLogEvents) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reject = &info
}

type logStreamInput struct {
	LogGroupName  string     `json:"logGroupName"`
	LogStreamName string     `json:"logStreamName"`
	LogEvents     []LogEvent `json:"logEvents"`
}

func (s *Server) createLogStream(w http.ResponseWriter, r *http.Request) {
	var in logStreamInput
	if !decodeJSON(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	streams, ok := s.logGroups[in.LogGroupName]
	switch {
	case !ok:
		jsonError(w, Fault{http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist."})
	case streams[in.LogStreamName] != nil:
		jsonError(w, Fault{http.StatusBadRequest, "ResourceAlreadyExistsException", "The specified log stream already exists"})
	default:
		streams[in.LogStreamName] = []LogEvent{}
		writeJSON(w, struct{}{})
	}
}

func (s *Server) putLogEvents(w http.ResponseWriter, r *http.Request) {
	var in logStreamInput
	if !decodeJSON(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	stream, ok := s.logGroups[in.LogGroupName][in.LogStreamName]
	if !ok {
		jsonError(w, Fault{http.StatusBadRequest, "ResourceNotFoundException", "The specified log stream does not exist."})
		return
	}
	if err := checkLogBatch(in.LogEvents); err != "" {
		jsonError(w, Fault{http.StatusBadRequest, "InvalidParameterException", err})
		return
	}
	s.logCalls = append(s.logCalls, in.LogEvents)
	reject := s.reject
	s.reject = nil
	for i, e := range in.LogEvents {
		if reject != nil && rejected(*reject, i) {
			continue
		}
		stream = append(stream, e)
	}
	s.logGroups[in.LogGroupName][in.LogStreamName] = stream
	out := map[string]any{"nextSequenceToken": fmt.Sprintf("%056d", len(stream))}
	if reject != nil {
		out["rejectedLogEventsInfo"] = reject
	}
	writeJSON(w, out)
}

// rejected applies rejectedLogEventsInfo's documented bounds: too-new start
// inclusive, too-old and expired ends exclusive.
func rejected(info RejectedLogEvents, i int) bool {
	return (info.TooNewLogEventStartIndex != nil && i >= *info.TooNewLogEventStartIndex) ||
		(info.TooOldLogEventEndIndex != nil && i < *info.TooOldLogEventEndIndex) ||
		(info.ExpiredLogEventEndIndex != nil && i < *info.ExpiredLogEventEndIndex)
}

// checkLogBatch enforces PutLogEvents' batch limits; "" means the batch is
// acceptable.
func checkLogBatch(events []LogEvent) string {
	if len(events) == 0 || len(events) > maxLogBatchEvents {
		return fmt.Sprintf("a batch holds 1 to %d log events, got %d", maxLogBatchEvents, len(events))
	}
	size := 0
	for i, e := range events {
		size += len(e.Message) + logEventOverhead
		if i > 0 && e.Timestamp < events[i-1].Timestamp {
			return "Log events in a single PutLogEvents request must be in chronological order."
		}
	}
	if size > maxLogBatchBytes {
		return fmt.Sprintf("batch is %d bytes, over the %d-byte limit", size, maxLogBatchBytes)
	}
	if events[len(events)-1].Timestamp-events[0].Timestamp > maxLogBatchSpanMS {
		return "A batch of log events in a single request cannot span more than 24 hours."
	}
	return ""
}

package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Event is one entry PutEvents accepted.
type Event struct {
	Source       string `json:"Source"`
	DetailType   string `json:"DetailType"`
	Detail       string `json:"Detail"`
	EventBusName string `json:"EventBusName"`
	TraceHeader  string `json:"TraceHeader"`
}

// Events returns the entries accepted so far, in order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// FailEventEntries makes the next n entries PutEvents receives fail with
// InternalFailure, each counted once, while the rest of their requests
// succeed: AWS's partial failure.
func (s *Server) FailEventEntries(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEntries += n
}

type putEventsResultEntry struct {
	EventID      string `json:"EventId,omitempty"`
	ErrorCode    string `json:"ErrorCode,omitempty"`
	ErrorMessage string `json:"ErrorMessage,omitempty"`
}

func (s *Server) putEvents(w http.ResponseWriter, r *http.Request) {
	var in struct{ Entries []Event }
	if !decodeJSON(w, r, &in) {
		return
	}
	if len(in.Entries) == 0 || len(in.Entries) > 10 {
		// Message as AWS words the constraint on Entries.
		jsonError(w, Fault{http.StatusBadRequest, "ValidationException",
			fmt.Sprintf("1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10 (got %d)", len(in.Entries))})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := struct {
		FailedEntryCount int
		Entries          []putEventsResultEntry
	}{}
	for _, e := range in.Entries {
		if s.failEntries > 0 {
			s.failEntries--
			out.FailedEntryCount++
			out.Entries = append(out.Entries, putEventsResultEntry{ErrorCode: "InternalFailure", ErrorMessage: "Internal Service Failure"})
			continue
		}
		s.events = append(s.events, e)
		out.Entries = append(out.Entries, putEventsResultEntry{EventID: fmt.Sprintf("fake-%d", len(s.events))})
	}
	writeJSON(w, out)
}

// EventDetails decodes the details of the accepted entries of one
// detail-type, in order.
func EventDetails[T any](s *Server, detailType string) ([]T, error) {
	var out []T
	for _, e := range s.Events() {
		if e.DetailType != detailType {
			continue
		}
		var d T
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			return nil, fmt.Errorf("%s detail %s: %w", detailType, e.Detail, err)
		}
		out = append(out, d)
	}
	return out, nil
}

package runtimeapi

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// state is the runtime's position in the Runtime API's state machine, as
// the emulator models it: Started → (next) Ready → (invocation handed out)
// Invoke → (response or error) ResponseSent → (next) Ready …, and
// Started → (init/error) InitError.
type state int

const (
	stateStarted state = iota
	stateInitError
	stateReady
	stateInvoke
	stateResponseSent
)

func (st state) String() string {
	return [...]string{"Started", "InitError", "Ready", "Invoke", "ResponseSent"}[st]
}

// errorResponse is the Runtime API's error body, the same shape the
// runtime posts: {"errorMessage", "errorType"}.
type errorResponse struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// accepted answers a post the platform took, as the emulator does.
func accepted(w http.ResponseWriter) {
	writeJSON(w, http.StatusAccepted, map[string]string{"status": "OK"})
}

// invalidTransition answers a call the runtime's state does not allow:
// 403 InvalidStateTransition with the emulator's wording.
func invalidTransition(w http.ResponseWriter, from state, to string) {
	writeJSON(w, http.StatusForbidden, errorResponse{
		ErrorType: "InvalidStateTransition",
		ErrorMessage: fmt.Sprintf("State transition from %s to %s failed for runtime. Error: %s",
			from, to, "State transition is not allowed"),
	})
}

// invalidRequestID answers a post for an invocation that is not the one in
// flight.
func invalidRequestID(w http.ResponseWriter) {
	writeJSON(w, http.StatusBadRequest, errorResponse{ErrorType: "InvalidRequestID", ErrorMessage: "Invalid request ID"})
}

// finish moves an in-flight invocation to ResponseSent when the runtime
// posts for it; ok is false when the post has been answered already.
func (s *Server) finish(w http.ResponseWriter, id, to string) (*Invocation, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != stateInvoke {
		invalidTransition(w, s.state, to)
		return nil, false
	}
	if s.current == nil || s.current.RequestID != id {
		invalidRequestID(w)
		return nil, false
	}
	inv := s.current
	s.current = nil
	s.state = stateResponseSent
	return inv, true
}

package runtimeapi

import (
	"net/http"
	"strconv"
)

// next serves GET /runtime/invocation/next: the long poll that ends init
// (the first call) or the previous invocation, and hands out the next one.
func (s *Server) next(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	switch s.state {
	case stateStarted, stateResponseSent:
	default:
		from := s.state
		s.mu.Unlock()
		invalidTransition(w, from, "Ready")
		return
	}
	s.state = stateReady
	s.mu.Unlock()
	select {
	case s.waiting <- struct{}{}:
	default:
	}

	select {
	case inv := <-s.pending:
		s.mu.Lock()
		s.state = stateInvoke
		s.current = inv
		s.mu.Unlock()
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.RequestID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.DeadlineMs, 10))
		setIfNotEmpty(h, "Lambda-Runtime-Invoked-Function-Arn", inv.InvokedFunctionARN)
		setIfNotEmpty(h, "Lambda-Runtime-Trace-Id", inv.TraceID)
		setIfNotEmpty(h, "Lambda-Runtime-Client-Context", inv.ClientContext)
		setIfNotEmpty(h, "Lambda-Runtime-Cognito-Identity", inv.CognitoIdentity)
		h.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(inv.Payload)
		close(inv.taken)
	case <-r.Context().Done():
	case <-s.closed:
	}
}

func setIfNotEmpty(h http.Header, key, value string) {
	if value != "" {
		h.Set(key, value)
	}
}

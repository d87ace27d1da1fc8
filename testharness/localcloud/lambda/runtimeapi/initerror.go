package runtimeapi

import "net/http"

// initError serves POST /runtime/init/error: a runtime that cannot start
// reports why, before it ever asks for an invocation.
func (s *Server) initError(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if s.state != stateStarted {
		from := s.state
		s.mu.Unlock()
		invalidTransition(w, from, "InitError")
		return
	}
	s.state = stateInitError
	s.mu.Unlock()
	s.initErr <- readError(r)
	accepted(w)
}

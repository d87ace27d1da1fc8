package runtimeapi

import (
	"fmt"
	"io"
	"net/http"
)

// response serves POST /runtime/invocation/{id}/response.
func (s *Server) response(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.finish(w, r.PathValue("id"), "InvocationResponse")
	if !ok {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes+1))
	if err != nil {
		inv.done <- Outcome{ErrorType: "Runtime.TruncatedResponse",
			Payload: errorBody("Runtime.TruncatedResponse", fmt.Sprintf("reading the response: %v", err))}
		writeJSON(w, http.StatusBadRequest, errorResponse{ErrorType: "TruncatedHTTPRequest", ErrorMessage: "HTTP request detected as truncated"})
		return
	}
	if len(body) > MaxResponseBytes {
		msg := fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes)
		inv.done <- Outcome{ErrorType: "Function.ResponseSizeTooLarge", Payload: errorBody("Function.ResponseSizeTooLarge", msg)}
		writeJSON(w, http.StatusRequestEntityTooLarge, errorResponse{ErrorType: "RequestEntityTooLarge",
			ErrorMessage: fmt.Sprintf("Exceeded maximum allowed payload size (%d bytes).", MaxResponseBytes)})
		return
	}
	inv.done <- Outcome{Payload: body}
	accepted(w)
}

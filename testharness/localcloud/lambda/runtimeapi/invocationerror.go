package runtimeapi

import (
	"encoding/json"
	"io"
	"net/http"
)

// invocationError serves POST /runtime/invocation/{id}/error: the body is
// the error as the caller will see it, {errorMessage, errorType,
// stackTrace}.
func (s *Server) invocationError(w http.ResponseWriter, r *http.Request) {
	inv, ok := s.finish(w, r.PathValue("id"), "InvocationErrorResponse")
	if !ok {
		return
	}
	inv.done <- readError(r)
	accepted(w)
}

// readError reads a posted error body; its type comes from the body, else
// from the Lambda-Runtime-Function-Error-Type header. A body that is not an
// error document is replaced by one, as Lambda answers callers with JSON.
func readError(r *http.Request) Outcome {
	body, _ := io.ReadAll(io.LimitReader(r.Body, MaxResponseBytes))
	var e errorResponse
	errType := r.Header.Get("Lambda-Runtime-Function-Error-Type")
	if json.Unmarshal(body, &e) == nil && e.ErrorType != "" {
		errType = e.ErrorType
	}
	if errType == "" {
		errType = "Runtime.Unknown"
	}
	if !json.Valid(body) {
		body = errorBody(errType, string(body))
	}
	return Outcome{Payload: body, ErrorType: errType}
}

func errorBody(errType, message string) []byte {
	b, _ := json.Marshal(errorResponse{ErrorMessage: message, ErrorType: errType})
	return b
}

package xray

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

const contentType = "application/json"

// routes lists every operation the local X-Ray serves (restJson: one POST
// path per operation).
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /TraceSegments", op(s.putTraceSegments))
	mux.Handle("POST /TraceSummaries", op(s.getTraceSummaries))
	mux.Handle("POST /Traces", op(s.batchGetTraces))
	mux.Handle("POST /TraceGraph", op(s.getTraceGraph))
	mux.Handle("POST /ServiceGraph", op(s.getServiceGraph))
	mux.Handle("POST /TelemetryRecords", op(s.putTelemetryRecords))
	mux.Handle("POST /GetSamplingRules", op(s.getSamplingRules))
	mux.Handle("POST /SamplingTargets", op(s.getSamplingTargets))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		awsproto.WriteJSONError(r.Context(), w, contentType, awsproto.Errorf("UnknownOperationException",
			http.StatusNotFound, "Unknown operation %s %s", r.Method, r.URL.Path))
	})
	return mux
}

// op adapts an operation: the body is decoded into In, the result or the
// error rendered as restJson.
func op[In, Out any](fn func(ctx context.Context, in *In) (*Out, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
		if err != nil {
			awsproto.WriteJSONError(ctx, w, contentType, awsproto.SerializationError("reading request body: %v", err))
			return
		}
		in := new(In)
		if len(body) > 0 {
			if err := json.Unmarshal(body, in); err != nil {
				awsproto.WriteJSONError(ctx, w, contentType, invalidRequest("Could not parse request body: %v", err))
				return
			}
		}
		out, err := fn(ctx, in)
		if err != nil {
			awsproto.WriteJSONError(ctx, w, contentType, err)
			return
		}
		awsproto.WriteJSON(ctx, w, contentType, http.StatusOK, out)
	})
}

// invalidRequest is X-Ray's client error (API reference, Common Errors:
// InvalidRequestException, HTTP 400).
func invalidRequest(format string, args ...any) error {
	return awsproto.Errorf("InvalidRequestException", http.StatusBadRequest, format, args...)
}

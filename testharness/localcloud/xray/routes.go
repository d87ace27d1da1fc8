package xray

import (
	"context"
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
	mux.Handle("/", awsproto.UnknownRESTOperation(contentType))
	return mux
}

// op adapts an operation: the body is decoded into In, the result or the
// error rendered as restJson.
func op[In, Out any](fn func(ctx context.Context, in *In) (*Out, error)) http.Handler {
	return awsproto.RESTJSONHandler(contentType, func(r *http.Request) (any, int, error) {
		in := new(In)
		if err := awsproto.DecodeJSONBody(r, in, notJSON); err != nil {
			return nil, 0, err
		}
		out, err := fn(r.Context(), in)
		return out, http.StatusOK, err
	})
}

// notJSON answers a request body that does not parse.
func notJSON(err error) error { return invalidRequest("Could not parse request body: %v", err) }

// invalidRequest is X-Ray's client error (API reference, Common Errors:
// InvalidRequestException, HTTP 400).
func invalidRequest(format string, args ...any) error {
	return awsproto.Errorf("InvalidRequestException", http.StatusBadRequest, format, args...)
}

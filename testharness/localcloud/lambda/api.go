package lambda

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Route returns the gateway route of the restJson Lambda API.
func (s *Service) Route() gateway.Route {
	return gateway.Route{
		Service:      "lambda",
		SigningNames: []string{"lambda"},
		PathPrefixes: []string{"/2015-03-31/functions", "/2019-09-25/functions", "/2017-03-31/tags"},
		Auth:         sigv4.RESTJSON,
		Handler:      s.routes(),
	}
}

// routes lists every operation the local Lambda API serves.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	const fns = "/2015-03-31/functions"
	mux.HandleFunc("POST "+fns+"/{name}/invocations", s.invokeHTTP)
	mux.Handle("GET "+fns+"/{$}", op(s.listFunctions))
	mux.Handle("GET "+fns+"/{name}", op(s.getFunction))
	mux.Handle("GET "+fns+"/{name}/configuration", op(s.getFunctionConfiguration))
	mux.Handle("DELETE "+fns+"/{name}", op(s.deleteFunctionHTTP))
	mux.Handle("POST "+fns+"/{name}/policy", op(s.addPermissionHTTP))
	mux.Handle("GET "+fns+"/{name}/policy", op(s.getPolicy))
	mux.Handle("DELETE "+fns+"/{name}/policy/{sid}", op(s.removePermissionHTTP))
	const eic = "/2019-09-25/functions/{name}/event-invoke-config"
	mux.Handle("PUT "+eic, op(s.putEventInvokeConfigHTTP))
	mux.Handle("GET "+eic, op(s.getEventInvokeConfig))
	mux.Handle("DELETE "+eic, op(s.deleteEventInvokeConfigHTTP))
	mux.Handle("GET /2017-03-31/tags/{arn}", op(s.listTags))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		awsproto.WriteJSONError(r.Context(), w, contentType, awsproto.Errorf("UnknownOperationException",
			http.StatusNotFound, "Unknown operation %s %s", r.Method, r.URL.Path))
	})
	return mux
}

const contentType = "application/json"

// op adapts an operation that returns (value, error): the value is
// rendered as JSON (204 when nil), the error in Lambda's restJson shape.
func op(fn func(r *http.Request) (any, int, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v, status, err := fn(r)
		if err != nil {
			awsproto.WriteJSONError(ctx, w, contentType, err)
			return
		}
		if v == nil {
			w.Header().Set("X-Amzn-Requestid", awsproto.RequestID(ctx))
			w.WriteHeader(status)
			return
		}
		awsproto.WriteJSON(ctx, w, contentType, status, v)
	})
}

// decodeBody reads a JSON request body into v.
func decodeBody(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, awsproto.MaxBodyBytes))
	if err != nil {
		return awsproto.SerializationError("reading request body: %v", err)
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return userError("InvalidRequestContentException", http.StatusBadRequest, "Could not parse request body into json: %v", err)
	}
	return nil
}

package lambda

import (
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
		PathPrefixes: []string{"/2015-03-31/functions", "/2015-03-31/event-source-mappings", "/2019-09-25/functions", "/2017-03-31/tags"},
		Auth:         sigv4.RESTJSON,
		// A CreateFunction or UpdateFunctionCode request may carry a zip.
		MaxBodyBytes: maxCodeRequestBytes,
		Handler:      s.routes(),
	}
}

// routes lists every operation the local Lambda API serves.
func (s *Service) routes() http.Handler {
	mux := http.NewServeMux()
	op := func(fn awsproto.RESTOperation) http.Handler { return awsproto.RESTJSONHandler(contentType, fn) }
	const fns = "/2015-03-31/functions"
	mux.HandleFunc("POST "+fns+"/{name}/invocations", s.invokeHTTP)
	// The SDKs' models name "/2015-03-31/functions/"; some clients (the
	// AWS CLI v1, boto3) arrive without the slash: both are served, not
	// redirected.
	mux.Handle("GET "+fns+"/{$}", op(s.listFunctions))
	mux.Handle("GET "+fns, op(s.listFunctions))
	// No event source mappings exist locally (DynamoDB streams reach
	// Lambda through Pipes), so their list is always empty.
	mux.Handle("GET /2015-03-31/event-source-mappings/{$}", op(listEventSourceMappings))
	mux.Handle("GET /2015-03-31/event-source-mappings", op(listEventSourceMappings))
	mux.Handle("POST "+fns, op(s.createFunctionHTTP))
	mux.Handle("PUT "+fns+"/{name}/code", op(s.updateFunctionCodeHTTP))
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
	mux.Handle("/", awsproto.UnknownRESTOperation(contentType))
	return mux
}

const contentType = "application/json"

// listEventSourceMappings answers ListEventSourceMappings: an empty page.
func listEventSourceMappings(*http.Request) (any, int, error) {
	return map[string]any{"EventSourceMappings": []any{}}, http.StatusOK, nil
}

// notJSON answers a request body that does not parse, as Lambda does.
func notJSON(err error) error {
	return userError("InvalidRequestContentException", http.StatusBadRequest, "Could not parse request body into json: %v", err)
}

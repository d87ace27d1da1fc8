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
	// Event source mappings, with and without the trailing slash the
	// older SDK models name.
	const esm = "/2015-03-31/event-source-mappings"
	mux.Handle("GET "+esm+"/{$}", op(s.listEventSourceMappingsHTTP))
	mux.Handle("GET "+esm, op(s.listEventSourceMappingsHTTP))
	mux.Handle("POST "+esm+"/{$}", op(s.createEventSourceMappingHTTP))
	mux.Handle("POST "+esm, op(s.createEventSourceMappingHTTP))
	mux.Handle("GET "+esm+"/{uuid}", op(s.getEventSourceMappingHTTP))
	mux.Handle("PUT "+esm+"/{uuid}", op(s.updateEventSourceMappingHTTP))
	mux.Handle("DELETE "+esm+"/{uuid}", op(s.deleteEventSourceMappingHTTP))
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

// notJSON answers a request body that does not parse, as Lambda does.
func notJSON(err error) error {
	return userError("InvalidRequestContentException", http.StatusBadRequest, "Could not parse request body into json: %v", err)
}

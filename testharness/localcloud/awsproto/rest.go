package awsproto

import (
	"encoding/json"
	"net/http"
)

// RESTOperation is one operation of a restJson service: it returns the
// value to render as the response body and the HTTP status to answer with.
type RESTOperation func(r *http.Request) (v any, status int, err error)

// RESTJSONHandler adapts a restJson operation: its value is rendered as
// JSON with its status, a nil value as an empty body with its status (the
// 202s and 204s of the restJson APIs), and its error in the restJson error
// shape.
func RESTJSONHandler(contentType string, fn RESTOperation) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v, status, err := fn(r)
		if err != nil {
			WriteJSONError(ctx, w, contentType, err)
			return
		}
		if v == nil {
			w.Header().Set("X-Amzn-Requestid", RequestID(ctx))
			w.WriteHeader(status)
			return
		}
		WriteJSON(ctx, w, contentType, status, v)
	})
}

// UnknownRESTOperation answers a restJson request that no route of the
// service matches, as an UnknownOperationException.
func UnknownRESTOperation(contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSONError(r.Context(), w, contentType, Errorf("UnknownOperationException",
			http.StatusNotFound, "Unknown operation %s %s", r.Method, r.URL.Path))
	})
}

// DecodeJSONBody reads a restJson request's JSON body into v; an empty body
// leaves v as it is. A body that cannot be read is a SerializationException.
// A body that is not JSON (or not v's shape) is answered with notJSON(err),
// the error the service gives for it, or a SerializationException when
// notJSON is nil.
func DecodeJSONBody(r *http.Request, v any, notJSON func(error) error) error {
	body, err := ReadBody(r.Body, MaxBodyBytes)
	if err != nil {
		return SerializationError("reading request body: %v", err)
	}
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		if notJSON != nil {
			return notJSON(err)
		}
		return SerializationError("%s", describeJSONError(err))
	}
	return nil
}

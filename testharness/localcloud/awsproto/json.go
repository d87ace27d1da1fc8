package awsproto

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// MaxBodyBytes bounds what a local service reads of a request body. It is
// above every AWS payload limit the emulated services have.
const MaxBodyBytes = 64 << 20

// JSONOperation is one operation of an awsJson service: it gets the raw
// request body and returns the value to encode as the response.
type JSONOperation func(ctx context.Context, body []byte) (any, error)

// JSONService serves an awsJson1.0 or awsJson1.1 protocol service: the
// operation comes from X-Amz-Target "Prefix.Operation".
type JSONService struct {
	// TargetPrefix is the part of X-Amz-Target before the dot, such as
	// "AWSEvents" or "DynamoDB_20120810".
	TargetPrefix string
	// ContentType is "application/x-amz-json-1.0" or "…-1.1".
	ContentType string
	Operations  map[string]JSONOperation
}

// JSONOp adapts a typed operation: the body is decoded into In, and a body
// that does not decode is answered with a SerializationException.
func JSONOp[In any, Out any](fn func(ctx context.Context, in *In) (*Out, error)) JSONOperation {
	return func(ctx context.Context, body []byte) (any, error) {
		in := new(In)
		if len(bytes.TrimSpace(body)) > 0 {
			dec := json.NewDecoder(bytes.NewReader(body))
			dec.UseNumber()
			if err := dec.Decode(in); err != nil {
				return nil, SerializationError("%s", describeJSONError(err))
			}
		}
		return fn(ctx, in)
	}
}

func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("Unexpected value for field %s: expected %s", typeErr.Field, typeErr.Type)
	}
	return "Invalid JSON: " + err.Error()
}

func (s *JSONService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	target := r.Header.Get("X-Amz-Target")
	name, found := strings.CutPrefix(target, s.TargetPrefix+".")
	op := s.Operations[name]
	if !found || op == nil {
		WriteJSONError(ctx, w, s.ContentType, Errorf("UnknownOperationException", http.StatusBadRequest,
			"Operation %s is not supported by this service.", target))
		return
	}
	body, err := ReadBody(r.Body, MaxBodyBytes)
	if err != nil {
		WriteJSONError(ctx, w, s.ContentType, SerializationError("reading request body: %v", err))
		return
	}
	out, err := op(ctx, body)
	if err != nil {
		WriteJSONError(ctx, w, s.ContentType, err)
		return
	}
	WriteJSON(ctx, w, s.ContentType, http.StatusOK, out)
}

// WriteJSON renders a JSON result with the request id header.
func WriteJSON(ctx context.Context, w http.ResponseWriter, contentType string, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		WriteJSONError(ctx, w, contentType, InternalError(fmt.Errorf("encode response: %w", err)))
		return
	}
	if v == nil {
		body = []byte("{}")
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Requestid", RequestID(ctx))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// WriteJSONError renders an error as awsJson and restJson services do: the
// code in X-Amzn-ErrorType and in __type, the message in "message".
func WriteJSONError(ctx context.Context, w http.ResponseWriter, contentType string, err error) {
	e := AsError(err)
	body := map[string]any{"__type": e.Code, "message": e.Message}
	for k, v := range e.Fields {
		body[k] = v
	}
	if e.QueryCode != "" {
		fault := "Sender"
		if !e.IsClientError() {
			fault = "Receiver"
		}
		w.Header().Set("X-Amzn-Query-Error", e.QueryCode+";"+fault)
	}
	encoded, _ := json.Marshal(body)
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-Errortype", e.Code)
	w.Header().Set("X-Amzn-Requestid", RequestID(ctx))
	w.WriteHeader(e.Status)
	_, _ = w.Write(encoded)
}

// Epoch renders a time as the awsJson protocols' timestamps: seconds since
// the epoch with a fraction, 0 for the zero time (a member not set).
func Epoch(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

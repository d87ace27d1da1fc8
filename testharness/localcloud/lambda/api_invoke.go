package lambda

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// invokeHTTP serves Invoke
// (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html):
// RequestResponse answers 200 with the function's payload (and
// X-Amz-Function-Error when it failed), Event answers 202 once the event
// is queued, DryRun answers 204.
func (s *Service) invokeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	res, status, err := s.invokeRequest(r)
	if err != nil {
		awsproto.WriteJSONError(ctx, w, contentType, err)
		return
	}
	h := w.Header()
	h.Set("X-Amzn-Requestid", awsproto.RequestID(ctx))
	if status != http.StatusOK {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("X-Amz-Executed-Version", res.ExecutedVersion)
	if res.FunctionError != "" {
		h.Set("X-Amz-Function-Error", res.FunctionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		h.Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString([]byte(res.LogTail)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(res.Payload)
}

func (s *Service) invokeRequest(r *http.Request) (Result, int, error) {
	fn, err := s.lookup(r.PathValue("name"), r.URL.Query().Get("Qualifier"))
	if err != nil {
		return Result{}, 0, err
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, maxSyncPayload+1))
	if err != nil {
		return Result{}, 0, awsproto.SerializationError("reading payload: %v", err)
	}
	opts := InvokeOptions{TraceHeader: r.Header.Get("X-Amzn-Trace-Id")}
	if cc := r.Header.Get("X-Amz-Client-Context"); cc != "" {
		decoded, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			return Result{}, 0, invalidParameter("Client context must be a valid Base64-encoded JSON object.")
		}
		opts.ClientContext = string(decoded)
	}
	switch t := r.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
		if err := checkPayload(payload, maxSyncPayload, "Invoke"); err != nil {
			return Result{}, 0, err
		}
		res, err := s.run(r.Context(), fn, invocationRequest{payload: payload, InvokeOptions: opts}, false)
		return res, http.StatusOK, err
	case "Event":
		if err := checkPayload(payload, maxAsyncPayload, "InvokeAsync"); err != nil {
			return Result{}, 0, err
		}
		if err := s.asyncInvokeFault(r.Context(), fn, opts.TraceHeader); err != nil {
			return Result{}, 0, err
		}
		s.enqueue(r.Context(), fn, awsproto.RequestID(r.Context()), payload, opts.TraceHeader)
		return Result{}, http.StatusAccepted, nil
	case "DryRun":
		return Result{}, http.StatusNoContent, nil
	default:
		return Result{}, 0, invalidParameter("%s", fmt.Sprintf(
			"1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", t))
	}
}

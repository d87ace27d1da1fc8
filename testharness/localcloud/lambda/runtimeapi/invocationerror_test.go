package runtimeapi

import (
	"net/http"
	"testing"
)

func TestInvocationErrorTypeFromBody(t *testing.T) {
	s := listen(t)
	inv := NewInvocation("req-1", []byte(`{}`))
	startInvocation(t, s, inv)
	errBody := `{"errorMessage":"boom","errorType":"errorString","stackTrace":[]}`
	status, _, _ := call(t, s, "POST", "/invocation/req-1/error", errBody, nil)
	if status != http.StatusAccepted {
		t.Fatalf("status = %d", status)
	}
	if o := waitOutcome(t, inv); o.ErrorType != "errorString" || string(o.Payload) != errBody {
		t.Fatalf("outcome = %+v", o)
	}
}

func TestInvocationErrorTypeFromHeaderWhenBodyIsNotJSON(t *testing.T) {
	s := listen(t)
	inv := NewInvocation("req-1", []byte(`{}`))
	startInvocation(t, s, inv)
	h := http.Header{"Lambda-Runtime-Function-Error-Type": {"Custom.Failure"}}
	call(t, s, "POST", "/invocation/req-1/error", "plain text", h)
	o := waitOutcome(t, inv)
	if o.ErrorType != "Custom.Failure" || errorTypeOf(t, o.Payload) != "Custom.Failure" {
		t.Fatalf("outcome = %+v %s", o, o.Payload)
	}
}

func TestInvocationErrorForUnknownRequestID(t *testing.T) {
	s := listen(t)
	startInvocation(t, s, NewInvocation("req-1", []byte(`{}`)))
	status, _, body := call(t, s, "POST", "/invocation/nope/error", `{}`, nil)
	if status != http.StatusBadRequest || errorTypeOf(t, body) != "InvalidRequestID" {
		t.Fatalf("= %d %s", status, body)
	}
}

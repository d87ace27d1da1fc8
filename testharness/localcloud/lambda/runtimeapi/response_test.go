package runtimeapi

import (
	"net/http"
	"strings"
	"testing"
)

func TestResponseDeliversPayload(t *testing.T) {
	s := listen(t)
	inv := NewInvocation("req-1", []byte(`{}`))
	startInvocation(t, s, inv)
	status, _, body := call(t, s, "POST", "/invocation/req-1/response", `{"ok":true}`, nil)
	if status != http.StatusAccepted {
		t.Fatalf("response = %d %s", status, body)
	}
	if o := waitOutcome(t, inv); string(o.Payload) != `{"ok":true}` || o.ErrorType != "" {
		t.Fatalf("outcome = %+v", o)
	}
}

func TestResponseChecksStateAndRequestID(t *testing.T) {
	s := listen(t)
	status, _, body := call(t, s, "POST", "/invocation/req-1/response", `{}`, nil)
	if status != http.StatusForbidden || errorTypeOf(t, body) != "InvalidStateTransition" {
		t.Fatalf("response before next = %d %s", status, body)
	}
	inv := NewInvocation("req-1", []byte(`{}`))
	startInvocation(t, s, inv)
	status, _, body = call(t, s, "POST", "/invocation/other/response", `{}`, nil)
	if status != http.StatusBadRequest || errorTypeOf(t, body) != "InvalidRequestID" {
		t.Fatalf("response for unknown id = %d %s", status, body)
	}
	call(t, s, "POST", "/invocation/req-1/response", `{}`, nil)
	status, _, body = call(t, s, "POST", "/invocation/req-1/response", `{}`, nil)
	if status != http.StatusForbidden || errorTypeOf(t, body) != "InvalidStateTransition" {
		t.Fatalf("second response = %d %s", status, body)
	}
}

func TestResponseTooLarge(t *testing.T) {
	s := listen(t)
	inv := NewInvocation("req-1", []byte(`{}`))
	startInvocation(t, s, inv)
	status, _, _ := call(t, s, "POST", "/invocation/req-1/response", `"`+strings.Repeat("x", MaxResponseBytes)+`"`, nil)
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d", status)
	}
	if o := waitOutcome(t, inv); o.ErrorType != "Function.ResponseSizeTooLarge" {
		t.Fatalf("outcome = %+v", o)
	}
}

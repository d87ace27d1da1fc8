package runtimeapi

import (
	"net/http"
	"testing"
)

func TestNextEndsInitAndCarriesInvocationHeaders(t *testing.T) {
	s := listen(t)
	inv := NewInvocation("req-1", []byte(`{"a":1}`))
	inv.DeadlineMs = 1700000000123
	inv.InvokedFunctionARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
	inv.TraceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	inv.ClientContext = `{"custom":{"k":"v"}}`
	h := startInvocation(t, s, inv)
	select {
	case <-s.Waiting():
	default:
		t.Fatal("first next did not signal the end of init")
	}
	want := map[string]string{
		"Lambda-Runtime-Aws-Request-Id":       "req-1",
		"Lambda-Runtime-Deadline-Ms":          "1700000000123",
		"Lambda-Runtime-Invoked-Function-Arn": inv.InvokedFunctionARN,
		"Lambda-Runtime-Trace-Id":             inv.TraceID,
		"Lambda-Runtime-Client-Context":       inv.ClientContext,
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if h.Get("Lambda-Runtime-Cognito-Identity") != "" {
		t.Error("unset cognito identity was sent")
	}
}

func TestNextDuringInvocationIsInvalidTransition(t *testing.T) {
	s := listen(t)
	startInvocation(t, s, NewInvocation("req-1", []byte(`{}`)))
	status, _, body := call(t, s, "GET", "/invocation/next", "", nil)
	if status != http.StatusForbidden || errorTypeOf(t, body) != "InvalidStateTransition" {
		t.Fatalf("next while invoking = %d %s", status, body)
	}
}

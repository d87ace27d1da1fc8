package runtimeapi

import (
	"net/http"
	"testing"
)

func TestInitErrorBeforeFirstNext(t *testing.T) {
	s := listen(t)
	status, _, _ := call(t, s, "POST", "/init/error", `{"errorMessage":"no config","errorType":"Config.Missing"}`, nil)
	if status != http.StatusAccepted {
		t.Fatalf("status = %d", status)
	}
	o := <-s.InitError()
	if o.ErrorType != "Config.Missing" {
		t.Fatalf("outcome = %+v", o)
	}
	status, _, body := call(t, s, "GET", "/invocation/next", "", nil)
	if status != http.StatusForbidden || errorTypeOf(t, body) != "InvalidStateTransition" {
		t.Fatalf("next after init error = %d %s", status, body)
	}
}

func TestInitErrorAfterInitIsInvalidTransition(t *testing.T) {
	s := listen(t)
	startInvocation(t, s, NewInvocation("req-1", []byte(`{}`)))
	status, _, body := call(t, s, "POST", "/init/error", `{}`, nil)
	if status != http.StatusForbidden || errorTypeOf(t, body) != "InvalidStateTransition" {
		t.Fatalf("= %d %s", status, body)
	}
}

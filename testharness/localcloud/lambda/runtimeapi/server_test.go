package runtimeapi

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// listen starts a server that the test closes.
func listen(t *testing.T) *Server {
	t.Helper()
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// call makes a runtime-side request and returns its status and body.
func call(t *testing.T, s *Server, method, path, body string, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+s.Addr()+"/"+Version+"/runtime"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

// startInvocation dispatches inv and takes it with /invocation/next, so the
// runtime is in the Invoke state.
func startInvocation(t *testing.T, s *Server, inv *Invocation) http.Header {
	t.Helper()
	s.Dispatch(inv)
	status, h, body := call(t, s, "GET", "/invocation/next", "", nil)
	if status != http.StatusOK || string(body) != string(inv.Payload) {
		t.Fatalf("next = %d %s", status, body)
	}
	return h
}

func waitOutcome(t *testing.T, inv *Invocation) Outcome {
	t.Helper()
	select {
	case o := <-inv.Done():
		return o
	case <-time.After(5 * time.Second):
		t.Fatal("no outcome")
		return Outcome{}
	}
}

func errorTypeOf(t *testing.T, body []byte) string {
	t.Helper()
	var e errorResponse
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body %s: %v", body, err)
	}
	return e.ErrorType
}

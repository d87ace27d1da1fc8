package cfnresponse

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/cfn"
)

func request(url string) cfn.Event {
	return cfn.Event{RequestType: cfn.RequestCreate, RequestID: "req-1", ResponseURL: url, LogicalResourceID: "TestRun",
		StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/app/1", ResourceType: "Custom::TestRun"}
}

// recorder is a response URL that keeps what was PUT to it.
func recorder(t *testing.T) (*httptest.Server, chan *http.Request, chan []byte) {
	reqs, bodies := make(chan *http.Request, 1), make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		reqs <- r
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	return srv, reqs, bodies
}

func TestSendPutsTheResponseDocument(t *testing.T) {
	srv, reqs, bodies := recorder(t)
	err := Send(context.Background(), srv.Client(), request(srv.URL+"/resp?sig=1"), Response{Status: cfn.StatusFailed, Reason: "2 tests failed"})
	if err != nil {
		t.Fatal(err)
	}
	r, body := <-reqs, <-bodies
	if r.Method != http.MethodPut || r.URL.RawQuery != "sig=1" || r.Header.Get("Content-Type") != "" {
		t.Errorf("request = %s %s, Content-Type %q", r.Method, r.URL, r.Header.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"Status": "FAILED", "RequestId": "req-1", "LogicalResourceId": "TestRun",
		"StackId": "arn:aws:cloudformation:us-east-1:000000000000:stack/app/1", "PhysicalResourceId": "TestRun", "Reason": "2 tests failed"}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("%s = %v, want %v", k, doc[k], v)
		}
	}
}

func TestLongReasonsAreCutToTheLimit(t *testing.T) {
	for name, reason := range map[string]string{
		"ascii":   strings.Repeat("x", 10000),
		"escaped": strings.Repeat(`"<>&`, 3000), // each escapes to several bytes
		"utf8":    strings.Repeat("ü€", 3000),
	} {
		body, err := Body(request("http://x"), Response{Status: cfn.StatusFailed, Reason: reason, Data: map[string]any{"Failed": 1}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(body) > MaxBodyBytes {
			t.Errorf("%s: body is %d bytes", name, len(body))
		}
		var doc cfn.Response
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.HasSuffix(doc.Reason, truncated) || len(body) < MaxBodyBytes-64 || !strings.HasPrefix(reason, strings.TrimSuffix(doc.Reason, truncated)) {
			t.Errorf("%s: reason not cut to the limit (%d bytes body): %.60q…", name, len(body), doc.Reason)
		}
	}
}

func TestSendReportsARejectedResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "SignatureDoesNotMatch", http.StatusForbidden)
	}))
	defer srv.Close()
	err := Send(context.Background(), srv.Client(), request(srv.URL), Response{Status: cfn.StatusSuccess})
	if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Fatalf("err = %v, want HTTP 403", err)
	}
	if err := Send(context.Background(), nil, request(""), Response{Status: cfn.StatusSuccess}); err == nil {
		t.Fatal("a request without ResponseURL was answered")
	}
}

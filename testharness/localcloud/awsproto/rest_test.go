package awsproto

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDecodeJSONBody(t *testing.T) {
	var v struct{ A int }
	v.A = 7
	if err := DecodeJSONBody(httptest.NewRequest("POST", "/", nil), &v, nil); err != nil || v.A != 7 {
		t.Fatalf("empty body: %+v, %v", v, err)
	}
	if err := DecodeJSONBody(httptest.NewRequest("POST", "/", strings.NewReader(`{"A":2}`)), &v, nil); err != nil || v.A != 2 {
		t.Fatalf("body: %+v, %v", v, err)
	}
	err := DecodeJSONBody(httptest.NewRequest("POST", "/", strings.NewReader(`{`)), &v, nil)
	if e := AsError(err); e.Code != "SerializationException" || e.Status != http.StatusBadRequest {
		t.Fatalf("not JSON without notJSON: %v", err)
	}
	mine := errors.New("mine")
	err = DecodeJSONBody(httptest.NewRequest("POST", "/", strings.NewReader(`{`)), &v, func(error) error { return mine })
	if err != mine {
		t.Fatalf("not JSON with notJSON: %v", err)
	}
}

func TestRESTJSONHandler(t *testing.T) {
	for _, c := range []struct {
		v      any
		status int
		err    error
		code   int
		body   string
	}{
		{map[string]int{"A": 1}, http.StatusCreated, nil, http.StatusCreated, `{"A":1}`},
		{nil, http.StatusNoContent, nil, http.StatusNoContent, ``},
		{nil, 0, Errorf("NotFound", http.StatusNotFound, "gone"), http.StatusNotFound, `{"__type":"NotFound","message":"gone"}`},
	} {
		h := RESTJSONHandler("application/json", func(*http.Request) (any, int, error) { return c.v, c.status, c.err })
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		if rec.Code != c.code || rec.Body.String() != c.body || rec.Header().Get("X-Amzn-Requestid") == "" {
			t.Errorf("got %d %q (request id %q), want %d %q", rec.Code, rec.Body, rec.Header().Get("X-Amzn-Requestid"), c.code, c.body)
		}
	}
}

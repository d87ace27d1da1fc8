// Package fakeaws is a minimal in-process stand-in for the three AWS APIs
// the handlers call, for their tests: S3 (GetObject with Range, CopyObject;
// REST-XML, path-style), EventBridge PutEvents and CloudWatch Logs
// CreateLogStream/PutLogEvents (JSON 1.1). Tests drive the real
// aws-sdk-go-v2 clients against it (see Config) and inspect what arrived.
//
// Differences from AWS, on purpose: no authentication, one account and
// region, only the operations above (others get 501 NotImplemented), S3
// ETags are MD5s of the stored bytes (a lazily generated object's ETag is
// derived from its prefix and size), and CloudWatch Logs accepts any
// timestamp (rejections are injected with RejectNextLogEvents). These tests
// move onto the project's local cloud once it exists.
package fakeaws

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Server is the fake. All state is guarded by mu.
type Server struct {
	srv *httptest.Server

	mu          sync.Mutex
	objects     map[string]*object // "bucket/key"
	bytesServed int64
	requests    []Request
	faults      map[string][]Fault
	hooks       map[string][]func()
	events      []Event
	failEntries int
	logGroups   map[string]map[string][]LogEvent // group → stream → events
	logCalls    [][]LogEvent
	reject      *RejectedLogEvents
}

// Request records one API call: its operation name and S3 bucket/key.
type Request struct {
	Op     string
	Bucket string
	Key    string
	Header http.Header
}

// Fault is an error the next call of an operation answers with.
type Fault struct {
	Status  int
	Code    string
	Message string
}

// New starts a fake and stops it when the test ends.
func New(t testing.TB) *Server {
	s := &Server{
		objects:   map[string]*object{},
		faults:    map[string][]Fault{},
		hooks:     map[string][]func(){},
		logGroups: map[string]map[string][]LogEvent{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.route))
	t.Cleanup(s.srv.Close)
	return s
}

// URL is the endpoint to give the SDK clients.
func (s *Server) URL() string { return s.srv.URL }

// Config is an aws.Config for this fake: static test credentials, us-east-1,
// the fake as base endpoint, and no SDK retries so that each fault reaches
// the code under test exactly once. S3 clients also need UsePathStyle.
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(s.srv.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// FailNext makes the next call of op (e.g. "GetObject", "PutEvents") fail.
func (s *Server) FailNext(op string, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], f)
}

// BeforeNext runs fn (without the lock held) before the next call of op is
// handled, e.g. to overwrite an object between a read and a copy.
func (s *Server) BeforeNext(op string, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[op] = append(s.hooks[op], fn)
}

// Requests returns the calls received so far, optionally only those of op.
func (s *Server) Requests(op string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if op == "" || r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op := target[strings.LastIndex(target, ".")+1:]
		if !s.begin(w, r, op, "", "", jsonError) {
			return
		}
		switch target {
		case "AWSEvents.PutEvents":
			s.putEvents(w, r)
		case "Logs_20140328.CreateLogStream":
			s.createLogStream(w, r)
		case "Logs_20140328.PutLogEvents":
			s.putLogEvents(w, r)
		default:
			jsonError(w, Fault{http.StatusNotImplemented, "NotImplemented", "fakeaws does not implement " + target})
		}
		return
	}
	s.routeS3(w, r)
}

// begin records the call, runs a pending hook and answers a pending fault.
// It reports whether the operation should proceed.
func (s *Server) begin(w http.ResponseWriter, r *http.Request, op, bucket, key string, render func(http.ResponseWriter, Fault)) bool {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Op: op, Bucket: bucket, Key: key, Header: r.Header.Clone()})
	var hook func()
	if h := s.hooks[op]; len(h) > 0 {
		hook, s.hooks[op] = h[0], h[1:]
	}
	s.mu.Unlock()
	if hook != nil {
		hook()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.faults[op]; len(f) > 0 {
		s.faults[op] = f[1:]
		render(w, f[0])
		return false
	}
	return true
}

// jsonError renders an AWS JSON 1.1 error.
func jsonError(w http.ResponseWriter, f Fault) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", f.Code)
	w.WriteHeader(f.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": f.Message})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(v)
}

func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		jsonError(w, Fault{http.StatusBadRequest, "SerializationException", fmt.Sprintf("bad request body: %v", err)})
		return false
	}
	return true
}

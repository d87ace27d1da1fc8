// Package runtimeapi is the platform side of the Lambda Runtime API
// (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html) for one
// function process: the runtime inside the process long-polls for the next
// invocation and posts its response, its error or an init error; the
// platform hands invocations in with Dispatch and reads their outcome.
//
// As in aws-lambda-runtime-interface-emulator, the listener is bound before
// the process starts (port 0 lets the OS pick), every route is listed in one
// router, and each endpoint checks the runtime's state machine before it
// acts, answering out-of-order calls as the emulator does.
package runtimeapi

import (
	"fmt"
	"net"
	"net/http"
	"sync"
)

// Version is the Runtime API's path version.
const Version = "2018-06-01"

// MaxResponseBytes is Lambda's synchronous response payload limit (6 MB).
const MaxResponseBytes = 6 * 1024 * 1024

// Invocation is one event handed to the runtime.
type Invocation struct {
	RequestID          string
	Payload            []byte
	DeadlineMs         int64
	InvokedFunctionARN string
	TraceID            string
	ClientContext      string
	CognitoIdentity    string

	done  chan Outcome
	taken chan struct{}
}

// NewInvocation returns an invocation ready to Dispatch.
func NewInvocation(requestID string, payload []byte) *Invocation {
	return &Invocation{RequestID: requestID, Payload: payload, done: make(chan Outcome, 1), taken: make(chan struct{})}
}

// Taken is closed once the runtime has received the invocation from
// /invocation/next: from then on the function is running it.
func (inv *Invocation) Taken() <-chan struct{} { return inv.taken }

// Done delivers the invocation's outcome once the runtime has posted it.
func (inv *Invocation) Done() <-chan Outcome { return inv.done }

// Outcome is what the runtime answered: a response payload, or an error
// body ({errorMessage, errorType, stackTrace}) with its type.
type Outcome struct {
	Payload []byte
	// ErrorType is set when the runtime posted to /error: the body's
	// errorType, else the Lambda-Runtime-Function-Error-Type header.
	ErrorType string
}

// Server serves the Runtime API of one process.
type Server struct {
	ln      net.Listener
	srv     *http.Server
	pending chan *Invocation
	waiting chan struct{}
	initErr chan Outcome
	closed  chan struct{}

	mu        sync.Mutex
	state     state
	current   *Invocation
	closeOnce sync.Once
}

// Listen binds the Runtime API on 127.0.0.1 at a port the OS picks and
// starts serving it, so the address exists before the process does.
func Listen() (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("runtime API listener: %w", err)
	}
	s := &Server{
		ln:      ln,
		pending: make(chan *Invocation, 1),
		waiting: make(chan struct{}, 1),
		initErr: make(chan Outcome, 1),
		closed:  make(chan struct{}),
		state:   stateStarted,
	}
	s.srv = &http.Server{Handler: s.router()}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// Addr is the host:port to give the process as AWS_LAMBDA_RUNTIME_API.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Waiting signals each time the runtime calls /invocation/next: the first
// call ends its init phase, each later one completes the previous
// invocation and makes the process free for the next. A runtime that exits
// instead (after a panic, say) never signals.
func (s *Server) Waiting() <-chan struct{} { return s.waiting }

// InitError delivers the body the runtime posted to /init/error.
func (s *Server) InitError() <-chan Outcome { return s.initErr }

// Dispatch queues inv for the runtime's next call to /invocation/next. The
// platform dispatches one invocation at a time per process.
func (s *Server) Dispatch(inv *Invocation) { s.pending <- inv }

// Close stops the listener and ends pending long polls.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.closed)
		err = s.srv.Close()
	})
	return err
}

func (s *Server) router() http.Handler {
	mux := http.NewServeMux()
	const p = "/" + Version + "/runtime"
	mux.HandleFunc("GET "+p+"/invocation/next", s.next)
	mux.HandleFunc("POST "+p+"/invocation/{id}/response", s.response)
	mux.HandleFunc("POST "+p+"/invocation/{id}/error", s.invocationError)
	mux.HandleFunc("POST "+p+"/init/error", s.initError)
	return mux
}

package localcloud

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
)

// ControlPathPrefix is the reserved path of the local cloud's own API on
// the gateway: no AWS service uses it, and its requests are not signed.
const ControlPathPrefix = "/_tracebridge/"

// SettledPath answers once the cloud has settled (see WaitSettled):
//
//	GET /_tracebridge/settled?until=<RFC 3339 time>&ignore=<owner>…
//
// It answers 200 with {"settled": true} as soon as nothing is in progress
// and no timer is due before until, ignoring the work of the given owners
// (an execution ARN: the caller's own state machine execution), or with
// {"settled": false, "pending": [...]} when until passes first. An absent
// until waits for every timer.
const SettledPath = ControlPathPrefix + "settled"

// The same path, POSTed, asks the cloud to call back instead of holding a
// request open (a function that waits would hold one of its function's
// processes all the while):
//
//	POST /_tracebridge/settled {"until": …, "ignore": […], "functionName": …, "payload": {…}}
//
// answers 202 at once; once the cloud has settled for until and ignore, it
// invokes the function with the payload (InvocationType Event, as the
// cloud itself: no resource policy is consulted). When until passes first,
// nothing is invoked.

// notifyRequest is the body of a POST to SettledPath.
type notifyRequest struct {
	Until        time.Time       `json:"until"`
	Ignore       []string        `json:"ignore"`
	FunctionName string          `json:"functionName"`
	Payload      json.RawMessage `json:"payload"`
}

// settledResponse is SettledPath's answer.
type settledResponse struct {
	Settled bool     `json:"settled"`
	Pending []string `json:"pending,omitempty"`
}

// WaitSettled blocks until the cloud has settled — no request being
// served, no invocation running, no event, stream record or delivery
// waiting, and no retry or timer due before until (zero: any timer) —
// ignoring the work and timers of the owners in ignore (an execution ARN
// owns the execution and what its tasks invoke). Once it returns nil,
// nothing can happen in the cloud before until unless someone outside it
// acts. It returns an *activity.NotSettledError when until passes or ctx
// ends first.
//
// A test that awaits an effect uses it to stop waiting the moment the
// effect can no longer come: act, then wait for the effect or for
// WaitSettled, whichever is first.
func (c *Cloud) WaitSettled(ctx context.Context, until time.Time, ignore ...string) error {
	return c.activity.WaitSettled(ctx, activity.Settle{Until: until, Ignore: ignore})
}

// Pending lists what keeps the cloud busy now (for a person, or a test's
// failure message), ignoring the given owners.
func (c *Cloud) Pending(ignore ...string) []string {
	return c.activity.Pending(activity.Settle{Ignore: ignore})
}

// controlRoute serves the local cloud's own API under ControlPathPrefix.
func (c *Cloud) controlRoute() gateway.Route {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+SettledPath, c.serveSettled)
	mux.HandleFunc("POST "+SettledPath, c.serveSettledNotify)
	c.registerFaultRoutes(mux)
	c.registerConsole(mux)
	return gateway.Route{Service: "tracebridge", PathPrefixes: []string{ControlPathPrefix},
		UnsignedPaths: []string{ControlPathPrefix}, Untracked: true, Handler: mux}
}

func (c *Cloud) serveSettled(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var until time.Time
	if v := q.Get("until"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			writeControlError(w, http.StatusBadRequest, "until: want an RFC 3339 time: "+err.Error())
			return
		}
		until = t
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(c.closing, cancel) // a closing cloud answers its waiters
	defer stop()
	resp := settledResponse{Settled: true}
	var notSettled *activity.NotSettledError
	if errors.As(c.WaitSettled(ctx, until, q["ignore"]...), &notSettled) {
		resp = settledResponse{Pending: notSettled.Pending}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (c *Cloud) serveSettledNotify(w http.ResponseWriter, r *http.Request) {
	var req notifyRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256*1024)).Decode(&req); err != nil {
		writeControlError(w, http.StatusBadRequest, "body: want {until, ignore, functionName, payload}: "+err.Error())
		return
	}
	if req.Until.IsZero() || req.FunctionName == "" {
		writeControlError(w, http.StatusBadRequest, "until and functionName are required")
		return
	}
	if _, err := c.Lambda.FunctionARN(req.FunctionName); err != nil {
		writeControlError(w, http.StatusNotFound, err.Error())
		return
	}
	go func() {
		// The event is queued (work in progress) before the waiter stops
		// counting, so virtual time cannot jump past the settled moment
		// first (to the waiter's own deadline, say).
		_ = c.activity.WhenSettled(c.closing, activity.Settle{Until: req.Until, Ignore: req.Ignore}, func() {
			// A function deleted meanwhile (its stack rolled back) has
			// nobody left to tell.
			err := c.Lambda.InvokeEvent(c.closing, req.FunctionName, req.Payload, "")
			if err != nil && awsproto.AsError(err).Code != "ResourceNotFoundException" {
				c.log.Warn("settled: invoking the waiting function", "function", req.FunctionName, "error", err)
			}
		})
	}()
	w.WriteHeader(http.StatusAccepted)
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

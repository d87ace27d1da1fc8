package gateway

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// FaultInjector may answer a request in its service's place: the local
// cloud's fault injection (package faults). It sees each request once the
// request is admitted — authenticated and authorized, its principal in
// its context — and before the service does.
type FaultInjector interface {
	// Targets tells whether any fault names service; requests of other
	// services pass without their body being read.
	Targets(service string) bool
	// InjectFault may delay r, and returns the error to answer it with
	// (an *awsproto.Error) or nil to let the service serve it. body is
	// the request body, nil for S3, whose body is streamed.
	InjectFault(r *http.Request, service string, body []byte) error
}

// InjectFaults makes g offer each admitted request to f. Call it before
// serving.
func (g *Gateway) InjectFaults(f FaultInjector) { g.faults = f }

// injectFault offers r to the fault injector and tells whether it
// answered r (with an error in the route's protocol).
func (g *Gateway) injectFault(w http.ResponseWriter, r *http.Request, route *Route) bool {
	if g.faults == nil || !g.faults.Targets(route.Service) {
		return false
	}
	var body []byte
	if familyOf(route, r) != sigv4.S3 {
		var err error
		if body, err = readBody(r, route); err != nil {
			writeError(w, r, route, err)
			return true
		}
		r.Body = awsproto.NewHeldBody(body, r.Body)
	}
	if err := g.faults.InjectFault(r, route.Service, body); err != nil {
		writeError(w, r, route, err)
		return true
	}
	return false
}

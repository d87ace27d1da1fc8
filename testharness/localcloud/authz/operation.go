package authz

import "net/http"

// Operation is one IAM question a request asks: an action on a resource.
type Operation struct{ Action, Resource string }

// Operations names what r asks of service as IAM does (the action table
// of each service in this package), for those that name requests by it —
// fault injection matches operations this way. body is the request body
// (nil for S3). A request whose operation cannot be told names none.
func (a *Authorizer) Operations(r *http.Request, service string, body []byte) []Operation {
	m, ok := a.mapping[service]
	if !ok {
		return nil
	}
	targets, err := m(r, body)
	if err != nil {
		return nil
	}
	ops := make([]Operation, len(targets))
	for i, t := range targets {
		ops[i] = Operation{t.action, t.resource}
	}
	return ops
}

// Package gateway is the local cloud's one HTTP endpoint. It tells which
// service a request is for, as AWS's own front doors do — from the SigV4
// signing name, then X-Amz-Target, then the path, then the host — gives the
// request an id and a principal, and hands it to that service.
//
// With Secure, it also does what AWS's front doors do before a service
// sees a request: it verifies the SigV4 signature (security.go) and asks
// an Authorizer whether the principal may do what the request asks.
package gateway

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Route tells the gateway which requests a service handles. A request goes
// to the first route, in this order, whose X-Amz-Target prefix matches, then
// whose signing name matches, then whose path prefix matches, then — for a
// query-protocol request — whose QueryNamespace names the request's API
// Version; requests that match none go to the route marked Fallback (S3,
// whose unsigned and virtual-hosted requests carry no other mark).
type Route struct {
	// Service names the service in errors and logs ("s3", "events").
	Service string
	// SigningNames are the SigV4 service names clients sign with.
	SigningNames []string
	// TargetPrefixes are X-Amz-Target prefixes before the dot
	// ("AWSEvents", "DynamoDBStreams_20120810"). A target match wins over
	// a signing name match, since DynamoDB and DynamoDB Streams share one.
	TargetPrefixes []string
	// PathPrefixes route unsigned requests by path ("/2015-03-31/functions").
	PathPrefixes []string
	// Fallback marks the route for requests nothing else claims.
	Fallback bool
	// Auth is the protocol family the service's requests are verified as,
	// which decides the shape of authentication and authorization errors
	// (sigv4.S3, Query, JSON, RESTJSON). A JSON route's requests without
	// X-Amz-Target (SQS's query mode) are answered in the query shape.
	Auth sigv4.Family
	// QueryNamespace is the xmlns of the service's query-protocol errors.
	// Its last segment is the API version ("…/doc/2011-06-15/"), which
	// routes query requests that carry no other mark (unsigned ones).
	QueryNamespace string
	// MaxBodyBytes bounds the bodies the gateway reads for the route;
	// DefaultMaxBodyBytes when 0. S3's bodies are streamed to the service,
	// which bounds them itself.
	MaxBodyBytes int64
	// UnsignedPaths are path prefixes served without authentication: local
	// stand-ins for AWS's presigned URLs (CloudFormation's custom resource
	// response URL), where the unguessable token in the path is the
	// credential and the handler checks it.
	UnsignedPaths []string
	// Untracked marks a route whose requests are not work of the cloud
	// (the control API's long waits for the cloud to settle).
	Untracked bool
	Handler   http.Handler
}

// Authenticator resolves the principal of a request from its access key.
type Authenticator interface {
	Lookup(accessKeyID string) (p identity.Principal, secret string, ok bool)
}

// Gateway dispatches requests to the registered services.
type Gateway struct {
	routes   []Route
	auth     Authenticator
	security *Security
	activity *activity.Tracker
	bodyIdle time.Duration
	faults   FaultInjector
}

// New returns a gateway that resolves principals with auth.
func New(auth Authenticator) *Gateway {
	return &Gateway{auth: auth, bodyIdle: DefaultBodyIdleTimeout}
}

// SetBodyIdleTimeout changes how long a request body may go without data
// (DefaultBodyIdleTimeout). Call it before serving.
func (g *Gateway) SetBodyIdleTimeout(d time.Duration) { g.bodyIdle = d }

// Register adds a service's route. Register all routes before serving.
func (g *Gateway) Register(r Route) { g.routes = append(g.routes, r) }

// Track records every request of a tracked route as work in progress
// while it is served, so the cloud knows when it has settled. Call it
// before serving.
func (g *Gateway) Track(t *activity.Tracker) { g.activity = t }

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := awsproto.WithRequestID(r.Context(), awsproto.NewRequestID())
	if h := r.Header.Get("X-Amzn-Trace-Id"); h != "" {
		ctx = awsproto.WithTraceHeader(ctx, h)
	}
	accessKey, signingName := credentialScope(r)
	r = r.WithContext(ctx)
	limitIdle(w, r, g.bodyIdle)

	route := g.match(r, signingName)
	if route == nil {
		awsproto.WriteJSONError(ctx, w, "application/json", awsproto.Errorf("UnknownServiceException",
			http.StatusBadRequest, "No local service answers %s %s (signing name %q, target %q)",
			r.Method, r.URL.Path, signingName, r.Header.Get("X-Amz-Target")))
		return
	}
	if g.activity != nil && !route.Untracked {
		work := g.activity.Begin(ctx, route.Service+" request "+r.Method+" "+r.URL.Path)
		defer work.Done()
	}
	if g.security == nil {
		r = r.WithContext(identity.NewContext(ctx, g.principal(accessKey)))
	} else {
		var err error
		if r, err = g.security.admit(r, route); err != nil {
			writeError(w, r, route, err)
			return
		}
	}
	if g.injectFault(w, r, route) {
		return
	}
	route.Handler.ServeHTTP(w, r)
}

func (g *Gateway) principal(accessKey string) identity.Principal {
	if p, _, ok := g.auth.Lookup(accessKey); ok {
		return p
	}
	return identity.Root()
}

func (g *Gateway) match(r *http.Request, signingName string) *Route {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		prefix, _, _ := strings.Cut(target, ".")
		for i := range g.routes {
			for _, p := range g.routes[i].TargetPrefixes {
				if p == prefix {
					return &g.routes[i]
				}
			}
		}
	}
	if signingName != "" {
		for i := range g.routes {
			for _, n := range g.routes[i].SigningNames {
				if n == signingName {
					return &g.routes[i]
				}
			}
		}
	}
	for i := range g.routes {
		for _, p := range g.routes[i].PathPrefixes {
			if strings.HasPrefix(r.URL.Path, p) {
				return &g.routes[i]
			}
		}
	}
	if version := queryVersion(r); version != "" {
		for i := range g.routes {
			if strings.HasSuffix(g.routes[i].QueryNamespace, "/"+version+"/") {
				return &g.routes[i]
			}
		}
	}
	for i := range g.routes {
		if g.routes[i].Fallback {
			return &g.routes[i]
		}
	}
	return nil
}

// queryPeekBytes is how much of a form body the gateway reads to find a
// query request's Version: the SDKs put Action and Version first.
const queryPeekBytes = 1024

// queryVersion is the API Version of a query-protocol request — from its
// URL, or from the start of a form-encoded POST body, which is put back
// for the service — or "" for any other request.
func queryVersion(r *http.Request) string {
	if v := r.URL.Query().Get("Version"); v != "" {
		return v
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") ||
		r.Body == nil || r.Body == http.NoBody {
		return ""
	}
	head := make([]byte, queryPeekBytes)
	n, _ := io.ReadFull(r.Body, head)
	head = head[:n]
	r.Body = readCloser{io.MultiReader(bytes.NewReader(head), r.Body), r.Body}
	for _, pair := range strings.Split(string(head), "&") {
		if v, ok := strings.CutPrefix(pair, "Version="); ok {
			return v
		}
	}
	return ""
}

// credentialScope returns the access key id and signing name of a SigV4
// request, from the Authorization header or a presigned URL's query (parsed
// only when it may hold one: most requests have no query).
func credentialScope(r *http.Request) (accessKey, signingName string) {
	var credential string
	if _, after, ok := strings.Cut(r.Header.Get("Authorization"), "Credential="); ok {
		credential, _, _ = strings.Cut(after, ",")
	} else if strings.Contains(r.URL.RawQuery, "X-Amz-Credential") {
		credential = r.URL.Query().Get("X-Amz-Credential")
	}
	// Credential is AKID/DATE/REGION/SERVICE/aws4_request.
	accessKey, rest, _ := strings.Cut(strings.TrimSpace(credential), "/")
	_, rest, _ = strings.Cut(rest, "/") // date
	_, rest, _ = strings.Cut(rest, "/") // region
	signingName, terminator, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(terminator, "/") {
		return "", ""
	}
	return accessKey, signingName
}

package gateway

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// KeyStore is what verification needs of the credential store
// (identity.Store is one): the principal of an access key, and the secret
// and session token it was issued with.
type KeyStore interface {
	Lookup(accessKeyID string) (p identity.Principal, secret string, ok bool)
	Secret(accessKeyID string) (secret, sessionToken string, ok bool)
}

// Authorizer decides whether the principal in r's context may do what r
// asks of service, as IAM would. body is the request body the gateway read
// to verify its signature (nil for S3, whose body is streamed). It returns
// the denial as an *awsproto.Error in the service's words.
type Authorizer interface {
	Authorize(r *http.Request, service string, body []byte) error
}

// Security turns on SigV4 verification and, with an Authorizer, IAM
// authorization of every request.
type Security struct {
	Keys KeyStore
	// Now is the time signatures are checked against; time.Now when nil.
	Now func() time.Time
	// Region, when set, is the only region a credential scope may name.
	Region string
	// Authorizer, when set, is asked about every authenticated request.
	Authorizer Authorizer

	signingKeys *sigv4.KeyCache
}

// Secure makes g verify and authorize requests. Call it before serving.
func (g *Gateway) Secure(s Security) {
	if s.Now == nil {
		s.Now = time.Now
	}
	s.signingKeys = new(sigv4.KeyCache)
	g.security = &s
}

// admit verifies r's signature, resolves its principal and authorizes it,
// returning the request as the service must see it: with the principal in
// its context and a body that is checked against the signature as read.
// Everything that can be refused without the body — no signature, a
// credential scoped to another service or region, an unknown key, a
// skewed clock, a body over the route's limit — is refused before a byte
// of the body is read.
func (s *Security) admit(r *http.Request, route *Route) (*http.Request, error) {
	for _, p := range route.UnsignedPaths {
		if strings.HasPrefix(r.URL.Path, p) {
			return r.WithContext(identity.NewContext(r.Context(), identity.Anonymous())), nil
		}
	}
	family := familyOf(route, r)
	if family == sigv4.S3 && !sigv4.Signed(r) {
		// Amazon S3 serves unsigned requests as the anonymous principal;
		// only a policy that allows "*" lets them through.
		r = r.WithContext(identity.NewContext(r.Context(), identity.Anonymous()))
		return r, s.authorize(r, route, nil)
	}
	v := sigv4.Verifier{Family: family, Lookup: s.Keys.Secret, Region: s.Region, Services: route.SigningNames,
		Keys: s.signingKeys}
	sig, err := v.Check(r, s.Now())
	if err != nil {
		return r, err
	}
	var (
		body []byte
		res  sigv4.Result
	)
	if family == sigv4.S3 {
		res, err = sig.Verify(r, sigv4.Streamed())
	} else {
		if body, err = readBody(r, route); err != nil {
			return r, err
		}
		res, err = sig.Verify(r, sigv4.Body(body))
	}
	if err != nil {
		return r, err
	}
	p, _, ok := s.Keys.Lookup(res.AccessKeyID)
	if !ok {
		return r, fmt.Errorf("gateway: access key %s verified but has no principal", res.AccessKeyID)
	}
	r = r.WithContext(identity.NewContext(r.Context(), p))
	if family == sigv4.S3 {
		r.Body = readCloser{res.Body(r.Body), r.Body}
	} else {
		r.Body = awsproto.NewHeldBody(body, r.Body)
	}
	return r, s.authorize(r, route, body)
}

func (s *Security) authorize(r *http.Request, route *Route, body []byte) error {
	if s.Authorizer == nil {
		return nil
	}
	return s.Authorizer.Authorize(r, route.Service, body)
}

// readCloser reads through the signature check and closes the original body.
type readCloser struct {
	io.Reader
	io.Closer
}

// familyOf is the protocol family r's errors take: the route's, except
// for SQS's query mode, which a JSON route answers as a query service.
func familyOf(route *Route, r *http.Request) sigv4.Family {
	if route.Auth == 0 {
		return sigv4.JSON
	}
	if route.Auth == sigv4.JSON && r.Header.Get("X-Amz-Target") == "" && route.QueryNamespace != "" {
		return sigv4.Query
	}
	return route.Auth
}

// writeError renders an authentication or authorization failure in the
// shape of the route's protocol.
func writeError(w http.ResponseWriter, r *http.Request, route *Route, err error) {
	ctx := r.Context()
	var tooLarge *tooLargeError
	if errors.As(err, &tooLarge) || errors.Is(err, errRequestTimeout) {
		// The rest of the body is not read: the connection cannot be reused.
		w.Header().Set("Connection", "close")
	}
	if tooLarge != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	switch familyOf(route, r) {
	case sigv4.S3:
		awsproto.WriteS3Error(ctx, w, r, err)
	case sigv4.Query:
		awsproto.WriteQueryError(ctx, w, route.QueryNamespace, err)
	case sigv4.RESTJSON:
		awsproto.WriteJSONError(ctx, w, "application/json", err)
	default:
		awsproto.WriteJSONError(ctx, w, "application/x-amz-json-1.1", err)
	}
}

// Package sts is the local Security Token Service: who is calling
// (GetCallerIdentity) and temporary credentials for a role (AssumeRole),
// issued through the same identity store the gateway resolves access keys
// with, so a client built from AssumeRole's credentials acts as that role
// session everywhere in the local cloud.
//
// It speaks the query protocol (signing name "sts"). The role must exist;
// its trust policy is not evaluated yet (see testharness/localcloud/SUPPORT.md).
package sts

import (
	"context"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Namespace is the xmlns of STS responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// RoleLookup tells whether an IAM role exists; the IAM service backs it
// (its Role method), connected by the wiring.
type RoleLookup interface {
	RoleExists(ctx context.Context, roleARN string) bool
}

// CredentialIssuer issues temporary credentials for a role session and
// remembers them, so the gateway resolves their access key to the
// session. *identity.Store is one.
type CredentialIssuer interface {
	AssumeRole(roleARN, sessionName string, now time.Time, duration time.Duration) identity.Credentials
}

// Options configure a Service.
type Options struct {
	// Clock dates credentials' Expiration; clock.Real{} when nil.
	Clock clock.Clock
	// Identities issues the credentials: the store the gateway was built
	// with.
	Identities CredentialIssuer
	// Roles decides which role ARNs exist; when nil no role does, and
	// every AssumeRole is denied.
	Roles RoleLookup
}

// Service is the local STS. It keeps no state of its own: credentials
// live in the identity store.
type Service struct {
	clock      clock.Clock
	identities CredentialIssuer
	roles      RoleLookup
	query      *awsproto.QueryService
}

// New returns the STS service.
func New(o Options) *Service {
	s := &Service{clock: o.Clock, identities: o.Identities, roles: o.Roles}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	s.query = &awsproto.QueryService{Namespace: Namespace, Operations: map[string]awsproto.QueryOperation{
		"GetCallerIdentity": s.getCallerIdentityQuery,
		"AssumeRole":        s.assumeRoleQuery,
	}}
	return s
}

// Route is STS's gateway route: query requests signed for "sts".
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "sts", SigningNames: []string{"sts"}, Auth: sigv4.Query, QueryNamespace: Namespace, Handler: s.query}
}

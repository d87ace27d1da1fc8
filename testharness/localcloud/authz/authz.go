// Package authz is the local cloud's IAM enforcement: it maps each
// service's operations to the IAM actions and resource ARNs AWS's Service
// Authorization Reference names (one table per service, in this package),
// gathers the principal's identity-based policies and the resource's
// policy, evaluates them with package policy, and denies in the service's
// own words.
//
// The gateway asks it about every request (Authorize, a
// gateway.Authorizer); the wiring asks it about the calls services make to
// each other in process on behalf of a role (Check): a pipe reading its
// stream and invoking its target, a state machine invoking a function,
// Lambda writing a function's logs.
package authz

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/iam"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
)

// RoleStore is the IAM store as authorization reads it (*iam.Service).
type RoleStore interface {
	// Generation changes whenever a role or policy does.
	Generation() uint64
	RolePolicies(roleARN string) ([]iam.PolicyDocument, error)
}

// ResourcePolicies finds the resource-based policy that governs an ARN
// (a bucket's policy for its objects, a queue's policy): the raw JSON
// document, or "" when the resource has none.
type ResourcePolicies interface {
	ResourcePolicy(ctx context.Context, resourceARN string) (string, error)
}

// Options configure an Authorizer.
type Options struct {
	Roles     RoleStore
	Resources ResourcePolicies
	// S3Address finds the bucket and key of an S3 request (s3.Service's
	// Address), so that S3 requests name the ARN S3 would.
	S3Address func(r *http.Request) (bucket, key string)
	// Now is the time of aws:CurrentTime; time.Now when nil.
	Now func() time.Time
}

// Authorizer answers whether a principal may act on a resource.
type Authorizer struct {
	opts    Options
	mapping map[string]mapFunc

	mu sync.Mutex
	// roles caches each role's compiled policies at an IAM generation;
	// documents caches compiled resource policies by their text. Must
	// hold mu.
	roles     map[string]rolePolicies
	documents map[string]*policy.Policy
}

type rolePolicies struct {
	generation uint64
	policies   []policy.NamedPolicy
	err        error
}

// administrator is the policy of the user's test/test credentials.
var administrator = []policy.NamedPolicy{{Name: "AdministratorAccess", Policy: mustParse(
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)}}

func mustParse(doc string) *policy.Policy {
	p, err := policy.Parse([]byte(doc))
	if err != nil {
		panic(err)
	}
	return p
}

// New returns an Authorizer.
func New(opts Options) *Authorizer {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &Authorizer{opts: opts, roles: map[string]rolePolicies{}, documents: map[string]*policy.Policy{}}
	a.mapping = a.mappers()
	return a
}

// Check is one authorization question a service asks in process.
type Check struct {
	// Service is the service whose error shape a denial takes ("lambda").
	Service  string
	Action   string
	Resource string
	// Context adds condition keys (aws:SourceArn …) to the request's.
	Context map[string][]string
}

// Check decides c for the principal in ctx (identity.FromContext). A call
// made in process acts on loopback, so aws:SecureTransport is true.
func (a *Authorizer) Check(ctx context.Context, c Check) error {
	keys := map[string][]string{"aws:SecureTransport": {"true"}}
	for k, v := range c.Context {
		keys[k] = v
	}
	return a.decide(ctx, identity.FromContext(ctx), c.Service, []target{{c.Action, c.Resource}}, keys)
}

// CheckService decides whether an AWS service principal
// ("events.amazonaws.com") may act on a resource: only the resource's
// policy can allow it, and its conditions see sourceARN.
func (a *Authorizer) CheckService(ctx context.Context, servicePrincipal string, c Check) error {
	req := policy.Request{Principal: policy.Principal{Service: servicePrincipal}, Action: c.Action,
		Resource: c.Resource, Context: map[string][]string{"aws:SecureTransport": {"true"},
			"aws:SourceAccount": {arn.Account}, "aws:CurrentTime": {a.opts.Now().UTC().Format(time.RFC3339)}}}
	for k, v := range c.Context {
		req.Context[k] = v
	}
	resource, err := a.resourcePolicy(ctx, c.Resource)
	if err != nil {
		return err
	}
	if d := policy.Evaluate(req, nil, resource); !d.Allowed {
		return denied(c.Service, policy.Message(req, d))
	}
	return nil
}

// Authorize implements gateway.Authorizer: it maps the request to the IAM
// questions its operation asks and decides each.
func (a *Authorizer) Authorize(r *http.Request, service string, body []byte) error {
	m, ok := a.mapping[service]
	if !ok {
		return awsproto.InternalError(fmt.Errorf("authz: no IAM mapping for service %q", service))
	}
	targets, err := m(r, body)
	if err != nil || len(targets) == 0 {
		// A request whose operation or resource cannot be told is the
		// service's to reject in its own words.
		return nil
	}
	return a.decide(r.Context(), identity.FromContext(r.Context()), service, targets, requestContext(r))
}

// decide evaluates every target; the first denial answers.
func (a *Authorizer) decide(ctx context.Context, p identity.Principal, service string, targets []target, keys map[string][]string) error {
	if _, ok := keys["aws:CurrentTime"]; !ok {
		now := a.opts.Now().UTC()
		keys["aws:CurrentTime"] = []string{now.Format(time.RFC3339)}
		keys["aws:EpochTime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	}
	var identityPolicies []policy.NamedPolicy
	switch {
	case p.Anonymous:
	case p.IsRole():
		var err error
		if identityPolicies, err = a.rolePolicies(p.RoleARN); err != nil {
			return denied(service, fmt.Sprintf("User: %s is not authorized: %v", p.ARN, err))
		}
	default:
		identityPolicies = administrator
	}
	principal := policy.Principal{ARN: p.ARN, Account: arn.Account, RoleARN: p.RoleARN, SessionName: p.SessionName}
	if p.Anonymous {
		principal = policy.Principal{ARN: "*"}
	}
	for _, t := range targets {
		resource, err := a.resourcePolicy(ctx, t.resource)
		if err != nil {
			return err
		}
		req := policy.Request{Principal: principal, Action: t.action, Resource: t.resource, Context: keys}
		if d := policy.Evaluate(req, identityPolicies, resource); !d.Allowed {
			if p.Anonymous {
				// S3 answers anonymous requests without naming anyone.
				return awsproto.NewError("AccessDenied", http.StatusForbidden, "Access Denied")
			}
			return denied(service, policy.Message(req, d))
		}
	}
	return nil
}

// rolePolicies returns a role's identity-based policies, compiled once per
// IAM generation.
func (a *Authorizer) rolePolicies(roleARN string) ([]policy.NamedPolicy, error) {
	gen := a.opts.Roles.Generation()
	a.mu.Lock()
	cached, ok := a.roles[roleARN]
	a.mu.Unlock()
	if ok && cached.generation == gen {
		return cached.policies, cached.err
	}
	cached = rolePolicies{generation: gen}
	docs, err := a.opts.Roles.RolePolicies(roleARN)
	if err != nil {
		cached.err = fmt.Errorf("role %s: %w", roleARN, err)
	}
	for _, d := range docs {
		if d.Document == nil {
			// An AWS managed policy the local cloud has no document of
			// grants nothing here (testharness/localcloud/SUPPORT.md).
			continue
		}
		p, err := policy.FromDocument(d.Document)
		if err != nil {
			cached.err = fmt.Errorf("role %s: policy %s: %w", roleARN, d.Name, err)
			break
		}
		cached.policies = append(cached.policies, policy.NamedPolicy{Name: d.Name, Policy: p})
	}
	a.mu.Lock()
	a.roles[roleARN] = cached
	a.mu.Unlock()
	return cached.policies, cached.err
}

// resourcePolicy returns the compiled policy governing resourceARN, or nil.
func (a *Authorizer) resourcePolicy(ctx context.Context, resourceARN string) (*policy.Policy, error) {
	if a.opts.Resources == nil || resourceARN == "*" {
		return nil, nil
	}
	doc, err := a.opts.Resources.ResourcePolicy(ctx, resourceARN)
	if err != nil || doc == "" {
		// A resource that does not exist has no policy; the service
		// answers for its absence.
		return nil, nil
	}
	a.mu.Lock()
	p, ok := a.documents[doc]
	a.mu.Unlock()
	if ok {
		return p, nil
	}
	if p, err = policy.Parse([]byte(doc)); err != nil {
		return nil, fmt.Errorf("resource policy of %s: %w", resourceARN, err)
	}
	a.mu.Lock()
	a.documents[doc] = p
	a.mu.Unlock()
	return p, nil
}

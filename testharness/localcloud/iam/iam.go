// Package iam is the local cloud's IAM store: the roles, inline policies
// and managed policies a template creates, kept as parsed JSON documents
// for the policy evaluation that decides what each role's sessions may do.
// It provisions AWS::IAM::Role, AWS::IAM::Policy and AWS::IAM::ManagedPolicy
// and answers the read side of IAM's query API (GetRole, ListRoles,
// GetRolePolicy, ListRolePolicies, ListAttachedRolePolicies).
//
// Differences from IAM are listed in testharness/localcloud/SUPPORT.md: users and groups are not
// stored, AWS managed policies are known by ARN with the documents of a
// few common ones only.
package iam

import (
	"crypto/rand"
	"encoding/json"

	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
)

// Options configure the service.
type Options struct {
	Clock clock.Clock
}

// PolicyDocument is one policy that applies to a role.
type PolicyDocument struct {
	// Name is an inline policy's name, or a managed policy's name.
	Name string
	// ManagedARN is set for a managed policy.
	ManagedARN string
	// Document is the parsed policy ({"Version": …, "Statement": …}); nil
	// for an AWS managed policy whose document the local cloud does not
	// know.
	Document map[string]any
}

// Role is an IAM role.
type Role struct {
	Name        string
	ARN         string
	RoleID      string
	Path        string
	Description string
	// AssumeRolePolicyDocument is the trust policy, parsed.
	AssumeRolePolicyDocument map[string]any
	MaxSessionDuration       int
	CreateDate               time.Time
	// InlinePolicies by policy name, parsed.
	InlinePolicies map[string]map[string]any
	// ManagedPolicyARNs are the attached managed policies, in attach order.
	ManagedPolicyARNs []string
}

type managedPolicy struct {
	name, arn, path, id string
	document            map[string]any
	created             time.Time
}

// Service is the IAM store.
type Service struct {
	clk clock.Clock

	// generation counts changes to roles and policies, so that callers can
	// cache what they compile from RolePolicies.
	generation atomic.Uint64

	mu sync.Mutex
	// roles by name; managed policies by ARN. Must hold mu.
	roles   map[string]*Role
	managed map[string]*managedPolicy
}

// New returns an empty IAM store.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	return &Service{clk: opts.Clock, roles: map[string]*Role{}, managed: map[string]*managedPolicy{}}
}

func noSuchRole(name string) error {
	return awsproto.Errorf("NoSuchEntity", http.StatusNotFound, "The role with name %s cannot be found.", name)
}

// roleNameFromARN accepts a role ARN (arn:aws:iam::ACCOUNT:role/path/name)
// or a bare name.
func roleNameFromARN(roleARN string) string {
	if a, err := arn.Parse(roleARN); err == nil {
		return a.Resource[strings.LastIndex(a.Resource, "/")+1:]
	}
	return roleARN
}

// Role returns a copy of the role with this ARN (or name).
func (s *Service) Role(roleARN string) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roles[roleNameFromARN(roleARN)]
	if !ok || strings.HasPrefix(roleARN, "arn:") && r.ARN != roleARN {
		return Role{}, noSuchRole(roleNameFromARN(roleARN))
	}
	return copyRole(r), nil
}

// Generation changes whenever a role or policy does; read it before
// RolePolicies to cache what is compiled from the documents.
func (s *Service) Generation() uint64 { return s.generation.Load() }

// RolePolicies returns every policy of a role: its inline policies by
// name, then its managed policies in attach order.
func (s *Service) RolePolicies(roleARN string) ([]PolicyDocument, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.roles[roleNameFromARN(roleARN)]
	if !ok {
		return nil, noSuchRole(roleNameFromARN(roleARN))
	}
	var out []PolicyDocument
	names := make([]string, 0, len(r.InlinePolicies))
	for n := range r.InlinePolicies {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, PolicyDocument{Name: n, Document: r.InlinePolicies[n]})
	}
	for _, a := range r.ManagedPolicyARNs {
		out = append(out, s.managedDocumentLocked(a))
	}
	return out, nil
}

// managedDocumentLocked finds a managed policy's document. Must hold s.mu.
func (s *Service) managedDocumentLocked(policyARN string) PolicyDocument {
	name := policyARN[strings.LastIndex(policyARN, "/")+1:]
	if p, ok := s.managed[policyARN]; ok {
		return PolicyDocument{Name: p.name, ManagedARN: policyARN, Document: p.document}
	}
	doc := awsManagedPolicies[strings.TrimPrefix(policyARN, "arn:aws:iam::aws:policy/")]
	if raw, ok := policy.AWSManaged(policyARN); doc == nil && ok {
		_ = json.Unmarshal(raw, &doc) // shipped data, tested in package policy
	}
	return PolicyDocument{Name: name, ManagedARN: policyARN, Document: doc}
}

func copyRole(r *Role) Role {
	c := *r
	c.InlinePolicies = make(map[string]map[string]any, len(r.InlinePolicies))
	for k, v := range r.InlinePolicies {
		c.InlinePolicies[k] = v
	}
	c.ManagedPolicyARNs = append([]string(nil), r.ManagedPolicyARNs...)
	return c
}

// parseDocument accepts a policy document as a JSON object or a JSON
// string, as CloudFormation does.
func parseDocument(v any, what string) (map[string]any, error) {
	switch d := v.(type) {
	case map[string]any:
		return d, nil
	case string:
		var m map[string]any
		if err := json.Unmarshal([]byte(d), &m); err != nil {
			return nil, awsproto.Errorf("MalformedPolicyDocument", http.StatusBadRequest, "%s is not valid JSON: %v", what, err)
		}
		return m, nil
	case nil:
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "%s is required", what)
	}
	return nil, awsproto.Errorf("MalformedPolicyDocument", http.StatusBadRequest, "%s must be a JSON object", what)
}

// uniqueID returns an IAM unique id with its type prefix (AROA for roles,
// ANPA for managed policies).
func uniqueID(prefix string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return prefix + string(b)
}

// normalizePath checks an IAM path ("/", "/service-role/").
func normalizePath(p string) (string, error) {
	if p == "" {
		return "/", nil
	}
	if !strings.HasPrefix(p, "/") || !strings.HasSuffix(p, "/") {
		return "", awsproto.Errorf("ValidationError", http.StatusBadRequest, "The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.")
	}
	return p, nil
}

func roleARN(path, name string) string { return arn.Global("iam", "role"+path+name) }

func policyARN(path, name string) string { return arn.Global("iam", "policy"+path+name) }

package iam

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/policy"
)

// putRolePolicy adds or replaces a role's inline policy (IAM API
// Reference, PutRolePolicy). The document must be a policy the evaluator
// accepts; IAM's own grammar checks are not all made (SUPPORT.md).
func (s *Service) putRolePolicy(_ context.Context, params url.Values) (any, error) {
	name, raw := params.Get("PolicyName"), params.Get("PolicyDocument")
	if name == "" || raw == "" {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest,
			"1 validation error detected: Value null at 'policyName' failed to satisfy constraint: Member must not be null")
	}
	if _, err := policy.Parse([]byte(raw)); err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return nil, awsproto.Errorf("MalformedPolicyDocument", http.StatusBadRequest, "Syntax errors in policy: %v", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	r.InlinePolicies[name] = doc
	s.generation.Add(1)
	return result{}, nil
}

// deleteRolePolicy removes a role's inline policy (IAM API Reference,
// DeleteRolePolicy).
func (s *Service) deleteRolePolicy(_ context.Context, params url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	name := params.Get("PolicyName")
	if _, ok := r.InlinePolicies[name]; !ok {
		return nil, awsproto.Errorf("NoSuchEntity", http.StatusNotFound, "The role policy with name %s cannot be found.", name)
	}
	delete(r.InlinePolicies, name)
	s.generation.Add(1)
	return result{}, nil
}

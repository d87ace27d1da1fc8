package iam

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation types IAM owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::IAM::Role":          roleProvisioner{s},
		"AWS::IAM::Policy":        policyProvisioner{s},
		"AWS::IAM::ManagedPolicy": managedPolicyProvisioner{s},
	}
}

func stringProp(props map[string]any, key string) string {
	s, _ := props[key].(string)
	return s
}

func stringList(props map[string]any, key string) []string {
	list, _ := props[key].([]any)
	out := make([]string, 0, len(list))
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// roleProvisioner creates AWS::IAM::Role: Ref is the role name; Arn and
// RoleId are attributes.
type roleProvisioner struct{ s *Service }

func (p roleProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	props := req.Properties
	name := stringProp(props, "RoleName")
	if name == "" {
		name = req.GeneratedName(64)
	}
	path, err := normalizePath(stringProp(props, "Path"))
	if err != nil {
		return cfnresource.Resource{}, err
	}
	trust, err := parseDocument(props["AssumeRolePolicyDocument"], "AssumeRolePolicyDocument")
	if err != nil {
		return cfnresource.Resource{}, err
	}
	r := &Role{Name: name, ARN: roleARN(path, name), RoleID: uniqueID("AROA"), Path: path,
		Description: stringProp(props, "Description"), AssumeRolePolicyDocument: trust, MaxSessionDuration: 3600,
		CreateDate: p.s.clk.Now(), InlinePolicies: map[string]map[string]any{}, ManagedPolicyARNs: stringList(props, "ManagedPolicyArns")}
	if d, ok := props["MaxSessionDuration"]; ok {
		if n, ok := number(d); ok {
			r.MaxSessionDuration = n
		}
	}
	policies, _ := props["Policies"].([]any)
	for _, pv := range policies {
		pm, _ := pv.(map[string]any)
		pname := stringProp(pm, "PolicyName")
		doc, err := parseDocument(pm["PolicyDocument"], "PolicyDocument of policy "+pname)
		if err != nil {
			return cfnresource.Resource{}, err
		}
		r.InlinePolicies[pname] = doc
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	if _, exists := p.s.roles[name]; exists {
		return cfnresource.Resource{}, awsproto.Errorf("EntityAlreadyExists", http.StatusConflict, "Role with name %s already exists.", name)
	}
	p.s.roles[name] = r
	return cfnresource.Resource{PhysicalID: name, Attributes: map[string]any{"Arn": r.ARN, "RoleId": r.RoleID}}, nil
}

func (p roleProvisioner) Delete(_ context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	delete(p.s.roles, res.PhysicalID)
	return nil
}

// policyProvisioner creates AWS::IAM::Policy: an inline policy put on
// each of its Roles. Ref is a generated id.
type policyProvisioner struct{ s *Service }

func (p policyProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	name := stringProp(req.Properties, "PolicyName")
	if name == "" {
		return cfnresource.Resource{}, awsproto.NewError("ValidationError", http.StatusBadRequest, "PolicyName is required")
	}
	doc, err := parseDocument(req.Properties["PolicyDocument"], "PolicyDocument")
	if err != nil {
		return cfnresource.Resource{}, err
	}
	roles := stringList(req.Properties, "Roles")
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	for _, r := range roles {
		if _, ok := p.s.roles[roleNameFromARN(r)]; !ok {
			return cfnresource.Resource{}, noSuchRole(r)
		}
	}
	for _, r := range roles {
		p.s.roles[roleNameFromARN(r)].InlinePolicies[name] = doc
	}
	// The policy's id is generated from its PolicyName, not its logical id.
	named := req
	named.LogicalID = name
	return cfnresource.Resource{PhysicalID: named.GeneratedName(64)}, nil
}

func (p policyProvisioner) Delete(_ context.Context, req cfnresource.Request, _ cfnresource.Resource) error {
	name := stringProp(req.Properties, "PolicyName")
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	for _, r := range stringList(req.Properties, "Roles") {
		if role, ok := p.s.roles[roleNameFromARN(r)]; ok {
			delete(role.InlinePolicies, name)
		}
	}
	return nil
}

// managedPolicyProvisioner creates AWS::IAM::ManagedPolicy, attached to
// its Roles. Ref is the policy ARN.
type managedPolicyProvisioner struct{ s *Service }

func (p managedPolicyProvisioner) Create(_ context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	name := stringProp(req.Properties, "ManagedPolicyName")
	if name == "" {
		name = req.GeneratedName(128)
	}
	path, err := normalizePath(stringProp(req.Properties, "Path"))
	if err != nil {
		return cfnresource.Resource{}, err
	}
	doc, err := parseDocument(req.Properties["PolicyDocument"], "PolicyDocument")
	if err != nil {
		return cfnresource.Resource{}, err
	}
	mp := &managedPolicy{name: name, arn: policyARN(path, name), path: path, id: uniqueID("ANPA"), document: doc, created: p.s.clk.Now()}
	roles := stringList(req.Properties, "Roles")
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	if _, exists := p.s.managed[mp.arn]; exists {
		return cfnresource.Resource{}, awsproto.Errorf("EntityAlreadyExists", http.StatusConflict, "A policy called %s already exists. Duplicate names are not allowed.", name)
	}
	for _, r := range roles {
		if _, ok := p.s.roles[roleNameFromARN(r)]; !ok {
			return cfnresource.Resource{}, noSuchRole(r)
		}
	}
	p.s.managed[mp.arn] = mp
	for _, r := range roles {
		role := p.s.roles[roleNameFromARN(r)]
		role.ManagedPolicyARNs = append(role.ManagedPolicyARNs, mp.arn)
	}
	return cfnresource.Resource{PhysicalID: mp.arn, Attributes: map[string]any{"PolicyArn": mp.arn}}, nil
}

func (p managedPolicyProvisioner) Delete(_ context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	p.s.generation.Add(1)
	delete(p.s.managed, res.PhysicalID)
	for _, role := range p.s.roles {
		role.ManagedPolicyARNs = slices.DeleteFunc(role.ManagedPolicyARNs, func(a string) bool { return a == res.PhysicalID })
	}
	return nil
}

// number reads a resolved numeric property (json.Number, float64 or a
// numeric string).
func number(v any) (int, bool) {
	switch n := v.(type) {
	case float64:
		return int(n), true
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return int(i), err == nil
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

package iam

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Namespace is the xmlns of IAM's query-protocol responses.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// Route serves IAM's query API (signing name "iam").
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "iam", SigningNames: []string{"iam"}, Auth: sigv4.Query, QueryNamespace: Namespace,
		Handler: &awsproto.QueryService{Namespace: Namespace, Operations: map[string]awsproto.QueryOperation{
			"GetRole":                  s.getRole,
			"ListRoles":                s.listRoles,
			"GetRolePolicy":            s.getRolePolicy,
			"ListRolePolicies":         s.listRolePolicies,
			"ListAttachedRolePolicies": s.listAttachedRolePolicies,
			"PutRolePolicy":            s.putRolePolicy,
			"DeleteRolePolicy":         s.deleteRolePolicy,
			"SimulatePrincipalPolicy":  s.simulatePrincipalPolicy,
		}}}
}

// result is a query result written as its elements, in order, inside the
// <ActionResult> element awsproto hands it.
type result []element

type element struct {
	name  string
	value any
}

func (r result) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for _, el := range r {
		if err := e.EncodeElement(el.value, xml.StartElement{Name: xml.Name{Local: el.name}}); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

type members[T any] struct {
	Members []T `xml:"member"`
}

type xmlRole struct {
	Path                     string `xml:"Path"`
	RoleName                 string `xml:"RoleName"`
	RoleID                   string `xml:"RoleId"`
	Arn                      string `xml:"Arn"`
	CreateDate               string `xml:"CreateDate"`
	AssumeRolePolicyDocument string `xml:"AssumeRolePolicyDocument"`
	Description              string `xml:"Description,omitempty"`
	MaxSessionDuration       int    `xml:"MaxSessionDuration"`
}

func toXMLRole(r *Role) xmlRole {
	return xmlRole{Path: r.Path, RoleName: r.Name, RoleID: r.RoleID, Arn: r.ARN,
		CreateDate: r.CreateDate.UTC().Format(time.RFC3339), AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
		Description: r.Description, MaxSessionDuration: r.MaxSessionDuration}
}

// encodeDocument renders a policy as IAM returns it: URL-encoded JSON.
func encodeDocument(doc map[string]any) string {
	raw, _ := json.Marshal(doc)
	return url.QueryEscape(string(raw))
}

// roleParamLocked finds the role a request names. Must hold s.mu.
func (s *Service) roleParamLocked(params url.Values) (*Role, error) {
	name := params.Get("RoleName")
	if name == "" {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null")
	}
	r, ok := s.roles[name]
	if !ok {
		return nil, noSuchRole(name)
	}
	return r, nil
}

func (s *Service) getRole(_ context.Context, params url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	return result{{"Role", toXMLRole(r)}}, nil
}

func (s *Service) listRoles(_ context.Context, params url.Values) (any, error) {
	prefix := params.Get("PathPrefix")
	s.mu.Lock()
	defer s.mu.Unlock()
	names := make([]string, 0, len(s.roles))
	for n := range s.roles {
		names = append(names, n)
	}
	sort.Strings(names)
	var roles members[xmlRole]
	for _, n := range names {
		if r := s.roles[n]; len(r.Path) >= len(prefix) && r.Path[:len(prefix)] == prefix {
			roles.Members = append(roles.Members, toXMLRole(r))
		}
	}
	return result{{"Roles", roles}, {"IsTruncated", false}}, nil
}

func (s *Service) getRolePolicy(_ context.Context, params url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	name := params.Get("PolicyName")
	doc, ok := r.InlinePolicies[name]
	if !ok {
		return nil, awsproto.Errorf("NoSuchEntity", http.StatusNotFound, "The role policy with name %s cannot be found.", name)
	}
	return result{{"RoleName", r.Name}, {"PolicyName", name}, {"PolicyDocument", encodeDocument(doc)}}, nil
}

func (s *Service) listRolePolicies(_ context.Context, params url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	var names members[string]
	for n := range r.InlinePolicies {
		names.Members = append(names.Members, n)
	}
	sort.Strings(names.Members)
	return result{{"PolicyNames", names}, {"IsTruncated", false}}, nil
}

type xmlAttachedPolicy struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

func (s *Service) listAttachedRolePolicies(_ context.Context, params url.Values) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.roleParamLocked(params)
	if err != nil {
		return nil, err
	}
	var attached members[xmlAttachedPolicy]
	for _, a := range r.ManagedPolicyARNs {
		attached.Members = append(attached.Members, xmlAttachedPolicy{PolicyName: s.managedDocumentLocked(a).Name, PolicyArn: a})
	}
	return result{{"AttachedPolicies", attached}, {"IsTruncated", false}}, nil
}

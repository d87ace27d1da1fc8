package eventschemas

import (
	"context"
	"regexp"
	"sort"
	"strings"
)

// Registry is a custom schema registry.
type Registry struct {
	Name        string
	ARN         string
	Description string
	Tags        map[string]string
}

// RegistryInput creates a registry.
type RegistryInput struct {
	Name        string
	Description string
	Tags        map[string]string
}

// Scopes of ListRegistries: the caller's own registries, or the ones AWS
// provides (aws.events and discovered-schemas), which the local cloud
// does not have.
const (
	ScopeLocal = "LOCAL"
	ScopeAWS   = "AWS"
)

// namePattern is what the local registry accepts as a registry or schema
// name: the characters of AWS's own registry and schema names
// ("aws.events", "aws.s3@ObjectCreated").
var namePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]+$`)

func validateName(what, name string) error {
	if !namePattern.MatchString(name) {
		return badRequest("Invalid %s %q: a name is one or more letters, digits, '.', '-', '_' or '@'.", what, name)
	}
	return nil
}

// CreateRegistry creates a custom registry; a registry of that name
// already existing is a ConflictException.
func (s *Service) CreateRegistry(_ context.Context, in RegistryInput) (Registry, error) {
	if err := validateName("RegistryName", in.Name); err != nil {
		return Registry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.registries[in.Name]; exists {
		return Registry{}, errRegistryExists(in.Name)
	}
	r := &registry{name: in.Name, arn: RegistryARN(in.Name), description: in.Description,
		tags: copyTags(in.Tags), schemas: map[string]*schema{}}
	s.registries[in.Name] = r
	return r.view(), nil
}

// DescribeRegistry returns a registry.
func (s *Service) DescribeRegistry(_ context.Context, name string) (Registry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.registryLocked(name)
	if err != nil {
		return Registry{}, err
	}
	return r.view(), nil
}

// UpdateRegistry changes a registry's description.
func (s *Service) UpdateRegistry(_ context.Context, name, description string) (Registry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.registryLocked(name)
	if err != nil {
		return Registry{}, err
	}
	r.description = description
	return r.view(), nil
}

// ListRegistries returns the registries whose names start with prefix,
// sorted by name. scope is "", LOCAL or AWS; AWS lists nothing, since the
// local cloud has no AWS-provided registries.
func (s *Service) ListRegistries(_ context.Context, prefix, scope string) ([]Registry, error) {
	switch scope {
	case "", ScopeLocal:
	case ScopeAWS:
		return nil, nil
	default:
		return nil, badRequest("Invalid Scope %q: valid scopes are %s and %s.", scope, ScopeLocal, ScopeAWS)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Registry
	for name, r := range s.registries {
		if strings.HasPrefix(name, prefix) {
			out = append(out, r.view())
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// DeleteRegistry deletes a registry together with its schemas.
func (s *Service) DeleteRegistry(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.registryLocked(name); err != nil {
		return err
	}
	delete(s.registries, name)
	return nil
}

// view copies a registry out of the lock. Must hold s.mu.
func (r *registry) view() Registry {
	return Registry{Name: r.name, ARN: r.arn, Description: r.description, Tags: copyTags(r.tags)}
}

package eventschemas

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion is one version of a schema, as DescribeSchema answers.
type SchemaVersion struct {
	RegistryName string
	Name         string
	ARN          string
	Description  string
	Type         string
	// Version is "1", "2", …: a new one each time the content changes.
	Version        string
	Content        string
	LastModified   time.Time
	VersionCreated time.Time
	Tags           map[string]string
}

// SchemaSummary is a schema in ListSchemas.
type SchemaSummary struct {
	Name         string
	ARN          string
	LastModified time.Time
	VersionCount int
	Tags         map[string]string
}

// VersionSummary is a version in ListSchemaVersions.
type VersionSummary struct {
	Name    string
	ARN     string
	Version string
	Type    string
}

// SchemaInput creates a schema.
type SchemaInput struct {
	RegistryName string
	Name         string
	Type         string
	Content      string
	Description  string
	Tags         map[string]string
}

// SchemaUpdate changes a schema; nil and empty fields keep what the schema
// has.
type SchemaUpdate struct {
	RegistryName string
	Name         string
	Type         string
	Content      *string
	Description  *string
}

// CreateSchema creates version 1 of a schema in an existing registry.
func (s *Service) CreateSchema(_ context.Context, in SchemaInput) (SchemaVersion, error) {
	if err := validateName("SchemaName", in.Name); err != nil {
		return SchemaVersion{}, err
	}
	if err := validateType(in.Type); err != nil {
		return SchemaVersion{}, err
	}
	if err := validateContent(in.Type, in.Content); err != nil {
		return SchemaVersion{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.registryLocked(in.RegistryName)
	if err != nil {
		return SchemaVersion{}, err
	}
	if _, exists := r.schemas[in.Name]; exists {
		return SchemaVersion{}, errSchemaExists(in.Name)
	}
	now := s.clock.Now()
	sc := &schema{name: in.Name, arn: SchemaARN(r.name, in.Name), description: in.Description,
		tags: copyTags(in.Tags), lastModified: now,
		versions: []version{{content: in.Content, typ: in.Type, created: now}}}
	r.schemas[in.Name] = sc
	return sc.view(r.name, len(sc.versions)), nil
}

// DescribeSchema returns a version of a schema: the latest when version
// is "".
func (s *Service) DescribeSchema(_ context.Context, registryName, name, version string) (SchemaVersion, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, err := s.schemaLocked(registryName, name)
	if err != nil {
		return SchemaVersion{}, err
	}
	n := len(sc.versions)
	if version != "" {
		v, err := strconv.Atoi(version)
		if err != nil || v < 1 || v > len(sc.versions) || strconv.Itoa(v) != version {
			return SchemaVersion{}, errVersionNotFound(name, version)
		}
		n = v
	}
	return sc.view(registryName, n), nil
}

// UpdateSchema changes a schema's description, and adds a version when
// the content or type differs from the latest version's. An update that
// changes nothing answers the latest version.
func (s *Service) UpdateSchema(_ context.Context, in SchemaUpdate) (SchemaVersion, error) {
	if in.Type != "" {
		if err := validateType(in.Type); err != nil {
			return SchemaVersion{}, err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, err := s.schemaLocked(in.RegistryName, in.Name)
	if err != nil {
		return SchemaVersion{}, err
	}
	latest := sc.versions[len(sc.versions)-1]
	next := latest
	if in.Type != "" {
		next.typ = in.Type
	}
	if in.Content != nil {
		next.content = *in.Content
	}
	if next != latest {
		if err := validateContent(next.typ, next.content); err != nil {
			return SchemaVersion{}, err
		}
	}
	now := s.clock.Now()
	if next.content != latest.content || next.typ != latest.typ {
		next.created = now
		sc.versions = append(sc.versions, next)
		sc.lastModified = now
	}
	if in.Description != nil && *in.Description != sc.description {
		sc.description = *in.Description
		sc.lastModified = now
	}
	return sc.view(in.RegistryName, len(sc.versions)), nil
}

// ListSchemas returns the schemas of a registry whose names start with
// prefix, sorted by name.
func (s *Service) ListSchemas(_ context.Context, registryName, prefix string) ([]SchemaSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.registryLocked(registryName)
	if err != nil {
		return nil, err
	}
	var out []SchemaSummary
	for name, sc := range r.schemas {
		if strings.HasPrefix(name, prefix) {
			out = append(out, SchemaSummary{Name: sc.name, ARN: sc.arn, LastModified: sc.lastModified,
				VersionCount: len(sc.versions), Tags: copyTags(sc.tags)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// ListSchemaVersions returns every version of a schema, oldest first.
func (s *Service) ListSchemaVersions(_ context.Context, registryName, name string) ([]VersionSummary, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, err := s.schemaLocked(registryName, name)
	if err != nil {
		return nil, err
	}
	out := make([]VersionSummary, len(sc.versions))
	for i, v := range sc.versions {
		out[i] = VersionSummary{Name: sc.name, ARN: sc.arn, Version: strconv.Itoa(i + 1), Type: v.typ}
	}
	return out, nil
}

// DeleteSchema deletes a schema and all its versions.
func (s *Service) DeleteSchema(_ context.Context, registryName, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.schemaLocked(registryName, name); err != nil {
		return err
	}
	delete(s.registries[registryName].schemas, name)
	return nil
}

// view copies version n (1-based) of a schema out of the lock. Must hold
// s.mu.
func (sc *schema) view(registryName string, n int) SchemaVersion {
	v := sc.versions[n-1]
	return SchemaVersion{RegistryName: registryName, Name: sc.name, ARN: sc.arn, Description: sc.description,
		Type: v.typ, Version: strconv.Itoa(n), Content: v.content, LastModified: sc.lastModified,
		VersionCreated: v.created, Tags: copyTags(sc.tags)}
}

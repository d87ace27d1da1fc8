package eventschemas

import (
	"context"
	"errors"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation types the registry owns. Both
// change in place on update (the engine's Updater): a schema whose content
// or type changes gets a new version, as CloudFormation's "No
// interruption" update does; a new RegistryName or SchemaName replaces.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::EventSchemas::Registry": registryProvisioner{s},
		"AWS::EventSchemas::Schema":   schemaProvisioner{s},
	}
}

func stringProp(props map[string]any, key string) string {
	v, _ := props[key].(string)
	return v
}

// tagsProp reads CloudFormation's [{Key, Value}] tag list.
func tagsProp(props map[string]any) map[string]string {
	list, _ := props["Tags"].([]any)
	tags := map[string]string{}
	for _, t := range list {
		m, _ := t.(map[string]any)
		if k := stringProp(m, "Key"); k != "" {
			tags[k] = stringProp(m, "Value")
		}
	}
	return tags
}

// nameFor is the name a resource gets: the template's, else the one it
// already has when an update keeps an unnamed resource unnamed, else a
// generated one.
func nameFor(req cfnresource.Request, key, current, previous string, max int) string {
	if n := stringProp(req.Properties, key); n != "" {
		return n
	}
	if current != "" && previous == "" {
		return current
	}
	return req.GeneratedName(max)
}

// resourcePath returns what follows "kind/" in a schemas ARN
// ("registry/NAME" → "NAME", "schema/REG/NAME" → "REG/NAME").
func resourcePath(physicalID, kind string) string {
	a, err := arn.Parse(physicalID)
	if err != nil {
		return physicalID
	}
	return strings.TrimPrefix(a.Resource, kind+"/")
}

// isNotFound tells a NotFoundException, which Delete treats as done:
// deleting a registry removes its schemas first.
func isNotFound(err error) bool {
	var e *awsproto.Error
	return errors.As(err, &e) && e.Code == "NotFoundException"
}

// registryProvisioner creates AWS::EventSchemas::Registry. Ref and
// PhysicalID are the registry ARN; attributes RegistryArn, RegistryName.
type registryProvisioner struct{ s *Service }

// maxGeneratedRegistryName keeps generated names short enough for AWS's
// registry name limit.
const maxGeneratedRegistryName = 64

func (p registryProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	return p.create(ctx, req, nameFor(req, "RegistryName", "", "", maxGeneratedRegistryName))
}

func (p registryProvisioner) create(ctx context.Context, req cfnresource.Request, name string) (cfnresource.Resource, error) {
	r, err := p.s.CreateRegistry(ctx, RegistryInput{Name: name, Description: stringProp(req.Properties, "Description"), Tags: tagsProp(req.Properties)})
	if err != nil {
		return cfnresource.Resource{}, err
	}
	return registryResource(r), nil
}

func registryResource(r Registry) cfnresource.Resource {
	return cfnresource.Resource{PhysicalID: r.ARN, Attributes: map[string]any{"RegistryArn": r.ARN, "RegistryName": r.Name}}
}

func (p registryProvisioner) Update(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error) {
	current := resourcePath(res.PhysicalID, "registry")
	name := nameFor(req, "RegistryName", current, stringProp(old.Properties, "RegistryName"), maxGeneratedRegistryName)
	if name != current {
		created, err := p.create(ctx, req, name)
		if err != nil {
			return cfnresource.Resource{}, err
		}
		return created, p.Delete(ctx, old, res)
	}
	r, err := p.s.UpdateRegistry(ctx, name, stringProp(req.Properties, "Description"))
	if err != nil {
		return cfnresource.Resource{}, err
	}
	return registryResource(r), nil
}

func (p registryProvisioner) Delete(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	if err := p.s.DeleteRegistry(ctx, resourcePath(res.PhysicalID, "registry")); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

// schemaProvisioner creates AWS::EventSchemas::Schema. Ref and PhysicalID
// are the schema ARN; attributes SchemaArn, SchemaName, SchemaVersion.
type schemaProvisioner struct{ s *Service }

// maxGeneratedSchemaName bounds generated schema names.
const maxGeneratedSchemaName = 64

func (p schemaProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	return p.create(ctx, req, nameFor(req, "SchemaName", "", "", maxGeneratedSchemaName))
}

func (p schemaProvisioner) create(ctx context.Context, req cfnresource.Request, name string) (cfnresource.Resource, error) {
	props := req.Properties
	v, err := p.s.CreateSchema(ctx, SchemaInput{RegistryName: stringProp(props, "RegistryName"), Name: name,
		Type: stringProp(props, "Type"), Content: stringProp(props, "Content"),
		Description: stringProp(props, "Description"), Tags: tagsProp(props)})
	if err != nil {
		return cfnresource.Resource{}, err
	}
	return schemaResource(v), nil
}

func schemaResource(v SchemaVersion) cfnresource.Resource {
	return cfnresource.Resource{PhysicalID: v.ARN,
		Attributes: map[string]any{"SchemaArn": v.ARN, "SchemaName": v.Name, "SchemaVersion": v.Version}}
}

func (p schemaProvisioner) Update(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error) {
	currentRegistry, current, _ := strings.Cut(resourcePath(res.PhysicalID, "schema"), "/")
	name := nameFor(req, "SchemaName", current, stringProp(old.Properties, "SchemaName"), maxGeneratedSchemaName)
	registryName := stringProp(req.Properties, "RegistryName")
	if name != current || registryName != currentRegistry {
		created, err := p.create(ctx, req, name)
		if err != nil {
			return cfnresource.Resource{}, err
		}
		return created, p.Delete(ctx, old, res)
	}
	content, description := stringProp(req.Properties, "Content"), stringProp(req.Properties, "Description")
	v, err := p.s.UpdateSchema(ctx, SchemaUpdate{RegistryName: registryName, Name: name,
		Type: stringProp(req.Properties, "Type"), Content: &content, Description: &description})
	if err != nil {
		return cfnresource.Resource{}, err
	}
	return schemaResource(v), nil
}

func (p schemaProvisioner) Delete(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	registryName, name, _ := strings.Cut(resourcePath(res.PhysicalID, "schema"), "/")
	if err := p.s.DeleteSchema(ctx, registryName, name); err != nil && !isNotFound(err) {
		return err
	}
	return nil
}

package eventschemas

import (
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Options configure a Service.
type Options struct {
	// Clock stamps schema versions (VersionCreatedDate, LastModified);
	// clock.Real{} when nil.
	Clock clock.Clock
}

// Service is the local schema registry.
type Service struct {
	clock clock.Clock

	mu sync.Mutex
	// registries by name. Must hold mu.
	registries map[string]*registry
}

// registry is a custom registry and its schemas by name.
type registry struct {
	name, arn, description string
	tags                   map[string]string
	schemas                map[string]*schema
}

// schema keeps every version of one schema; versions[i] is version i+1.
type schema struct {
	name, arn, description string
	tags                   map[string]string
	lastModified           time.Time
	versions               []version
}

type version struct {
	content, typ string
	created      time.Time
}

// New returns a registry service with no registries.
func New(o Options) *Service {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	return &Service{clock: o.Clock, registries: map[string]*registry{}}
}

// Route is the schemas API's gateway route: signed requests carry the
// signing name "schemas"; unsigned ones are told apart by path.
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "schemas", SigningNames: []string{"schemas"},
		PathPrefixes: []string{"/v1/registries"}, Auth: sigv4.RESTJSON, Handler: s.routes()}
}

// RegistryARN is the ARN of the custom registry name.
func RegistryARN(name string) string { return arn.New("schemas", "registry/"+name) }

// SchemaARN is the ARN of schema name in registry.
func SchemaARN(registry, name string) string {
	return arn.New("schemas", "schema/"+registry+"/"+name)
}

// registryLocked finds a registry. Must hold s.mu.
func (s *Service) registryLocked(name string) (*registry, error) {
	r, ok := s.registries[name]
	if !ok {
		return nil, errRegistryNotFound(name)
	}
	return r, nil
}

// schemaLocked finds a schema of a registry. Must hold s.mu.
func (s *Service) schemaLocked(registryName, name string) (*schema, error) {
	r, err := s.registryLocked(registryName)
	if err != nil {
		return nil, err
	}
	sc, ok := r.schemas[name]
	if !ok {
		return nil, errSchemaNotFound(name)
	}
	return sc, nil
}

func copyTags(t map[string]string) map[string]string {
	if len(t) == 0 {
		return nil
	}
	c := make(map[string]string, len(t))
	for k, v := range t {
		c[k] = v
	}
	return c
}

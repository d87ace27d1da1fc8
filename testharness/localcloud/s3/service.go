package s3

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Event is an S3 event for EventBridge's default bus: the envelope fields
// S3 decides (source, detail-type, resources, time) and the detail.
type Event struct {
	Source     string // always "aws.s3"
	DetailType string // "Object Created" or "Object Deleted"
	Resources  []string
	Detail     json.RawMessage
	Time       time.Time
}

// EventPublisher receives the EventBridge events of buckets that enable
// them. The wiring connects it to EventBridge's default bus.
type EventPublisher interface {
	PublishEvent(ctx context.Context, e Event) error
}

// Options configure a Service.
type Options struct {
	// Clock stamps objects and events; clock.Real{} when nil.
	Clock clock.Clock
	// Events receives EventBridge notifications; none are sent when nil.
	Events EventPublisher
	// OnPublishError is told when Events fails. S3 delivers events
	// asynchronously, so a failed delivery never fails the S3 request.
	OnPublishError func(error)
	// Backend stores buckets and objects; NewMemoryBackend() when nil.
	Backend Backend
	// HostSuffixes are the host names (without port) under which a
	// request's host names a bucket ("bucket.localhost"). The defaults
	// cover localhost and amazonaws.com names.
	HostSuffixes []string
}

// Service is the local S3.
type Service struct {
	clock     clock.Clock
	events    EventPublisher
	onPubErr  func(error)
	hostNames []string

	mu      sync.Mutex
	backend Backend            // guarded by mu
	uploads map[string]*upload // guarded by mu, by upload id
}

// DefaultHostSuffixes are the hosts whose subdomains are buckets.
var DefaultHostSuffixes = []string{"s3.localhost", "localhost", "s3.amazonaws.com", "s3.us-east-1.amazonaws.com"}

// New returns an S3 service with no buckets.
func New(o Options) *Service {
	s := &Service{clock: o.Clock, events: o.Events, onPubErr: o.OnPublishError,
		hostNames: o.HostSuffixes, backend: o.Backend, uploads: map[string]*upload{}}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.backend == nil {
		s.backend = NewMemoryBackend()
	}
	if s.hostNames == nil {
		s.hostNames = DefaultHostSuffixes
	}
	return s
}

// Route is S3's gateway route: signed requests name "s3"; unsigned and
// presigned ones arrive as the gateway's fallback.
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "s3", SigningNames: []string{"s3"}, Fallback: true, Auth: sigv4.S3, Handler: s}
}

// bucket returns an existing bucket or NoSuchBucket. Must hold s.mu.
func (s *Service) bucket(name string) (*Bucket, error) {
	b := s.backend.Bucket(name)
	if b == nil {
		return nil, errNoSuchBucket(name)
	}
	return b, nil
}

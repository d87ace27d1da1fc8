package dynamodbstreams

import (
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Limits DynamoDB Streams documents (DynamoDB Developer Guide, "Change
// data capture for DynamoDB Streams"; API Reference, GetShardIterator).
const (
	// Retention is how long a stream keeps a record.
	Retention = 24 * time.Hour
	// IteratorLifetime is how long a shard iterator may be used.
	IteratorLifetime = 15 * time.Minute
	maxGetRecords    = 1000
	maxListStreams   = 100
	maxShards        = 100
)

// Options configure a Service.
type Options struct {
	// Clock drives record times, retention and iterator expiry; the wall
	// clock when nil.
	Clock clock.Clock
}

// Service holds every stream of the local account.
type Service struct {
	clock clock.Clock

	mu      sync.Mutex
	streams map[string]*stream // by ARN
	order   []*stream          // creation order, for ListStreams
	counter uint64             // last sequence counter handed out
}

// New returns an empty service.
func New(opts Options) *Service {
	c := opts.Clock
	if c == nil {
		c = clock.Real{}
	}
	return &Service{clock: c, streams: map[string]*stream{}}
}

// Route returns the gateway route of the DynamoDB Streams API. It claims
// requests by X-Amz-Target, since DynamoDB Streams clients sign with the
// same name ("dynamodb") as DynamoDB's.
func (s *Service) Route() gateway.Route {
	return gateway.Route{
		Service: "dynamodbstreams",
		// Clients sign for DynamoDB Streams as "dynamodb".
		SigningNames:   []string{"dynamodb"},
		TargetPrefixes: []string{targetPrefix},
		Auth:           sigv4.JSON,
		Handler:        s.api(),
	}
}

const targetPrefix = "DynamoDBStreams_20120810"

// api is the table of the operations the service answers.
func (s *Service) api() *awsproto.JSONService {
	return &awsproto.JSONService{
		TargetPrefix: targetPrefix,
		ContentType:  "application/x-amz-json-1.0",
		Operations: map[string]awsproto.JSONOperation{
			"ListStreams":      awsproto.JSONOp(s.listStreams),
			"DescribeStream":   awsproto.JSONOp(s.describeStream),
			"GetShardIterator": awsproto.JSONOp(s.getShardIterator),
			"GetRecords":       awsproto.JSONOp(s.getRecords),
		},
	}
}

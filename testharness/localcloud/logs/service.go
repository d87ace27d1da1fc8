package logs

import (
	"net/http"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// targetPrefix is the X-Amz-Target prefix of the CloudWatch Logs API
// (awsJson1.1, API version 2014-03-28).
const targetPrefix = "Logs_20140328"

// Options configure a Service. Every field is optional.
type Options struct {
	// Clock stamps ingestion times and decides which events are too old,
	// too new or past retention (clock.Real{} when nil).
	Clock clock.Clock
	// CreateMissingGroups makes PutEvents create a log group that does not
	// exist, as Lambda does when its execution role may logs:CreateLogGroup.
	// Without it PutEvents fails on a missing group, as Lambda's writes do
	// when the role lacks that permission.
	CreateMissingGroups bool
	// MaxGroupBytes bounds the message bytes a log group keeps
	// (DefaultMaxGroupBytes when 0): past it the group's oldest events
	// are dropped, as retention would drop them, until it holds 90% of it.
	// AWS keeps logs without limit; the local cloud keeps them in memory.
	MaxGroupBytes int64
}

// DefaultMaxGroupBytes is the local cloud's budget for one log group.
const DefaultMaxGroupBytes = 32 << 20

// Service is the local CloudWatch Logs.
type Service struct {
	clock         clock.Clock
	createGroups  bool
	maxGroupBytes int64

	mu     sync.RWMutex
	groups map[string]*group // guarded by mu, by name

	subMu  sync.Mutex
	subs   map[string]map[int]func(Event) // guarded by subMu, by group name
	nextID int                            // guarded by subMu
}

// New returns an empty CloudWatch Logs service.
func New(o Options) *Service {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.MaxGroupBytes <= 0 {
		o.MaxGroupBytes = DefaultMaxGroupBytes
	}
	return &Service{
		clock:         o.Clock,
		createGroups:  o.CreateMissingGroups,
		maxGroupBytes: o.MaxGroupBytes,
		groups:        map[string]*group{},
		subs:          map[string]map[int]func(Event){},
	}
}

// Route is CloudWatch Logs' gateway route.
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "logs", SigningNames: []string{"logs"},
		TargetPrefixes: []string{targetPrefix}, Auth: sigv4.JSON, Handler: s.handler()}
}

func (s *Service) handler() http.Handler {
	return &awsproto.JSONService{TargetPrefix: targetPrefix, ContentType: "application/x-amz-json-1.1",
		Operations: s.operations()}
}

// operations is the table of the API operations the service answers; any
// other target gets UnknownOperationException, as AWS answers one.
func (s *Service) operations() map[string]awsproto.JSONOperation {
	return map[string]awsproto.JSONOperation{
		"CreateLogGroup":        awsproto.JSONOp(s.createLogGroup),
		"DeleteLogGroup":        awsproto.JSONOp(s.deleteLogGroup),
		"DescribeLogGroups":     awsproto.JSONOp(s.describeLogGroups),
		"PutRetentionPolicy":    awsproto.JSONOp(s.putRetentionPolicy),
		"DeleteRetentionPolicy": awsproto.JSONOp(s.deleteRetentionPolicy),

		"CreateLogStream":    awsproto.JSONOp(s.createLogStream),
		"DeleteLogStream":    awsproto.JSONOp(s.deleteLogStream),
		"DescribeLogStreams": awsproto.JSONOp(s.describeLogStreams),

		"PutLogEvents":    awsproto.JSONOp(s.putLogEvents),
		"GetLogEvents":    awsproto.JSONOp(s.getLogEvents),
		"FilterLogEvents": awsproto.JSONOp(s.filterLogEvents),

		"PutMetricFilter":       awsproto.JSONOp(s.putMetricFilter),
		"DescribeMetricFilters": awsproto.JSONOp(s.describeMetricFilters),
		"DeleteMetricFilter":    awsproto.JSONOp(s.deleteMetricFilter),
		"TestMetricFilter":      awsproto.JSONOp(s.testMetricFilter),

		"TagResource":         awsproto.JSONOp(s.tagResource),
		"UntagResource":       awsproto.JSONOp(s.untagResource),
		"ListTagsForResource": awsproto.JSONOp(s.listTagsForResource),
	}
}

// nowMillis is the service clock in epoch milliseconds, the unit of every
// time in the API.
func (s *Service) nowMillis() int64 { return s.clock.Now().UnixMilli() }

func millisToTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

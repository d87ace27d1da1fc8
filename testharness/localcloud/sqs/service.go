package sqs

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Options configure a Service.
type Options struct {
	// Clock drives visibility timeouts, delays, retention and long
	// polling; clock.Real{} when nil.
	Clock clock.Clock
	// Endpoint is the local cloud's URL ("http://127.0.0.1:4566"), for
	// the queue URLs of provisioned queues and Go API answers; API
	// answers use the request's host instead.
	Endpoint string
}

// Service is the local SQS.
type Service struct {
	clock    clock.Clock
	endpoint string
	json     *awsproto.JSONService
	query    *awsproto.QueryService

	mu     sync.Mutex
	queues map[string]*queue // guarded by mu, by name
	// watchers are Watch's callbacks by queue name and id; guarded by mu.
	watchers  map[string]map[uint64]func()
	nextWatch uint64 // guarded by mu
}

// New returns an SQS service with no queues.
func New(o Options) *Service {
	s := &Service{clock: o.Clock, endpoint: strings.TrimSuffix(o.Endpoint, "/"), queues: map[string]*queue{},
		watchers: map[string]map[uint64]func(){}}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.endpoint == "" {
		s.endpoint = "http://localhost:4566"
	}
	s.json = &awsproto.JSONService{TargetPrefix: "AmazonSQS", ContentType: "application/x-amz-json-1.0", Operations: s.jsonOperations()}
	s.query = &awsproto.QueryService{Namespace: queryNamespace, Operations: s.queryOperations()}
	return s
}

// queryNamespace is the xmlns of SQS's query-protocol responses.
const queryNamespace = "http://queue.amazonaws.com/doc/2012-11-05/"

// Route is SQS's gateway route: JSON requests carry X-Amz-Target
// AmazonSQS.*, query requests the signing name sqs; unsigned query
// requests post to a queue URL path.

func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "sqs", SigningNames: []string{"sqs"}, TargetPrefixes: []string{"AmazonSQS"},
		PathPrefixes: []string{"/" + arn.Account + "/"},
		Auth:         sigv4.JSON, QueryNamespace: queryNamespace, Handler: s}
}

type endpointKey struct{}

// endpointOf is the base URL queue URLs of a request's answer use.
func (s *Service) endpointOf(ctx context.Context) string {
	if e, ok := ctx.Value(endpointKey{}).(string); ok {
		return e
	}
	return s.endpoint
}

func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithValue(r.Context(), endpointKey{}, "http://"+r.Host)
	if strings.HasPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.") {
		s.json.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, awsproto.MaxBodyBytes)
	if err := r.ParseForm(); err != nil {
		awsproto.WriteQueryError(ctx, w, s.query.Namespace, awsproto.Errorf("MalformedQueryString", http.StatusBadRequest, "The request body could not be parsed: %v", err))
		return
	}
	// Query clients may post to the queue URL instead of naming it.
	if r.Form.Get("QueueUrl") == "" && strings.HasPrefix(r.URL.Path, "/"+arn.Account+"/") {
		r.Form.Set("QueueUrl", "http://"+r.Host+r.URL.Path)
	}
	s.query.Serve(ctx, w, r.Form)
}

// queueURL is the URL of a queue as seen from ctx.
func (s *Service) queueURL(ctx context.Context, name string) string {
	return s.endpointOf(ctx) + "/" + arn.Account + "/" + name
}

// queueByURL finds a queue from its URL; only the name (the last path
// segment) matters, so URLs from any host work. Must hold s.mu.
func (s *Service) queueByURL(url string) (*queue, error) {
	if url == "" {
		return nil, errMissingParameter("QueueUrl")
	}
	q := s.queues[url[strings.LastIndex(url, "/")+1:]]
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// queueByARN finds a queue from its ARN. Must hold s.mu.
func (s *Service) queueByARN(queueARN string) (*queue, error) {
	name, err := queueNameOf(queueARN)
	if err != nil {
		return nil, err
	}
	q := s.queues[name]
	if q == nil {
		return nil, errQueueDoesNotExist()
	}
	return q, nil
}

// queueNameOf is the name of the queue an ARN names.
func queueNameOf(queueARN string) (string, error) {
	a, err := arn.Parse(queueARN)
	if err != nil || a.Service != "sqs" {
		return "", errInvalidParameterValue("%q is not a queue ARN.", queueARN)
	}
	return a.Resource, nil
}

func (s *Service) now() time.Time { return s.clock.Now() }

// Package xray is the local AWS X-Ray: the daemon's UDP protocol (and its
// TCP proxy for sampling calls), a trace store, the query APIs with filter
// expressions, and the segments AWS Lambda records for traced invocations.
//
// Where it differs from X-Ray (all in testharness/localcloud/SUPPORT.md): traces are queryable as
// soon as a segment arrives; sampling rules are one fixed default rule;
// GetServiceGraph/GetTraceGraph statistics are computed from the stored
// segments without a "client" node; rootcause.* and group.* filter keywords
// are not supported.
package xray

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/sigv4"
)

// Retention is how long X-Ray keeps trace data.
const Retention = 30 * 24 * time.Hour

// Options configure a Service.
type Options struct {
	// Clock decides retention; clock.Real{} when nil.
	Clock clock.Clock
	// SamplingRate is the default sampling rule's FixedRate, served to SDKs
	// that use centralized sampling. AWS's default rule samples 5% after a
	// reservoir of 1 per second; locally the default is 1.0 so that every
	// request of a test is traced. Set 0.05 for AWS's behaviour.
	SamplingRate float64
	// MaxTraces bounds the traces kept (DefaultMaxTraces when 0): a new
	// trace past it drops the oldest, as retention would. X-Ray keeps 30
	// days of traces without a count limit; the local cloud keeps them in
	// memory.
	MaxTraces int
}

// DefaultMaxTraces is the local cloud's budget of traces.
const DefaultMaxTraces = 10000

// Service is the local X-Ray.
type Service struct {
	clock        clock.Clock
	samplingRate float64

	mu        sync.Mutex
	traces    map[string]*trace // guarded by mu, by trace id
	lastSweep time.Time         // guarded by mu
	maxTraces int
	// arrivals are trace ids in the order their traces were created, the
	// order MaxTraces drops them in; ids of traces retention already
	// dropped are skipped. Guarded by mu.
	arrivals []string

	subMu  sync.Mutex
	subs   map[int]func(traceID string) // guarded by subMu
	nextID int                          // guarded by subMu

	counters struct{ datagrams, segments, rejected atomic.Int64 }

	daemon *daemon // set by ListenDaemon
}

// Stats count what the service has received.
type Stats struct {
	// Datagrams is the number of UDP datagrams read by the daemon.
	Datagrams int64
	// Segments is the number of documents stored (from UDP, the API and
	// the Lambda recorder).
	Segments int64
	// Rejected is the number of documents refused (bad header, bad JSON,
	// missing fields).
	Rejected int64
}

// New returns an empty X-Ray. Call ListenDaemon to accept UDP segments.
func New(o Options) *Service {
	s := &Service{clock: o.Clock, samplingRate: o.SamplingRate, traces: map[string]*trace{},
		subs: map[int]func(string){}, maxTraces: o.MaxTraces}
	if s.maxTraces <= 0 {
		s.maxTraces = DefaultMaxTraces
	}
	if s.clock == nil {
		s.clock = clock.Real{}
	}
	if s.samplingRate == 0 {
		s.samplingRate = 1
	}
	return s
}

// Route is X-Ray's gateway route: clients sign with "xray".
func (s *Service) Route() gateway.Route {
	return gateway.Route{Service: "xray", SigningNames: []string{"xray"}, Auth: sigv4.RESTJSON, Handler: s.routes(),
		// The API's paths (routes.go) start with a capital, which no
		// bucket name does, so unsigned requests reach X-Ray, not S3.
		PathPrefixes: []string{"/TraceSegments", "/TraceSummaries", "/Traces", "/TraceGraph", "/ServiceGraph",
			"/TelemetryRecords", "/GetSamplingRules", "/SamplingTargets"}}
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	return Stats{Datagrams: s.counters.datagrams.Load(), Segments: s.counters.segments.Load(),
		Rejected: s.counters.rejected.Load()}
}

// OnSegment registers fn to be told the trace id of every stored document,
// after it is queryable. fn runs on the ingesting goroutine (the daemon's
// parser, an API request, the Lambda recorder) and must not block; a
// waiter typically does a non-blocking send on a channel. The returned
// func unregisters fn.
func (s *Service) OnSegment(fn func(traceID string)) (cancel func()) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.nextID
	s.nextID++
	s.subs[id] = fn
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		delete(s.subs, id)
	}
}

func (s *Service) notify(traceID string) {
	s.subMu.Lock()
	fns := make([]func(string), 0, len(s.subs))
	for _, fn := range s.subs {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	for _, fn := range fns {
		fn(traceID)
	}
}

// Close stops the daemon, if listening.
func (s *Service) Close() error {
	if s.daemon == nil {
		return nil
	}
	return s.daemon.close()
}

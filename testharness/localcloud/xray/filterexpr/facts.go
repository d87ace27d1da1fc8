package filterexpr

// Facts are what keywords test at one level: the whole trace, one service
// node, or one edge. X-Ray evaluates simple keywords (ok, error, http.url…)
// against the trace's root; inside service(…) { … } and edge(…) { … } the
// same keywords test that node's or edge's segments.
type Facts struct {
	// Name, Names, Type and AccountID identify a service node; at trace
	// level they are the entry point's.
	Name      string
	Names     []string
	Type      string
	AccountID string

	Ok, Error, Fault, Throttle, Partial bool
	// Inferred marks a node X-Ray infers from a subsegment (an AWS call
	// or a remote HTTP call); Root marks the trace's entry point.
	Inferred, Root bool

	// ResponseTime and Duration are in seconds.
	ResponseTime, Duration float64

	// HTTPStatus is 0 when no status was recorded.
	HTTPStatus                                       int
	HTTPURL, HTTPMethod, HTTPUserAgent, HTTPClientIP string

	Users             []string
	Messages          []string // exception messages of causes
	ResourceARNs      []string
	AvailabilityZones []string
	InstanceIDs       []string

	// Annotations maps each key to the values recorded for it: string,
	// float64 or bool.
	Annotations map[string][]any
}

// Trace is what an expression is matched against.
type Trace struct {
	Facts
	Services []Facts
	Edges    []Edge
}

// Edge is a call from one service node to another.
type Edge struct {
	Source, Destination int // indexes into Trace.Services
	Facts
}

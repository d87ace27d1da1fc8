package xray

import (
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/filterexpr"
)

// serviceKey identifies a service node: a segment's name and origin, or
// an inferred node's name and type.
type serviceKey struct{ name, typ string }

// traceView is what the query APIs need of a trace, derived from its
// documents: subsegments sent on their own joined to their parents, the
// root, service nodes and edges, and the facts filter expressions test.
type traceView struct {
	id         string
	units      []*segment            // segments, then orphan subsegments: BatchGetTraces' entries
	children   map[string][]*segment // parent id → subsegments sent on their own
	root       *segment
	start, end float64
	nodes      []viewNode
	edges      []viewEdge
	annots     map[string][]annotation
	users      map[string][]int // user → node indexes
	facts      filterexpr.Trace
}

type viewNode struct {
	key       serviceKey
	accountID string
	inferred  bool
	calls     []*segment // the segments (or, inferred, subsegments) of this node
}

type viewEdge struct {
	from, to int
	calls    []*segment // the downstream segments or subsegments on this edge
}

type annotation struct {
	value any
	nodes []int
}

func buildView(t *trace) *traceView {
	v := &traceView{id: t.id, children: map[string][]*segment{}, annots: map[string][]annotation{}, users: map[string][]int{}}
	// Every id, embedded or not, to the top-level document holding it.
	holder := map[string]*segment{}
	for _, id := range t.order {
		doc := t.docs[id]
		doc.walk(func(n *segment) { holder[n.ID] = doc })
	}
	owner := func(doc *segment) *segment { // the segment a document belongs to, nil for an orphan
		for range 64 { // bounds a parent_id cycle
			if !doc.isSubsegment() {
				return doc
			}
			p := holder[doc.ParentID]
			if p == nil || p == doc {
				return nil
			}
			doc = p
		}
		return nil
	}
	var segs, orphans []*segment
	for _, id := range t.order {
		doc := t.docs[id]
		switch {
		case !doc.isSubsegment():
			segs = append(segs, doc)
		case owner(doc) == nil:
			orphans = append(orphans, doc)
		default:
			v.children[doc.ParentID] = append(v.children[doc.ParentID], doc)
		}
	}
	v.units = append(segs, orphans...)

	nodeIdx := map[serviceKey]int{}
	nodeOf := func(k serviceKey, inferred bool, account string) int {
		i, ok := nodeIdx[k]
		if !ok {
			i = len(v.nodes)
			nodeIdx[k] = i
			v.nodes = append(v.nodes, viewNode{key: k, inferred: inferred})
		}
		if v.nodes[i].accountID == "" {
			v.nodes[i].accountID = account
		}
		return i
	}
	edgeIdx := map[[2]int]int{}
	addEdge := func(from, to int, call *segment) {
		if from == to {
			return
		}
		i, ok := edgeIdx[[2]int{from, to}]
		if !ok {
			i = len(v.edges)
			edgeIdx[[2]int{from, to}] = i
			v.edges = append(v.edges, viewEdge{from: from, to: to})
		}
		v.edges[i].calls = append(v.edges[i].calls, call)
	}

	segNode := map[*segment]int{}
	for _, sg := range segs {
		i := nodeOf(serviceKey{sg.Name, sg.Origin}, false, accountOf(sg))
		v.nodes[i].calls = append(v.nodes[i].calls, sg)
		segNode[sg] = i
		if v.root == nil || isRootCandidate(sg, holder) && (!isRootCandidate(v.root, holder) || sg.StartTime < v.root.StartTime) {
			v.root = sg
		}
	}
	first := true
	for _, u := range v.units {
		from := -1
		if i, ok := segNode[u]; ok {
			from = i
			if p := holder[u.ParentID]; p != nil {
				if o := owner(p); o != nil {
					addEdge(segNode[o], from, u)
				}
			}
		}
		v.walkAll(u, func(n *segment) {
			if first || n.StartTime < v.start {
				v.start = n.StartTime
			}
			if first || n.end() > v.end {
				v.end = n.end()
			}
			first = false
			if n != u && from >= 0 && (n.Namespace == "aws" || n.Namespace == "remote") {
				k := serviceKey{n.Name, "remote"}
				if n.Namespace == "aws" {
					k.typ = "AWS::" + n.Name
				}
				to := nodeOf(k, true, "")
				v.nodes[to].calls = append(v.nodes[to].calls, n)
				addEdge(from, to, n)
			}
			var at []int
			if from >= 0 {
				at = []int{from}
			}
			for key, val := range n.Annotations {
				v.addAnnotation(key, val, at)
			}
			if n.User != "" {
				v.users[n.User] = appendUnique(v.users[n.User], at...)
			}
		})
	}
	v.facts = v.buildFacts(orphans)
	return v
}

// isRootCandidate: a segment whose parent is not in the trace.
func isRootCandidate(sg *segment, holder map[string]*segment) bool {
	return sg.ParentID == "" || holder[sg.ParentID] == nil
}

// accountOf is a segment's account: aws.account_id, else its resource ARN's.
func accountOf(sg *segment) string {
	if sg.AWS != nil && sg.AWS.AccountID != "" {
		return sg.AWS.AccountID
	}
	if a, err := arn.Parse(sg.ResourceARN); err == nil {
		return a.Account
	}
	return ""
}

func (v *traceView) addAnnotation(key string, val any, at []int) {
	switch val.(type) {
	case string, float64, bool:
	default:
		return // X-Ray indexes only strings, numbers and booleans
	}
	list := v.annots[key]
	for i := range list {
		if list[i].value == val {
			list[i].nodes = appendUnique(list[i].nodes, at...)
			return
		}
	}
	v.annots[key] = append(list, annotation{value: val, nodes: appendUnique(nil, at...)})
}

func appendUnique(list []int, xs ...int) []int {
	for _, x := range xs {
		found := false
		for _, y := range list {
			found = found || y == x
		}
		if !found {
			list = append(list, x)
		}
	}
	return list
}

// walkAll calls fn for s, its embedded subsegments and the subsegments
// sent on their own that hang below them.
func (v *traceView) walkAll(s *segment, fn func(*segment)) {
	fn(s)
	for _, sub := range s.Subsegments {
		if sub != nil {
			v.walkAll(sub, fn)
		}
	}
	for _, c := range v.children[s.ID] {
		v.walkAll(c, fn)
	}
}

// buildFacts derives what filter expressions test: trace level from the
// root segment (as X-Ray's simple keywords do), node and edge level from
// their calls.
func (v *traceView) buildFacts(orphans []*segment) filterexpr.Trace {
	var t filterexpr.Trace
	t.Partial = len(orphans) > 0
	t.Annotations = map[string][]any{}
	for key, list := range v.annots {
		for _, a := range list {
			t.Annotations[key] = append(t.Annotations[key], a.value)
		}
	}
	for u := range v.users {
		t.Users = append(t.Users, u)
	}
	for _, u := range v.units {
		v.walkAll(u, func(n *segment) {
			t.Partial = t.Partial || n.InProgress
			t.Throttle = t.Throttle || n.throttled()
			t.Messages = append(t.Messages, n.exceptionMessages()...)
			if n.ResourceARN != "" {
				t.ResourceARNs = appendString(t.ResourceARNs, n.ResourceARN)
			}
			if n.AWS != nil && n.AWS.EC2 != nil {
				t.AvailabilityZones = appendString(t.AvailabilityZones, n.AWS.EC2.AvailabilityZone)
				t.InstanceIDs = appendString(t.InstanceIDs, n.AWS.EC2.InstanceID)
			}
		})
	}
	t.Duration = v.end - v.start
	if r := v.root; r != nil {
		t.Name, t.Type = r.Name, r.Origin
		t.Fault, t.Error = r.faulted(), r.errored()
		t.ResponseTime = r.end() - r.StartTime
		setHTTP(&t.Facts, r)
	}
	t.Ok = !t.Fault && !t.Error && !t.Throttle
	for i, n := range v.nodes {
		f := callFacts(n.calls)
		f.Name, f.Names, f.Type, f.AccountID, f.Inferred = n.key.name, []string{n.key.name}, n.key.typ, n.accountID, n.inferred
		f.Root = v.root != nil && n.key == (serviceKey{v.root.Name, v.root.Origin})
		f.Annotations = map[string][]any{}
		for key, list := range v.annots {
			for _, a := range list {
				if containsInt(a.nodes, i) {
					f.Annotations[key] = append(f.Annotations[key], a.value)
				}
			}
		}
		for u, at := range v.users {
			if containsInt(at, i) {
				f.Users = append(f.Users, u)
			}
		}
		t.Services = append(t.Services, f)
	}
	for _, e := range v.edges {
		t.Edges = append(t.Edges, filterexpr.Edge{Source: e.from, Destination: e.to, Facts: callFacts(e.calls)})
	}
	return t
}

// callFacts aggregates the calls of a node or an edge: any fault, error
// or throttle counts; response time is the slowest call's.
func callFacts(calls []*segment) filterexpr.Facts {
	var f filterexpr.Facts
	for _, c := range calls {
		f.Fault = f.Fault || c.faulted()
		f.Error = f.Error || c.errored()
		f.Throttle = f.Throttle || c.throttled()
		f.Partial = f.Partial || c.InProgress
		if d := c.end() - c.StartTime; d > f.ResponseTime {
			f.ResponseTime, f.Duration = d, d
		}
		if f.HTTPStatus == 0 && f.HTTPURL == "" {
			setHTTP(&f, c)
		}
		if c.ResourceARN != "" {
			f.ResourceARNs = appendString(f.ResourceARNs, c.ResourceARN)
		}
		f.Messages = append(f.Messages, c.exceptionMessages()...)
	}
	f.Ok = !f.Fault && !f.Error && !f.Throttle
	return f
}

func setHTTP(f *filterexpr.Facts, s *segment) {
	if s.HTTP == nil {
		return
	}
	if r := s.HTTP.Request; r != nil {
		f.HTTPURL, f.HTTPMethod, f.HTTPUserAgent, f.HTTPClientIP = r.URL, r.Method, r.UserAgent, r.ClientIP
	}
	f.HTTPStatus = s.status()
}

func appendString(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return list
		}
	}
	return append(list, s)
}

func containsInt(list []int, x int) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

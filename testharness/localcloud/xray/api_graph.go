package xray

import (
	"context"
	"math"
	"sort"
)

// Service graphs are computed from the stored segments: one node per
// service (segment name and origin) and per inferred downstream (AWS or
// remote calls recorded as subsegments), edges from caller to callee.
// Simplified: no "client" node before the entry point, histograms bucket
// by millisecond, and State is always "active".

type getServiceGraphInput struct {
	StartTime *float64
	EndTime   *float64
	GroupName string
	GroupARN  string
	NextToken string
}

type getServiceGraphOutput struct {
	StartTime                float64
	EndTime                  float64
	Services                 []serviceOut
	ContainsOldGroupVersions bool
}

type getTraceGraphInput struct {
	TraceIds  []string
	NextToken string
}

type getTraceGraphOutput struct {
	Services []serviceOut
}

type serviceOut struct {
	ReferenceId           int
	Name                  string
	Names                 []string
	AccountId             string `json:",omitempty"`
	Type                  string `json:",omitempty"`
	State                 string
	Root                  bool
	StartTime             float64
	EndTime               float64
	Edges                 []edgeOut
	SummaryStatistics     statistics
	DurationHistogram     []histogramEntry
	ResponseTimeHistogram []histogramEntry
}

type edgeOut struct {
	ReferenceId           int
	StartTime             float64
	EndTime               float64
	SummaryStatistics     statistics
	ResponseTimeHistogram []histogramEntry
	Aliases               []struct{}
}

type statistics struct {
	OkCount           int64
	ErrorStatistics   errorStatistics
	FaultStatistics   faultStatistics
	TotalCount        int64
	TotalResponseTime float64
}

type errorStatistics struct{ ThrottleCount, OtherCount, TotalCount int64 }
type faultStatistics struct{ OtherCount, TotalCount int64 }

type histogramEntry struct {
	Value float64
	Count int
}

func (s *Service) getServiceGraph(_ context.Context, in *getServiceGraphInput) (*getServiceGraphOutput, error) {
	if in.StartTime == nil || in.EndTime == nil {
		return nil, invalidRequest("StartTime and EndTime are required")
	}
	start, end := *in.StartTime, *in.EndTime
	if end < start {
		return nil, invalidRequest("EndTime must be after StartTime")
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	var views []*traceView
	for _, t := range s.traces {
		if v := s.viewLocked(t); v.start < end && v.end >= start {
			views = append(views, v)
		}
	}
	s.mu.Unlock()
	return &getServiceGraphOutput{StartTime: start, EndTime: end, Services: graph(views)}, nil
}

func (s *Service) getTraceGraph(_ context.Context, in *getTraceGraphInput) (*getTraceGraphOutput, error) {
	if len(in.TraceIds) == 0 {
		return nil, invalidRequest("TraceIds must not be empty")
	}
	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	var views []*traceView
	for _, id := range in.TraceIds {
		if t := s.traces[id]; t != nil {
			views = append(views, s.viewLocked(t))
		}
	}
	s.mu.Unlock()
	return &getTraceGraphOutput{Services: graph(views)}, nil
}

// graph merges the nodes and edges of traces; reference ids follow the
// order in which nodes first appear, traces taken oldest first.
func graph(views []*traceView) []serviceOut {
	sort.Slice(views, func(i, j int) bool {
		if views[i].start != views[j].start {
			return views[i].start < views[j].start
		}
		return views[i].id < views[j].id
	})
	type edgeAcc struct{ calls []*segment }
	type nodeAcc struct {
		node  viewNode
		root  bool
		calls []*segment
		edges map[int]*edgeAcc
	}
	ref := map[serviceKey]int{}
	var nodes []*nodeAcc
	for _, v := range views {
		local := make([]int, len(v.nodes))
		for i, n := range v.nodes {
			r, ok := ref[n.key]
			if !ok {
				r = len(nodes)
				ref[n.key] = r
				nodes = append(nodes, &nodeAcc{node: viewNode{key: n.key, accountID: n.accountID, inferred: n.inferred},
					edges: map[int]*edgeAcc{}})
			}
			local[i] = r
			nodes[r].calls = append(nodes[r].calls, n.calls...)
			nodes[r].root = nodes[r].root || v.facts.Services[i].Root
		}
		for _, e := range v.edges {
			from, to := nodes[local[e.from]], local[e.to]
			if from.edges[to] == nil {
				from.edges[to] = &edgeAcc{}
			}
			from.edges[to].calls = append(from.edges[to].calls, e.calls...)
		}
	}
	out := []serviceOut{}
	for r, n := range nodes {
		so := serviceOut{ReferenceId: r, Name: n.node.key.name, Names: []string{n.node.key.name},
			AccountId: n.node.accountID, Type: n.node.key.typ, State: "active", Root: n.root, Edges: []edgeOut{},
			SummaryStatistics: statsOf(n.calls), DurationHistogram: histogram(n.calls),
			ResponseTimeHistogram: histogram(n.calls)}
		so.StartTime, so.EndTime = span(n.calls)
		targets := make([]int, 0, len(n.edges))
		for to := range n.edges {
			targets = append(targets, to)
		}
		sort.Ints(targets)
		for _, to := range targets {
			calls := n.edges[to].calls
			eo := edgeOut{ReferenceId: to, SummaryStatistics: statsOf(calls), ResponseTimeHistogram: histogram(calls),
				Aliases: []struct{}{}}
			eo.StartTime, eo.EndTime = span(calls)
			so.Edges = append(so.Edges, eo)
		}
		out = append(out, so)
	}
	return out
}

func statsOf(calls []*segment) statistics {
	var st statistics
	for _, c := range calls {
		st.TotalCount++
		st.TotalResponseTime += c.end() - c.StartTime
		switch {
		case c.faulted():
			st.FaultStatistics.TotalCount++
			st.FaultStatistics.OtherCount++
		case c.throttled():
			st.ErrorStatistics.TotalCount++
			st.ErrorStatistics.ThrottleCount++
		case c.errored():
			st.ErrorStatistics.TotalCount++
			st.ErrorStatistics.OtherCount++
		default:
			st.OkCount++
		}
	}
	st.TotalResponseTime = round3(st.TotalResponseTime)
	return st
}

func span(calls []*segment) (start, end float64) {
	start, end = math.Inf(1), 0
	for _, c := range calls {
		start = math.Min(start, c.StartTime)
		end = math.Max(end, c.end())
	}
	if len(calls) == 0 {
		start = 0
	}
	return start, end
}

// histogram counts calls by response time rounded to the millisecond.
func histogram(calls []*segment) []histogramEntry {
	counts := map[float64]int{}
	for _, c := range calls {
		counts[round3(c.end()-c.StartTime)]++
	}
	out := make([]histogramEntry, 0, len(counts))
	for v, n := range counts {
		out = append(out, histogramEntry{Value: v, Count: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// Package tracefmt turns X-Ray traces into a waterfall: every segment and
// subsegment as a row, indented under its parent, with its start and
// duration on one time axis shared by all the traces shown, and its fault,
// error and throttle flags. Text renders it for a terminal, HTML as a
// self-contained page.
//
// Several traces are drawn on one axis because one correlation id spans
// several traces: AWS does not carry the X-Ray context across an S3
// notification or a DynamoDB stream, so the upload and the function it
// triggers are separate traces that only the correlation id joins.
package tracefmt

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"time"

	xraytypes "github.com/aws/aws-sdk-go-v2/service/xray/types"
)

// Row is one segment or subsegment of the waterfall.
type Row struct {
	TraceID string
	ID      string
	// Depth is 0 for a segment, 1 for its subsegments, and so on.
	Depth int
	// Name is the (sub)segment name, with the AWS operation when X-Ray
	// recorded one ("S3 GetObject").
	Name string
	// Origin is the segment's origin ("AWS::Lambda::Function"); empty for
	// subsegments.
	Origin string
	Start  time.Time
	// End equals Start for a (sub)segment still in progress.
	End        time.Time
	InProgress bool
	Fault      bool
	Error      bool
	Throttle   bool
	// Cause is the first exception's message, when X-Ray recorded one.
	Cause string
}

// Duration is how long the row took (zero while in progress).
func (r Row) Duration() time.Duration { return r.End.Sub(r.Start) }

// Waterfall is every row of a set of traces, in drawing order: segments by
// start time, each followed by its subsegments (depth first, by start time).
type Waterfall struct {
	// TraceIDs in the order the traces began.
	TraceIDs []string
	Start    time.Time
	End      time.Time
	Rows     []Row
}

// Duration is the time from the first start to the last end.
func (w *Waterfall) Duration() time.Duration { return w.End.Sub(w.Start) }

// document is the part of an X-Ray segment document the waterfall shows
// (AWS X-Ray Developer Guide, "AWS X-Ray segment documents").
type document struct {
	ID          string     `json:"id"`
	TraceID     string     `json:"trace_id"`
	ParentID    string     `json:"parent_id"`
	Name        string     `json:"name"`
	Origin      string     `json:"origin"`
	StartTime   float64    `json:"start_time"`
	EndTime     float64    `json:"end_time"`
	InProgress  bool       `json:"in_progress"`
	Fault       bool       `json:"fault"`
	Error       bool       `json:"error"`
	Throttle    bool       `json:"throttle"`
	Cause       *cause     `json:"cause"`
	AWS         *awsFields `json:"aws"`
	Subsegments []document `json:"subsegments"`
}

type awsFields struct {
	Operation string `json:"operation"`
}

// cause is either an exception id (a string) or an object; only the
// object carries a message worth showing.
type cause struct {
	Exceptions []struct {
		Message string `json:"message"`
		Type    string `json:"type"`
	} `json:"exceptions"`
}

func (c *cause) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return nil // a reference to an exception recorded elsewhere
	}
	type plain cause
	return json.Unmarshal(b, (*plain)(c))
}

// node is a document placed in the tree of its traces.
type node struct {
	doc     document
	traceID string
	// children are the nested subsegments and the separately sent
	// segments that name this one as parent.
	children []*node
}

// Build lays out the segments of traces (as BatchGetTraces returns them)
// on one axis. A segment whose parent is in the set (a Lambda function
// segment under the Lambda service segment) hangs below it; the others are
// top-level rows.
func Build(traces []xraytypes.Trace) (*Waterfall, error) {
	w := &Waterfall{}
	byID := map[string]*node{}
	var all []*node
	for _, t := range traces {
		traceID := deref(t.Id)
		w.TraceIDs = append(w.TraceIDs, traceID)
		for _, s := range t.Segments {
			var d document
			if err := json.Unmarshal([]byte(deref(s.Document)), &d); err != nil {
				return nil, fmt.Errorf("trace %s: segment %s: the document is not a segment: %w", traceID, deref(s.Id), err)
			}
			all = append(all, index(byID, d, traceID))
		}
	}
	// Name the traces in the order they began.
	first := map[string]float64{}
	for _, n := range all {
		if v, ok := first[n.traceID]; !ok || n.doc.StartTime < v {
			first[n.traceID] = n.doc.StartTime
		}
	}
	sort.SliceStable(w.TraceIDs, func(i, j int) bool { return first[w.TraceIDs[i]] < first[w.TraceIDs[j]] })

	var roots []*node
	for _, n := range all {
		if parent, ok := byID[n.doc.ParentID]; ok && n.doc.ParentID != "" && parent != n {
			parent.children = append(parent.children, n)
			continue
		}
		roots = append(roots, n)
	}
	sortNodes(roots)
	for _, r := range roots {
		w.add(r, 0)
	}
	return w, nil
}

// index makes the node of a document and of its nested subsegments, and
// records each by id, so a separately sent segment can name any of them as
// its parent.
func index(byID map[string]*node, d document, traceID string) *node {
	n := &node{doc: d, traceID: traceID}
	for _, sub := range d.Subsegments {
		n.children = append(n.children, index(byID, sub, traceID))
	}
	byID[d.ID] = n
	return n
}

func sortNodes(ns []*node) {
	sort.SliceStable(ns, func(i, j int) bool { return ns[i].doc.StartTime < ns[j].doc.StartTime })
}

// add appends n's row and, depth first, its subsegments' and children's.
func (w *Waterfall) add(n *node, depth int) {
	d := n.doc
	row := Row{
		TraceID: n.traceID, ID: d.ID, Depth: depth, Name: d.Name, Origin: d.Origin,
		Start: epoch(d.StartTime), End: epoch(d.EndTime), InProgress: d.InProgress,
		Fault: d.Fault, Error: d.Error, Throttle: d.Throttle,
	}
	if d.AWS != nil && d.AWS.Operation != "" && d.Name != d.AWS.Operation {
		row.Name = d.Name + " " + d.AWS.Operation
	}
	if d.InProgress || d.EndTime < d.StartTime {
		row.End = row.Start
	}
	if d.Cause != nil && len(d.Cause.Exceptions) > 0 {
		row.Cause = d.Cause.Exceptions[0].Message
		if row.Cause == "" {
			row.Cause = d.Cause.Exceptions[0].Type
		}
	}
	if w.Start.IsZero() || row.Start.Before(w.Start) {
		w.Start = row.Start
	}
	if row.End.After(w.End) {
		w.End = row.End
	}
	w.Rows = append(w.Rows, row)

	sortNodes(n.children)
	for _, k := range n.children {
		w.add(k, depth+1)
	}
}

func epoch(sec float64) time.Time {
	whole, frac := math.Modf(sec)
	return time.Unix(int64(whole), int64(math.Round(frac*1e6))*1e3).UTC()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

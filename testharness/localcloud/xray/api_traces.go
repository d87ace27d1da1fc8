package xray

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/filterexpr"
)

type putTraceSegmentsInput struct {
	TraceSegmentDocuments []string
}

type unprocessedSegment struct {
	Id        string `json:",omitempty"`
	ErrorCode string
	Message   string
}

type putTraceSegmentsOutput struct {
	UnprocessedTraceSegments []unprocessedSegment
}

// putTraceSegments stores each document; a bad one is reported, the others
// are stored.
func (s *Service) putTraceSegments(_ context.Context, in *putTraceSegmentsInput) (*putTraceSegmentsOutput, error) {
	if len(in.TraceSegmentDocuments) == 0 {
		return nil, invalidRequest("TraceSegmentDocuments must not be empty")
	}
	out := &putTraceSegmentsOutput{UnprocessedTraceSegments: []unprocessedSegment{}}
	for _, doc := range in.TraceSegmentDocuments {
		err := s.ingest([]byte(doc))
		var bad *invalidSegment
		if errors.As(err, &bad) {
			out.UnprocessedTraceSegments = append(out.UnprocessedTraceSegments,
				unprocessedSegment{Id: bad.ID, ErrorCode: bad.Code, Message: bad.Error()})
		}
	}
	return out, nil
}

type getTraceSummariesInput struct {
	StartTime        *float64
	EndTime          *float64
	TimeRangeType    string
	FilterExpression string
	Sampling         bool
	NextToken        string
}

type getTraceSummariesOutput struct {
	TraceSummaries       []traceSummary
	ApproximateTime      float64
	TracesProcessedCount int64
	NextToken            string `json:",omitempty"`
}

// summaryPage is how many summaries one GetTraceSummaries page holds.
const summaryPage = 100

// getTraceSummaries lists the traces of a time window that match the
// filter. The TimeRangeType decides which time is compared with the window:
// TraceId (the default) the time encoded in the trace id, Event any
// segment activity overlapping the window, Service the root segment's
// start. Sampling is accepted and ignored (every match is returned).
func (s *Service) getTraceSummaries(_ context.Context, in *getTraceSummariesInput) (*getTraceSummariesOutput, error) {
	if in.StartTime == nil || in.EndTime == nil {
		return nil, invalidRequest("StartTime and EndTime are required")
	}
	if *in.EndTime < *in.StartTime {
		return nil, invalidRequest("EndTime must be after StartTime")
	}
	inRange, err := timeRange(in.TimeRangeType, *in.StartTime, *in.EndTime)
	if err != nil {
		return nil, err
	}
	var expr *filterexpr.Expr
	if in.FilterExpression != "" {
		if expr, err = filterexpr.Parse(in.FilterExpression); err != nil {
			return nil, invalidRequest("%v", err)
		}
	}
	offset := 0
	if in.NextToken != "" {
		if offset, err = decodeToken(in.NextToken); err != nil {
			return nil, err
		}
	}

	s.mu.Lock()
	s.sweepLocked(s.clock.Now())
	var processed int64
	var matched []*traceView
	for _, t := range s.traces {
		v := s.viewLocked(t)
		if !inRange(v) {
			continue
		}
		processed++
		if expr == nil || expr.Match(&v.facts) {
			matched = append(matched, v)
		}
	}
	s.mu.Unlock()

	sort.Slice(matched, func(i, j int) bool {
		if matched[i].start != matched[j].start {
			return matched[i].start < matched[j].start
		}
		return matched[i].id < matched[j].id
	})
	out := &getTraceSummariesOutput{TraceSummaries: []traceSummary{}, TracesProcessedCount: processed,
		ApproximateTime: epoch(s.clock.Now())}
	if offset > len(matched) {
		offset = len(matched)
	}
	end := min(offset+summaryPage, len(matched))
	for _, v := range matched[offset:end] {
		out.TraceSummaries = append(out.TraceSummaries, v.summary())
	}
	if end < len(matched) {
		out.NextToken = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return out, nil
}

func decodeToken(tok string) (int, error) {
	b, err := base64.StdEncoding.DecodeString(tok)
	if err == nil {
		var n int
		if _, err = fmt.Sscanf(string(b), "offset:%d", &n); err == nil && n >= 0 {
			return n, nil
		}
	}
	return 0, invalidRequest("Invalid NextToken")
}

func timeRange(kind string, start, end float64) (func(*traceView) bool, error) {
	switch kind {
	case "", "TraceId":
		return func(v *traceView) bool {
			at, err := traceIDEpoch(v.id)
			return err == nil && at >= start && at < end
		}, nil
	case "Event":
		return func(v *traceView) bool { return v.start < end && v.end >= start }, nil
	case "Service":
		return func(v *traceView) bool {
			return v.root != nil && v.root.StartTime >= start && v.root.StartTime < end
		}, nil
	}
	return nil, invalidRequest("TimeRangeType must be one of TraceId, Event, Service; got %q", kind)
}

type batchGetTracesInput struct {
	TraceIds  []string
	NextToken string
}

type batchGetTracesOutput struct {
	Traces              []traceOut
	UnprocessedTraceIds []string
}

type traceOut struct {
	Id            string
	Duration      float64
	LimitExceeded bool
	Segments      []segmentOut
}

type segmentOut struct {
	Id       string
	Document string
}

// maxBatchTraces is BatchGetTraces' limit on TraceIds.
const maxBatchTraces = 5

// batchGetTraces returns the documents of up to five traces, each
// subsegment that was sent on its own nested in its parent's document as
// X-Ray returns them; unknown ids are listed as unprocessed.
func (s *Service) batchGetTraces(_ context.Context, in *batchGetTracesInput) (*batchGetTracesOutput, error) {
	if len(in.TraceIds) == 0 || len(in.TraceIds) > maxBatchTraces {
		return nil, invalidRequest("TraceIds must contain between 1 and %d trace IDs", maxBatchTraces)
	}
	out := &batchGetTracesOutput{Traces: []traceOut{}, UnprocessedTraceIds: []string{}}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(s.clock.Now())
	for _, id := range in.TraceIds {
		t := s.traces[id]
		if t == nil {
			out.UnprocessedTraceIds = append(out.UnprocessedTraceIds, id)
			continue
		}
		v := s.viewLocked(t)
		to := traceOut{Id: id, Duration: round3(v.end - v.start), Segments: []segmentOut{}}
		for _, u := range v.units {
			doc, err := v.document(u)
			if err != nil {
				return nil, fmt.Errorf("render segment %s of %s: %w", u.ID, id, err)
			}
			to.Segments = append(to.Segments, segmentOut{Id: u.ID, Document: doc})
		}
		out.Traces = append(out.Traces, to)
	}
	return out, nil
}

func epoch(t time.Time) float64 { return float64(t.UnixNano()) / 1e9 }

// round3 keeps milliseconds, as X-Ray reports durations.
func round3(f float64) float64 { return float64(int64(f*1000+0.5)) / 1000 }

package xray

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// trace is the stored documents of one trace id: segments and the
// subsegments sent on their own, by id.
type trace struct {
	id       string
	docs     map[string]*segment
	order    []string   // ids in arrival order, for stable output
	received time.Time  // last document, on the service clock
	view     *traceView // derived data, nil when documents changed since
}

// sweepEvery bounds how often retention is enforced.
const sweepEvery = time.Minute

// ingest parses and stores one document.
func (s *Service) ingest(doc []byte) error {
	if off := clock.OffsetOf(s.clock); off != 0 {
		doc = shiftTimes(doc, off.Seconds())
	}
	seg, err := parseSegment(doc)
	if err != nil {
		s.counters.rejected.Add(1)
		return err
	}
	s.store(seg)
	return nil
}

// shiftTimes adds by seconds to the start and end times of a document sent
// by a client, which read the wall clock, and of its subsegments: under
// virtual time the cloud's clock is ahead by that much. A document that is
// not a JSON object is returned as it is, for parseSegment to reject.
func shiftTimes(doc []byte, by float64) []byte {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var m map[string]any
	if dec.Decode(&m) != nil {
		return doc
	}
	shiftSegment(m, by)
	out, err := json.Marshal(m)
	if err != nil {
		return doc
	}
	return out
}

func shiftSegment(m map[string]any, by float64) {
	for _, k := range []string{"start_time", "end_time"} {
		if n, ok := m[k].(json.Number); ok {
			if f, err := n.Float64(); err == nil && f > 0 {
				m[k] = f + by
			}
		}
	}
	subs, _ := m["subsegments"].([]any)
	for _, sub := range subs {
		if sm, ok := sub.(map[string]any); ok {
			shiftSegment(sm, by)
		}
	}
}

// store keeps seg, replacing an in-progress document with the same id (a
// complete one is never replaced by an in-progress one, which can arrive
// late over UDP), then tells subscribers.
func (s *Service) store(seg *segment) {
	now := s.clock.Now()
	s.mu.Lock()
	s.sweepLocked(now)
	t := s.traces[seg.TraceID]
	if t == nil {
		s.makeRoomLocked()
		t = &trace{id: seg.TraceID, docs: map[string]*segment{}}
		s.traces[seg.TraceID] = t
		s.arrivals = append(s.arrivals, seg.TraceID)
	}
	old, exists := t.docs[seg.ID]
	if !exists {
		t.order = append(t.order, seg.ID)
	}
	if !exists || !(seg.InProgress && !old.InProgress) {
		t.docs[seg.ID] = seg
	}
	t.received = now
	t.view = nil
	s.mu.Unlock()
	s.counters.segments.Add(1)
	s.notify(seg.TraceID)
}

// sweepLocked drops traces that received nothing for Retention. Must hold
// s.mu.
func (s *Service) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	for id, t := range s.traces {
		if now.Sub(t.received) >= Retention {
			delete(s.traces, id)
		}
	}
}

// makeRoomLocked drops the oldest traces until a new one fits within
// maxTraces. Must hold s.mu.
func (s *Service) makeRoomLocked() {
	for len(s.traces) >= s.maxTraces && len(s.arrivals) > 0 {
		delete(s.traces, s.arrivals[0])
		s.arrivals = s.arrivals[1:]
	}
	// Ids of traces retention dropped linger until they reach the front;
	// copy the live ones once they are half of the queue.
	if len(s.arrivals) > 2*len(s.traces)+64 {
		live := make([]string, 0, len(s.traces))
		for _, id := range s.arrivals {
			if s.traces[id] != nil {
				live = append(live, id)
			}
		}
		s.arrivals = live
	}
}

// viewLocked returns t's derived data, computing it if documents changed.
// Must hold s.mu.
func (s *Service) viewLocked(t *trace) *traceView {
	if t.view == nil {
		t.view = buildView(t)
	}
	return t.view
}

// Package observe keeps what happens in the local cloud — events and the
// rules they matched, deliveries, stream records and filter verdicts,
// Lambda invocations with their log lines, IAM denials, injected faults,
// test runs — in a bounded history that the console shows and streams
// live, and that `tracebridge replay --follow` reads. Services report into
// it through adapters in the local cloud's wiring; a nil *Recorder
// records nothing.
package observe

import (
	"bytes"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// The history's budget. Past either cap the oldest records go first.
const (
	DefaultMaxRecords = 20_000
	DefaultMaxBytes   = 32 << 20
	// MaxDetailBytes cuts an event's detail; MaxInvocationLines and
	// MaxLineBytes bound the log lines kept per invocation.
	MaxDetailBytes     = 4 << 10
	MaxInvocationLines = 100
	MaxLineBytes       = 2 << 10
	// entryOverhead is what a record costs besides its JSON (the index
	// entry and the slice header), counted into the byte budget.
	entryOverhead = 64
	// maxPendingStreams bounds the log streams whose lines wait for their
	// invocation to end (one per function process).
	maxPendingStreams = 1024
)

// Options configure a Recorder. Every field is optional.
type Options struct {
	// Now stamps records: the cloud's clock; time.Now when nil.
	Now        func() time.Time
	MaxRecords int   // DefaultMaxRecords when 0
	MaxBytes   int64 // DefaultMaxBytes when 0
}

// Recorder is the bounded history. It is safe for concurrent use.
type Recorder struct {
	now        func() time.Time
	maxRecords int
	maxBytes   int64

	mu      sync.Mutex
	entries []entry       // guarded by mu: oldest first, seqs contiguous
	bytes   int64         // guarded by mu: the entries' cost
	lastSeq uint64        // guarded by mu
	dropped uint64        // guarded by mu: records evicted so far
	changed chan struct{} // guarded by mu: closed by the next Add

	logMu   sync.Mutex
	pending map[string]*pendingLines // guarded by logMu, by log stream
}

// entry is a stored record: its JSON and what queries select by.
type entry struct {
	seq     uint64
	kind    Kind
	traceID string
	doc     []byte
}

func (e entry) cost() int64 { return int64(len(e.doc)) + entryOverhead }

type pendingLines struct {
	lines   []string
	dropped int
}

// New returns an empty history.
func New(o Options) *Recorder {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = DefaultMaxRecords
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	return &Recorder{now: o.Now, maxRecords: o.MaxRecords, maxBytes: o.MaxBytes,
		changed: make(chan struct{}), pending: map[string]*pendingLines{}}
}

// Add stamps a record with the next sequence number and the time, stores
// it and wakes those waiting on Changed.
func (r *Recorder) Add(rec Record) {
	if r == nil {
		return
	}
	rec.Time = r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lastSeq++
	rec.Seq = r.lastSeq
	doc, err := json.Marshal(rec)
	if err != nil {
		// Every field is a string, number, bool or slice of them.
		panic("observe: encode record: " + err.Error())
	}
	e := entry{seq: rec.Seq, kind: rec.Kind, traceID: rec.TraceID, doc: doc}
	r.entries = append(r.entries, e)
	r.bytes += e.cost()
	for len(r.entries) > 1 && (len(r.entries) > r.maxRecords || r.bytes > r.maxBytes) {
		r.bytes -= r.entries[0].cost()
		r.entries[0] = entry{} // let the JSON go
		r.entries = r.entries[1:]
		r.dropped++
	}
	close(r.changed)
	r.changed = make(chan struct{})
}

// Changed is closed when the next record is added: wait on it, then read
// what came after the last record seen.
func (r *Recorder) Changed() <-chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.changed
}

// Query selects records. Zero fields select everything.
type Query struct {
	// Forward lists the records after After, oldest first. Otherwise the
	// newest records before Before (0: the newest of all) are listed,
	// still oldest first.
	Forward bool
	After   uint64
	Before  uint64
	Kinds   []Kind
	TraceID string
	// Text must occur in the record's JSON (case-sensitive).
	Text string
	// Limit bounds the records returned; 100 when 0.
	Limit int
}

// Page is what a query found.
type Page struct {
	Records []json.RawMessage `json:"records"`
	// More tells whether more records matched beyond Limit.
	More bool `json:"more"`
	// Newest is the sequence number of the last record listed (0: none):
	// where a Forward query goes on.
	Newest uint64 `json:"newest"`
	// First and Last are the oldest and newest sequence numbers held.
	First uint64 `json:"first"`
	Last  uint64 `json:"last"`
}

// Find runs a query.
func (r *Recorder) Find(q Query) Page {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	text := []byte(q.Text)
	match := func(e entry) bool {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.kind) {
			return false
		}
		if q.TraceID != "" && e.traceID != q.TraceID {
			return false
		}
		return len(text) == 0 || bytes.Contains(e.doc, text)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	page := Page{Records: []json.RawMessage{}, Last: r.lastSeq}
	if len(r.entries) == 0 {
		return page
	}
	page.First = r.entries[0].seq
	if q.Forward {
		for i := r.indexAfter(q.After); i < len(r.entries); i++ {
			if match(r.entries[i]) {
				if len(page.Records) == q.Limit {
					page.More = true
					break
				}
				page.Records = append(page.Records, r.entries[i].doc)
				page.Newest = r.entries[i].seq
			}
		}
		return page
	}
	end := len(r.entries)
	if q.Before > 0 {
		end = r.indexAfter(q.Before - 1)
	}
	for i := end - 1; i >= 0; i-- {
		if match(r.entries[i]) {
			if len(page.Records) == q.Limit {
				page.More = true
				break
			}
			page.Records = append(page.Records, r.entries[i].doc)
			page.Newest = max(page.Newest, r.entries[i].seq)
		}
	}
	for i, j := 0, len(page.Records)-1; i < j; i, j = i+1, j-1 {
		page.Records[i], page.Records[j] = page.Records[j], page.Records[i]
	}
	return page
}

// indexAfter is the index of the first entry with a seq above seq. Must
// hold r.mu; entries is not empty.
func (r *Recorder) indexAfter(seq uint64) int {
	first := r.entries[0].seq
	if seq < first {
		return 0
	}
	return min(int(seq-first+1), len(r.entries))
}

// Stats is the history's size against its caps.
type Stats struct {
	Records    int    `json:"records"`
	Bytes      int64  `json:"bytes"`
	Dropped    uint64 `json:"dropped"`
	MaxRecords int    `json:"maxRecords"`
	MaxBytes   int64  `json:"maxBytes"`
}

// Stats tells how much the history holds.
func (r *Recorder) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Stats{Records: len(r.entries), Bytes: r.bytes, Dropped: r.dropped, MaxRecords: r.maxRecords, MaxBytes: r.maxBytes}
}

package logs

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// group is a log group and everything in it.
type group struct {
	name      string
	created   int64 // epoch ms
	retention int   // days; 0 keeps events forever
	kmsKeyID  string
	class     string
	tags      map[string]string

	streams       map[string]*stream
	metricFilters map[string]*MetricFilter
	subscriptions map[string]*SubscriptionFilter

	// seq numbers every event the group ingests, so that (timestamp, seq)
	// orders events of all its streams by time, then by ingestion.
	seq uint64
	// bytes is the size of the stored messages (storedBytes).
	bytes int64
}

// stream is a log stream: its events sorted by (timestamp, seq), which is
// the order GetLogEvents returns them in even when they arrive out of order
// across PutLogEvents calls.
type stream struct {
	name          string
	created       int64
	lastIngestion int64
	uploads       uint64 // PutLogEvents calls, for the sequence token
	events        []record
}

// record is one stored event. It holds no pointers but the message, so a
// scan over a stream touches one contiguous slice.
type record struct {
	ts     int64
	seq    uint64
	ingest int64
	msg    string
}

// cursor is a position between events of a group: after every event whose
// (ts, seq) is at or before it, and before every other. Tokens encode one,
// so paging survives events inserted before or after the position.
type cursor struct {
	ts  int64
	seq uint64
}

var startCursor = cursor{ts: 0, seq: 0}

func (r *record) after(c cursor) bool {
	return r.ts > c.ts || (r.ts == c.ts && r.seq > c.seq)
}

// cursorAfter is the position right after r; cursorBefore right before it.
func cursorAfter(r *record) cursor  { return cursor{ts: r.ts, seq: r.seq} }
func cursorBefore(r *record) cursor { return cursor{ts: r.ts, seq: r.seq - 1} }

// cursorBeforeTime is the position before every event at or after ms.
func cursorBeforeTime(ms int64) cursor {
	if ms <= 0 {
		return startCursor
	}
	return cursor{ts: ms - 1, seq: math.MaxUint64}
}

// encode renders the cursor with a direction prefix, in the shape of AWS's
// GetLogEvents tokens ("f/<digits>/s", "b/<digits>/s"); the digits are the
// timestamp and the sequence number, zero-padded.
func (c cursor) encode(dir string) string {
	return fmt.Sprintf("%s/%019d%020d/s", dir, c.ts, c.seq)
}

// decodeCursor parses a token that encode made with one of dirs.
func decodeCursor(token string, dirs ...string) (string, cursor, bool) {
	const digits = 39
	if len(token) != 2+digits+2 || token[1] != '/' || token[len(token)-2:] != "/s" {
		return "", cursor{}, false
	}
	dir := token[:1]
	known := false
	for _, d := range dirs {
		known = known || d == dir
	}
	ts, err1 := strconv.ParseInt(token[2:21], 10, 64)
	seq, err2 := strconv.ParseUint(token[21:41], 10, 64)
	if !known || err1 != nil || err2 != nil || ts < 0 {
		return "", cursor{}, false
	}
	return dir, cursor{ts: ts, seq: seq}, true
}

// firstAfter is the index of the first event after c.
func (st *stream) firstAfter(c cursor) int {
	return sort.Search(len(st.events), func(i int) bool { return st.events[i].after(c) })
}

// insert adds a chronological batch, keeping the stream sorted: appended
// when it starts at or after the stream's last event, merged otherwise.
func (st *stream) insert(batch []record) {
	if len(batch) == 0 {
		return
	}
	if n := len(st.events); n == 0 || st.events[n-1].ts <= batch[0].ts {
		st.events = append(st.events, batch...)
		return
	}
	merged := make([]record, 0, len(st.events)+len(batch))
	i, j := 0, 0
	for i < len(st.events) && j < len(batch) {
		// Equal timestamps keep ingestion order: stored events first.
		if st.events[i].ts <= batch[j].ts {
			merged = append(merged, st.events[i])
			i++
		} else {
			merged = append(merged, batch[j])
			j++
		}
	}
	merged = append(merged, st.events[i:]...)
	st.events = append(merged, batch[j:]...)
}

// expire drops the events older than cutoff, a prefix of the stream, and
// returns the bytes it freed.
func (st *stream) expire(cutoff int64) int64 {
	n := sort.Search(len(st.events), func(i int) bool { return st.events[i].ts >= cutoff })
	if n == 0 {
		return 0
	}
	var freed int64
	for i := range n {
		freed += int64(len(st.events[i].msg))
	}
	st.events = append(st.events[:0:0], st.events[n:]...)
	return freed
}

// cutoff is the oldest timestamp retention keeps at now; events before it
// are not returned and are dropped by the next sweep of their stream.
func (g *group) cutoff(now int64) int64 {
	if g.retention == 0 {
		return 0
	}
	return now - int64(g.retention)*24*60*60*1000
}

// sweep drops the group's expired events.
func (g *group) sweep(now int64) {
	if c := g.cutoff(now); c > 0 {
		for _, st := range g.streams {
			g.bytes -= st.expire(c)
		}
	}
}

// trim keeps the group within max message bytes: past it, the oldest
// events of all its streams are dropped, as retention drops events, until
// the group holds 90% of max (so that trimming is not paid on every put).
func (g *group) trim(max int64) {
	if g.bytes <= max {
		return
	}
	target := max - max/10
	drop := map[*stream]int{} // leading events to drop, per stream
	for g.bytes > target {
		var oldest *stream
		for _, st := range g.streams {
			i := drop[st]
			if i < len(st.events) && (oldest == nil || st.events[i].before(&oldest.events[drop[oldest]])) {
				oldest = st
			}
		}
		if oldest == nil {
			break
		}
		g.bytes -= int64(len(oldest.events[drop[oldest]].msg))
		drop[oldest]++
	}
	for st, n := range drop {
		st.events = append(st.events[:0:0], st.events[n:]...)
	}
}

// before orders records by (timestamp, ingestion sequence).
func (r *record) before(o *record) bool {
	return r.ts < o.ts || (r.ts == o.ts && r.seq < o.seq)
}

// groupARN is the log group's ARN as DescribeLogGroups' logGroupArn gives
// it; arn adds the ":*" that the older arn field and IAM policies carry.
func groupARN(name string) string { return arn.New("logs", "log-group:"+name) }

func groupStarARN(name string) string { return groupARN(name) + ":*" }

func streamARN(groupName, streamName string) string {
	return arn.New("logs", "log-group:"+groupName+":log-stream:"+streamName)
}

// eventID identifies an event uniquely in its group, as AWS's 56-digit
// eventId does.
func eventID(r *record) string {
	return fmt.Sprintf("%019d%020d%017d", r.ts, r.seq, 0)
}

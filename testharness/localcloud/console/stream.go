package console

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// streamBatch bounds the records one write sends; a stream that is
// behind catches up in batches of this size.
const streamBatch = 500

// stream serves the history live as server-sent events
// (text/event-stream):
//
//	id: <seq>            event: record   data: <record JSON>   each record after ?after (or Last-Event-ID)
//	                     event: traces   data: <trace id>      a trace got a segment (coalesced while the
//	                                                           stream is busy)
//
// It waits on the history's change notification, never on a timer, and
// ends when the client goes or the cloud closes.
func (s *server) stream(w http.ResponseWriter, r *http.Request) {
	after, err := streamStart(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)

	traces := make(chan string, 1)
	if s.opts.OnTrace != nil {
		cancel := s.opts.OnTrace(func(id string) {
			select {
			case traces <- id:
			default: // one pending notice says enough
			}
		})
		defer cancel()
	}
	for {
		changed := s.opts.Records.Changed()
		page := s.opts.Records.Find(observe.Query{Forward: true, After: after, Limit: streamBatch})
		for _, doc := range page.Records {
			fmt.Fprintf(w, "event: record\ndata: %s\n\n", doc)
		}
		if len(page.Records) > 0 {
			after = page.Newest
			fmt.Fprintf(w, "id: %d\n\n", after) // where a reconnecting EventSource resumes
		}
		if rc.Flush() != nil {
			return
		}
		if page.More {
			continue
		}
		select {
		case <-changed:
		case id := <-traces:
			fmt.Fprintf(w, "event: traces\ndata: %s\n\n", id)
		case <-r.Context().Done():
			return
		case <-s.opts.Closing:
			return
		}
	}
}

// streamStart is the sequence number a stream starts after: ?after, or
// the Last-Event-ID of a reconnecting EventSource; 0 for everything held.
func streamStart(r *http.Request) (uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, &badRequest{"after: want a sequence number"}
	}
	return n, nil
}

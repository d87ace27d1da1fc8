package console

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// Info is what the page learns first: where it is and how full the
// history is.
type Info struct {
	Endpoint string        `json:"endpoint"`
	Now      time.Time     `json:"now"`
	History  observe.Stats `json:"history"`
}

func (s *server) info(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, Info{Endpoint: s.opts.Endpoint, Now: s.opts.Now(), History: s.opts.Records.Stats()})
}

// recordsQuery reads a records query from a URL:
//
//	kind=<kind>… trace=<trace id> q=<text> after=<seq> before=<seq> limit=<n>
//
// With after the records after it are listed (oldest first); otherwise
// the newest before before.
func recordsQuery(r *http.Request) (observe.Query, error) {
	v := r.URL.Query()
	q := observe.Query{TraceID: v.Get("trace"), Text: v.Get("q")}
	for _, k := range v["kind"] {
		q.Kinds = append(q.Kinds, observe.Kind(k))
	}
	for _, f := range []struct {
		name string
		into *uint64
	}{{"after", &q.After}, {"before", &q.Before}} {
		if s := v.Get(f.name); s != "" {
			n, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return q, &badRequest{f.name + ": want a sequence number"}
			}
			*f.into = n
		}
	}
	q.Forward = v.Has("after")
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > maxLimit {
			return q, &badRequest{"limit: want 1 to " + strconv.Itoa(maxLimit)}
		}
		q.Limit = n
	}
	return q, nil
}

// maxLimit bounds one page of records.
const maxLimit = 5000

type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

func (s *server) records(w http.ResponseWriter, r *http.Request) {
	q, err := recordsQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, s.opts.Records.Find(q))
}

func (s *server) stacks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"stacks": s.opts.Stacks()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg})
}

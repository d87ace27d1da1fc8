package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxSummaryPages bounds how many GetTraceSummaries pages (of 100) one
// trace list reads: the X-Ray service keeps at most 10,000 traces.
const maxSummaryPages = 100

// traces lists the newest trace summaries, newest first, in X-Ray's shape:
//
//	GET api/traces?filter=<X-Ray filter expression>&limit=<n, default 50>
//	→ {"TraceSummaries": [...], "Matched": <n>}
//
// X-Ray lists a window oldest first, a page at a time; the console wants
// the newest, so it reads every page of the whole retention window.
func (s *server) traces(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 1000 {
			writeError(w, http.StatusBadRequest, "limit: want 1 to 1000")
			return
		}
		limit = n
	}
	end := s.opts.Now().Add(time.Hour)
	in := map[string]any{"StartTime": 0, "EndTime": float64(end.Unix()), "TimeRangeType": "Event",
		"FilterExpression": r.URL.Query().Get("filter")}
	var all []json.RawMessage
	for range maxSummaryPages {
		var page struct {
			TraceSummaries []json.RawMessage
			NextToken      string
		}
		status, body := s.askXRay(r, "/TraceSummaries", in)
		if status != http.StatusOK {
			relay(w, status, body)
			return
		}
		if err := json.Unmarshal(body, &page); err != nil {
			writeError(w, http.StatusInternalServerError, fmt.Sprintf("X-Ray's trace summaries: %v", err))
			return
		}
		all = append(all, page.TraceSummaries...)
		if page.NextToken == "" {
			break
		}
		in["NextToken"] = page.NextToken
	}
	newest := make([]json.RawMessage, 0, min(limit, len(all)))
	for i := len(all) - 1; i >= 0 && len(newest) < limit; i-- {
		newest = append(newest, all[i])
	}
	writeJSON(w, http.StatusOK, map[string]any{"TraceSummaries": newest, "Matched": len(all)})
}

// xray passes a request body through to an X-Ray operation and its
// answer back.
func (s *server) xray(path string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "body: want JSON: "+err.Error())
			return
		}
		status, body := s.askXRay(r, path, in)
		relay(w, status, body)
	}
}

// askXRay runs one X-Ray operation in process, with the context (request
// id, principal) of the console's request.
func (s *server) askXRay(r *http.Request, path string, in any) (int, []byte) {
	body, err := json.Marshal(in)
	if err != nil {
		return http.StatusBadRequest, []byte(`{"message":"the request does not encode as JSON"}`)
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, path, bytes.NewReader(body))
	if err != nil {
		return http.StatusInternalServerError, []byte(`{"message":"the request could not be made"}`)
	}
	req.Header.Set("Content-Type", "application/json")
	var a answer
	s.opts.XRay.ServeHTTP(&a, req)
	return a.status, a.body.Bytes()
}

// answer collects the response of a handler asked in process.
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header {
	if a.header == nil {
		a.header = http.Header{}
	}
	return a.header
}

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(p []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(p)
}

func relay(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

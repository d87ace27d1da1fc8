// Package console is the local cloud's web console: one page, plain
// HTML, CSS and JavaScript embedded in the binary (no framework, no CDN,
// no build step), served on the gateway's port under Path. It shows live,
// through server-sent events, what the observe history records — events
// and the rules they matched, deliveries, stream records and filter
// verdicts, invocations with their log lines, IAM denials, injected
// faults, test runs — and the X-Ray traces (list, timeline, trace map)
// and the deployed stacks' resources.
//
// The page reads a small JSON API beside it; the X-Ray part of it answers
// with X-Ray's own wire shapes (GetTraceSummaries, BatchGetTraces,
// GetTraceGraph), asked of the X-Ray service in process.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// Path is where the console is served, under the local cloud's reserved
// control path.
const Path = "/_tracebridge/console/"

//go:embed static
var static embed.FS

// Options are what the console shows and where it gets it.
type Options struct {
	// Records is the history of what happened in the cloud.
	Records *observe.Recorder
	// XRay is the X-Ray service's HTTP handler (restJson), asked in
	// process for trace summaries, traces and trace graphs.
	XRay http.Handler
	// OnTrace registers fn to hear of every trace that gets a segment
	// (xray.Service.OnSegment); it returns the func that unregisters it.
	OnTrace func(fn func(traceID string)) (cancel func())
	// Stacks lists the deployed stacks (cloudformation.Engine.Stacks).
	Stacks func() []cloudformation.StackSummary
	// Now is the cloud's clock.
	Now func() time.Time
	// Closing ends when the cloud closes: live streams end then, so that
	// they do not hold up the server's shutdown.
	Closing <-chan struct{}
	// Endpoint is the cloud's base URL, shown on the page.
	Endpoint string
}

type server struct{ opts Options }

// New returns the console's handler for every path under Path.
func New(o Options) http.Handler {
	s := &server{opts: o}
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic("console: embedded files: " + err.Error()) // the embed directive guarantees it
	}
	mux := http.NewServeMux()
	mux.Handle("GET "+Path, http.StripPrefix(Path, http.FileServerFS(files)))
	mux.HandleFunc("GET "+Path+"api/info", s.info)
	mux.HandleFunc("GET "+Path+"api/records", s.records)
	mux.HandleFunc("GET "+Path+"api/stream", s.stream)
	mux.HandleFunc("GET "+Path+"api/stacks", s.stacks)
	mux.HandleFunc("GET "+Path+"api/traces", s.traces)
	mux.HandleFunc("POST "+Path+"api/xray/Traces", s.xray("/Traces"))
	mux.HandleFunc("POST "+Path+"api/xray/TraceGraph", s.xray("/TraceGraph"))
	return mux
}

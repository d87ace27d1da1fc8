package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// progress shows on stderr what a long step is doing — synthesizing,
// compiling handlers, deploying resources — so that a first run, which
// takes a minute or more, never sits silent. On a terminal it is one live
// line, rewritten in place with the step's elapsed time every second; in
// CI logs and files it is plain lines: the step's start, an update at most
// every plainInterval, the lines of the command it runs, and its end. Quiet (--json) shows no steps; notes
// (warnings the user must read) are written either way.
type progress struct {
	w     io.Writer
	live  bool
	quiet bool
	now   func() time.Time

	mu      sync.Mutex
	step    string // the step under way; "" between steps
	detail  string // its latest update
	started time.Time
	printed time.Time // plain: when the last update line was written
	partial []byte    // a line written through Write, not ended yet
	stop    chan struct{}
}

// plainInterval is the least time between two update lines of one step in
// a log: a line every few seconds tells that the run is alive without
// filling the log.
const plainInterval = 5 * time.Second

// newProgress returns the progress of a command writing to w: live on a
// terminal, plain elsewhere, quiet when asked.
func newProgress(w io.Writer, quiet bool) *progress {
	return &progress{w: w, live: isTerminal(w), quiet: quiet, now: time.Now}
}

// isTerminal tells whether w is a terminal that can redraw a line: a
// character device other than one whose TERM says it cannot.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	if err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	term := os.Getenv("TERM")
	return term != "" && term != "dumb"
}

// Start begins a step.
func (p *progress) Start(step string) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
	p.step, p.detail, p.started, p.printed = step, "", p.now(), p.now()
	if !p.live {
		fmt.Fprintf(p.w, "%s…\n", step)
		return
	}
	p.drawLocked()
	p.stop = make(chan struct{})
	go p.tick(p.stop)
}

// tick redraws the live line every second, so the elapsed time moves
// while a step makes no other sign of progress.
func (p *progress) tick(stop chan struct{}) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.drawLocked()
			p.mu.Unlock()
		}
	}
}

// Update tells how far the step is ("deploying resources: 12 of 61").
func (p *progress) Update(detail string) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.detail = detail
	switch {
	case p.live:
		p.drawLocked()
	case p.now().Sub(p.printed) >= plainInterval:
		p.printed = p.now()
		fmt.Fprintf(p.w, "  %s (%s)\n", detail, p.elapsedLocked())
	}
}

// Done ends the step with a line that stays.
func (p *progress) Done(summary string) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.endLocked()
	fmt.Fprintln(p.w, summary)
}

// Note writes a line the user must read, whatever the mode, below the
// live line's last state.
func (p *progress) Note(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.step != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
	if p.live && p.step != "" {
		p.drawLocked()
	}
}

// Write takes the output of a command the step runs (`go run ./infra`),
// line by line.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.partial = append(p.partial, b...)
	var lines []string
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			break
		}
		lines = append(lines, strings.TrimSpace(string(p.partial[:i])))
		p.partial = p.partial[i+1:]
	}
	p.mu.Unlock()
	for _, l := range lines {
		if l != "" {
			p.commandLine(l)
		}
	}
	return len(b), nil
}

// commandLine shows a line of the step's command: the live line's detail
// on a terminal, and in a log always a line of its own, since the command
// paces its own lines (infra's build reports every few dozen packages) and
// the last, which says how it ended, must not be dropped.
func (p *progress) commandLine(line string) {
	if p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.detail = line
	if p.live {
		p.drawLocked()
		return
	}
	p.printed = p.now()
	fmt.Fprintf(p.w, "  %s (%s)\n", line, p.elapsedLocked())
}

// endLocked clears the live line of the step under way and stops its
// ticker. Must hold p.mu.
func (p *progress) endLocked() {
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	if p.live && p.step != "" {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
	p.step, p.detail = "", ""
}

// drawLocked rewrites the live line. Must hold p.mu.
func (p *progress) drawLocked() {
	if p.step == "" {
		return
	}
	line := p.step
	if p.detail != "" {
		line += ": " + p.detail
	}
	elapsed := fmt.Sprintf(" (%s)", p.elapsedLocked())
	// A line longer than the terminal wraps, and the next redraw would
	// clear only its last row.
	if r := []rune(line); len(r)+len(elapsed) > terminalWidth() {
		line = string(r[:max(0, terminalWidth()-len(elapsed)-1)]) + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s%s", line, elapsed)
}

// terminalWidth is $COLUMNS when the shell exports it, 80 otherwise.
func terminalWidth() int {
	if n, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && n > 20 {
		return n
	}
	return 80
}

// elapsedLocked is the step's time so far. Must hold p.mu.
func (p *progress) elapsedLocked() time.Duration {
	return p.now().Sub(p.started).Round(time.Second)
}

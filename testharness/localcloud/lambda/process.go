package lambda

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/runtimeapi"
)

// process is one execution environment: a running bootstrap and its
// Runtime API. One invocation uses it at a time.
type process struct {
	api     *runtimeapi.Server
	cmd     *exec.Cmd
	pid     int
	stream  string
	started time.Time
	// initialized is set once the runtime has asked for its first
	// invocation; only the goroutine holding the process touches it.
	initialized bool

	exited  chan struct{} // closed once cmd.Wait has reaped the process
	exitErr error         // set before exited is closed

	log func(line string) // writes one line to the process's stream

	// output is the write end of the process's stdout/stderr pipe that the
	// local cloud keeps, to put sync markers behind what the process wrote
	// (syncOutput); closed once the process has exited.
	output *os.File
	out    *lineWriter

	mu   sync.Mutex
	tail *bytes.Buffer // the current invocation's log, for LogType Tail
}

// processSpec is what starting a process needs.
type processSpec struct {
	bootstrap string
	stream    string
	env       func(runtimeAPI string) []string
	write     func(stream, line string) // to the function's log group
}

// startProcess binds the Runtime API, then starts the bootstrap with it.
func startProcess(spec processSpec) (*process, error) {
	api, err := runtimeapi.Listen()
	if err != nil {
		return nil, err
	}
	p := &process{api: api, stream: spec.stream, exited: make(chan struct{})}
	p.log = func(line string) {
		spec.write(spec.stream, line)
		p.mu.Lock()
		if p.tail != nil {
			p.tail.WriteString(line)
			p.tail.WriteByte('\n')
		}
		p.mu.Unlock()
	}
	// stdout and stderr share one pipe, read by a goroutine of ours; the
	// local cloud keeps a write end too, for sync markers.
	r, w, err := os.Pipe()
	if err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("output pipe for %s: %w", spec.bootstrap, err)
	}
	cmd := exec.Command(spec.bootstrap)
	cmd.Dir = codeDir(spec.bootstrap)
	cmd.Env = spec.env(api.Addr())
	p.out = &lineWriter{emit: p.log, synced: make(chan struct{})}
	p.output = w
	cmd.Stdout, cmd.Stderr = w, w
	isolate(cmd)
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		_ = api.Close()
		_ = r.Close()
		_ = w.Close()
		return nil, fmt.Errorf("start %s: %w", spec.bootstrap, err)
	}
	p.cmd, p.pid = cmd, cmd.Process.Pid
	read := make(chan struct{})
	go func() {
		_, _ = io.Copy(p.out, r)
		_ = r.Close()
		close(read)
	}()
	go func() {
		p.exitErr = cmd.Wait()
		_ = w.Close() // the last write end: the reader gets EOF once drained
		<-read
		p.out.flush()
		_ = api.Close()
		close(p.exited)
	}()
	return p, nil
}

// syncMarker begins the line the local cloud writes into a process's
// output pipe to learn that everything before it has been read.
const syncMarker = "\x1etracebridge-sync "

// syncOutput returns once every line the process wrote before the call
// has been read and logged, so the platform's END line follows the
// invocation's output as it does on AWS. The pipe is FIFO: a marker
// written now is read after those lines.
func (p *process) syncOutput(timeout time.Duration) {
	p.out.mu.Lock()
	p.out.sent++
	n := p.out.sent
	p.out.mu.Unlock()
	if _, err := fmt.Fprintf(p.output, "%s%d\n", syncMarker, n); err != nil {
		return // the process has exited: its output is being drained
	}
	deadline := time.After(timeout)
	for {
		p.out.mu.Lock()
		seen, synced := p.out.seen, p.out.synced
		p.out.mu.Unlock()
		if seen >= n {
			return
		}
		select {
		case <-synced:
		case <-p.exited:
			return
		case <-deadline:
			return
		}
	}
}

// kill ends the process group and waits until the process is reaped.
func (p *process) kill(ctx context.Context) error {
	_ = killGroup(p.pid)
	select {
	case <-p.exited:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("process %d not reaped: %w", p.pid, ctx.Err())
	}
}

// alive tells whether the process is still running.
func (p *process) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// exitMessage describes how the process ended, as Lambda words it:
// "exit status 2", "signal: killed".
func (p *process) exitMessage() string {
	if p.exitErr == nil {
		return "exit status 0"
	}
	if ee, ok := p.exitErr.(*exec.ExitError); ok {
		return ee.ProcessState.String()
	}
	return p.exitErr.Error()
}

// captureTail starts (or, with nil, stops) collecting the log lines of the
// current invocation.
func (p *process) captureTail(buf *bytes.Buffer) {
	p.mu.Lock()
	p.tail = buf
	p.mu.Unlock()
}

// lineWriter turns a process's output into log lines, and notices the
// sync markers syncOutput writes.
type lineWriter struct {
	mu     sync.Mutex
	buf    []byte
	emit   func(string)
	sent   int64         // markers written
	seen   int64         // markers read
	synced chan struct{} // closed and replaced when a marker is read
}

func (w *lineWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, b...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimSuffix(w.buf[:i], []byte{'\r'}))
		w.buf = w.buf[i+1:]
		if before, marker, ok := strings.Cut(line, syncMarker); ok {
			// A partial line the process left unterminated ends here.
			if before != "" {
				w.emit(before)
			}
			if n, err := strconv.ParseInt(marker, 10, 64); err == nil && n > w.seen {
				w.seen = n
				close(w.synced)
				w.synced = make(chan struct{})
			}
			continue
		}
		w.emit(line)
	}
	return len(b), nil
}

func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.emit(string(w.buf))
		w.buf = nil
	}
}

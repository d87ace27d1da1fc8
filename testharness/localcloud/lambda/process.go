package lambda

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
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
	cmd := exec.Command(spec.bootstrap)
	cmd.Dir = codeDir(spec.bootstrap)
	cmd.Env = spec.env(api.Addr())
	out := &lineWriter{emit: p.log}
	cmd.Stdout, cmd.Stderr = out, out
	isolate(cmd)
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		_ = api.Close()
		return nil, fmt.Errorf("start %s: %w", spec.bootstrap, err)
	}
	p.cmd, p.pid = cmd, cmd.Process.Pid
	go func() {
		p.exitErr = cmd.Wait()
		out.flush()
		_ = api.Close()
		close(p.exited)
	}()
	return p, nil
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

// lineWriter turns a process's output into log lines.
type lineWriter struct {
	mu   sync.Mutex
	buf  []byte
	emit func(string)
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
		w.emit(string(bytes.TrimSuffix(w.buf[:i], []byte{'\r'})))
		w.buf = w.buf[i+1:]
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

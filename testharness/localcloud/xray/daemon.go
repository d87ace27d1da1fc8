package xray

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"syscall"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// The daemon protocol (X-Ray developer guide, "Sending segment documents
// to the X-Ray daemon"): each UDP datagram is the header line
// {"format": "json", "version": 1}, a newline, and one segment or
// subsegment document. The SDKs also call the daemon's TCP port, the same
// host:port, as an unsigned proxy for X-Ray API calls (centralized
// sampling's GetSamplingRules and GetSamplingTargets).

const (
	// maxDatagram is the largest UDP payload; the SDKs keep documents
	// below 64 KB.
	maxDatagram = 64 << 10
	// readBuffer is asked of the kernel for the UDP socket, so bursts are
	// not dropped while the parser catches up (Linux caps it at
	// net.core.rmem_max).
	readBuffer = 16 << 20
	// queueLen datagrams can wait between the reader and the parser.
	queueLen = 1 << 16
)

type daemon struct {
	udp   *net.UDPConn
	tcp   net.Listener
	http  *http.Server
	queue chan []byte
	wg    sync.WaitGroup
	addr  string
}

// ListenDaemon binds the daemon's UDP socket and TCP listener to the same
// host and port and starts serving them. addr is host:port; port 0 picks
// a free port (a port free for both protocols). It returns the address to
// give SDKs as AWS_XRAY_DAEMON_ADDRESS.
func (s *Service) ListenDaemon(addr string) (string, error) {
	if s.daemon != nil {
		return "", fmt.Errorf("xray daemon already listening on %s", s.daemon.addr)
	}
	udp, tcp, err := bindBoth(addr)
	if err != nil {
		return "", err
	}
	_ = udp.SetReadBuffer(readBuffer) // best effort: the kernel may cap it
	d := &daemon{udp: udp, tcp: tcp, queue: make(chan []byte, queueLen), addr: udp.LocalAddr().String()}
	api := s.routes()
	d.http = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := awsproto.WithRequestID(r.Context(), awsproto.NewRequestID())
		api.ServeHTTP(w, r.WithContext(ctx))
	})}
	s.daemon = d
	d.wg.Add(3)
	go func() { defer d.wg.Done(); d.read(s) }()
	go func() { defer d.wg.Done(); d.parse(s) }()
	go func() { defer d.wg.Done(); _ = d.http.Serve(tcp) }()
	return d.addr, nil
}

// DaemonAddress is the daemon's host:port, "" before ListenDaemon.
func (s *Service) DaemonAddress() string {
	if s.daemon == nil {
		return ""
	}
	return s.daemon.addr
}

// bindBoth binds UDP then TCP on the same port, retrying with another
// port when a picked port is taken for TCP.
func bindBoth(addr string) (*net.UDPConn, net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, nil, fmt.Errorf("xray daemon address %q: %w", addr, err)
	}
	attempts := 1
	if port == "0" {
		attempts = 20
	}
	var lastErr error
	for range attempts {
		ua, err := net.ResolveUDPAddr("udp", net.JoinHostPort(host, port))
		if err != nil {
			return nil, nil, fmt.Errorf("xray daemon address %q: %w", addr, err)
		}
		udp, err := net.ListenUDP("udp", ua)
		if err != nil {
			return nil, nil, fmt.Errorf("xray daemon: listen udp %s: %w", addr, err)
		}
		bound := strconv.Itoa(udp.LocalAddr().(*net.UDPAddr).Port)
		tcp, err := net.Listen("tcp", net.JoinHostPort(host, bound))
		if err == nil {
			return udp, tcp, nil
		}
		_ = udp.Close()
		lastErr = err
		if !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
	}
	return nil, nil, fmt.Errorf("xray daemon: listen tcp on the udp port: %w", lastErr)
}

// read is the tight loop: one read, one copy, one hand-off per datagram.
func (d *daemon) read(s *Service) {
	defer close(d.queue)
	buf := make([]byte, maxDatagram)
	for {
		n, _, err := d.udp.ReadFromUDP(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		d.queue <- bytes.Clone(buf[:n])
	}
}

// parse strips the header line and stores each document.
func (d *daemon) parse(s *Service) {
	for dgram := range d.queue {
		s.counters.datagrams.Add(1)
		header, doc, ok := bytes.Cut(dgram, []byte("\n"))
		if !ok || !bytes.Contains(header, []byte(`"format"`)) {
			s.counters.rejected.Add(1)
			continue
		}
		_ = s.ingest(doc) // a bad document is counted in Stats.Rejected
	}
}

func (d *daemon) close() error {
	err := d.udp.Close()
	if herr := d.http.Close(); err == nil {
		err = herr
	}
	d.wg.Wait()
	return err
}

// Package traceheader makes and reads X-Ray trace ids, segment ids and the
// X-Amzn-Trace-Id header, for every local service that continues a trace
// (EventBridge, Step Functions, Lambda) and for the local X-Ray itself.
//
// Formats, from the X-Ray developer guide ("AWS X-Ray segment documents"
// and "Tracing header"): a trace id is "1-" + 8 hex digits of the request's
// Unix epoch seconds + "-" + 24 hex digits; a segment id is 16 hex digits;
// the header is "Root=…;Parent=…;Sampled=1", with optional Lineage and
// other key=value pairs, which are kept in order.
package traceheader

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// HTTPHeader is the header that carries a trace across services.
const HTTPHeader = "X-Amzn-Trace-Id"

// NewTraceID returns a trace id for a request that started at t.
func NewTraceID(t time.Time) string {
	return fmt.Sprintf("1-%08x-%s", uint32(t.Unix()), randomHex(12))
}

// NewSegmentID returns a random 64-bit segment id (16 hex digits).
func NewSegmentID() string { return randomHex(8) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// ValidTraceID tells whether id has the form 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx.
func ValidTraceID(id string) bool {
	return len(id) == 35 && id[0] == '1' && id[1] == '-' && id[10] == '-' &&
		isHex(id[2:10]) && isHex(id[11:])
}

// ValidSegmentID tells whether id is 16 hex digits.
func ValidSegmentID(id string) bool { return len(id) == 16 && isHex(id) }

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

// TraceIDTime is the request time encoded in a trace id.
func TraceIDTime(id string) (time.Time, error) {
	if !ValidTraceID(id) {
		return time.Time{}, fmt.Errorf("trace id %q is not of the form 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx", id)
	}
	secs, err := strconv.ParseUint(id[2:10], 16, 32)
	if err != nil {
		return time.Time{}, fmt.Errorf("trace id %q: epoch part: %w", id, err)
	}
	return time.Unix(int64(secs), 0).UTC(), nil
}

// Sampling is the header's Sampled field.
type Sampling string

// The values of Sampled. Requested ("?") asks the next service to decide.
const (
	Unknown    Sampling = ""
	Sampled    Sampling = "1"
	NotSampled Sampling = "0"
	Requested  Sampling = "?"
)

// Header is a parsed X-Amzn-Trace-Id.
type Header struct {
	Root    string
	Parent  string
	Sampled Sampling
	// Lineage is kept as written (Lambda recursion detection).
	Lineage string
	// Extra holds other key=value pairs, in order ("Self=…" from load
	// balancers, application data).
	Extra []KV
}

// KV is one key=value pair of a header.
type KV struct{ Key, Value string }

// Parse reads an X-Amzn-Trace-Id value. An empty value gives an empty
// Header; a Root that is not a trace id is an error.
func Parse(s string) (Header, error) {
	var h Header
	for _, part := range strings.Split(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return Header{}, fmt.Errorf("trace header part %q is not key=value", part)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "Root":
			if !ValidTraceID(v) {
				return Header{}, fmt.Errorf("trace header Root %q is not a trace id", v)
			}
			h.Root = v
		case "Parent":
			h.Parent = v
		case "Sampled":
			h.Sampled = Sampling(v)
		case "Lineage":
			h.Lineage = v
		default:
			h.Extra = append(h.Extra, KV{k, v})
		}
	}
	return h, nil
}

// String renders the header as AWS writes it: Root, Parent, Sampled,
// Lineage, then the extra pairs; empty fields are left out.
func (h Header) String() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("Root", h.Root)
	add("Parent", h.Parent)
	add("Sampled", string(h.Sampled))
	add("Lineage", h.Lineage)
	for _, kv := range h.Extra {
		add(kv.Key, kv.Value)
	}
	return strings.Join(parts, ";")
}

// Child returns the header a service passes downstream after recording
// segment parentID in this trace: the same Root, Sampled and Lineage, the
// new Parent. A header without a Root starts a trace at now.
func (h Header) Child(parentID string, now time.Time) Header {
	c := h
	c.Extra = nil
	if c.Root == "" {
		c.Root = NewTraceID(now)
	}
	c.Parent = parentID
	return c
}

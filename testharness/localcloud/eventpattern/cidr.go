package eventpattern

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"
)

// cidrMatch is {"cidr": "a.b.c.d/n"} (IPv4 or IPv6). It matches string
// values that are IP addresses of the same family within the range.
//
// The host bits of the address as written are ignored: "10.0.0.9/24" is
// 10.0.0.0–10.0.0.255.
type cidrMatch struct {
	lo, hi []byte
}

func (m cidrMatch) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	a, ok := parseIP(v.str)
	if !ok {
		return false
	}
	b := a.AsSlice()
	return len(b) == len(m.lo) && bytes.Compare(b, m.lo) >= 0 && bytes.Compare(b, m.hi) <= 0
}

// parseCIDR validates a cidr operand with event-ruler's messages.
func parseCIDR(s string) (cidrMatch, error) {
	parts := strings.Split(s, "/")
	for len(parts) > 0 && parts[len(parts)-1] == "" { // Java's split drops trailing empties
		parts = parts[:len(parts)-1]
	}
	if len(parts) != 2 {
		return cidrMatch{}, invalid("Malformed CIDR, one '/' required")
	}
	bits, err := strconv.Atoi(parts[1])
	if err != nil {
		return cidrMatch{}, invalid("Malformed CIDR, mask bits must be an integer")
	}
	if bits < 0 {
		return cidrMatch{}, invalid("Malformed CIDR, mask bits must not be negative")
	}
	a, ok := parseIP(parts[0])
	if !ok {
		return cidrMatch{}, invalid("Nonstandard IP address: " + parts[0])
	}
	lo := a.AsSlice()
	if len(lo) == 4 && bits > 31 {
		return cidrMatch{}, invalid("IPv4 mask bits must be < 32")
	}
	if len(lo) == 16 && bits > 127 {
		return cidrMatch{}, invalid("IPv6 mask bits must be < 128")
	}
	hi := bytes.Clone(lo)
	for i := range hi {
		switch {
		case bits >= 8:
			bits -= 8
		case bits > 0:
			lo[i] &^= 0xff >> bits
			hi[i] |= 0xff >> bits
			bits = 0
		default:
			lo[i], hi[i] = 0, 0xff
		}
	}
	return cidrMatch{lo: lo, hi: hi}, nil
}

// parseIP accepts IPv4 dotted quads and IPv6 literals without a zone; an
// IPv4-mapped IPv6 address counts as IPv4, as Java's InetAddress does.
func parseIP(s string) (netip.Addr, bool) {
	if len(s) < 2 || len(s) > 45 {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

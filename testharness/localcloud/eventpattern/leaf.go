package eventpattern

import "net/netip"

// condition is one operator of a field's value list, tested against one
// scalar event value (string, number, true, false or null).
type condition interface {
	matches(v *value) bool
}

// Bits of leafNode.literals.
const (
	litNull uint8 = 1 << iota
	litTrue
	litFalse
)

// leafNode is a field's array of values and match expressions: the field
// matches if any of them does. Exact values are kept apart from the
// operators because they are by far the most common and cheapest to test.
type leafNode struct {
	strs        []string
	ips         []netip.Addr // exact strings that are IP addresses
	nums        []number
	literals    uint8
	existsTrue  bool
	existsFalse bool
	conds       []condition
}

// addString adds an exact string. Like event-ruler, a string that is an IP
// address also matches the same address written differently.
func (l *leafNode) addString(s string) {
	l.strs = append(l.strs, s)
	if a, ok := parseIP(s); ok {
		l.ips = append(l.ips, a)
	}
}

// matchesScalar reports whether a scalar event value satisfies the leaf.
func (l *leafNode) matchesScalar(v *value) bool {
	if l.existsTrue {
		return true
	}
	switch v.kind {
	case kindString:
		for _, s := range l.strs {
			if s == v.str {
				return true
			}
		}
		if len(l.ips) > 0 {
			if a, ok := parseIP(v.str); ok {
				for _, ip := range l.ips {
					if ip == a {
						return true
					}
				}
			}
		}
	case kindNumber:
		for i := range l.nums {
			if l.nums[i].equals(&v.num) {
				return true
			}
		}
	case kindNull:
		if l.literals&litNull != 0 {
			return true
		}
	case kindTrue:
		if l.literals&litTrue != 0 {
			return true
		}
	case kindFalse:
		if l.literals&litFalse != 0 {
			return true
		}
	}
	for _, c := range l.conds {
		if c.matches(v) {
			return true
		}
	}
	return false
}

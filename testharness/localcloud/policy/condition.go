package policy

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"
)

// setQualifier is a condition's ForAnyValue:/ForAllValues: prefix.
type setQualifier int

const (
	single setQualifier = iota
	forAnyValue
	forAllValues
)

// Condition is one key of one operator of a Condition block.
type Condition struct {
	// Operator is as written ("ForAnyValue:StringLikeIfExists").
	Operator string
	// Key is the condition key, lowercased (keys are case-insensitive).
	Key    string
	Values []string

	base     string // operator without qualifier and IfExists
	negated  bool
	ifExists bool
	set      setQualifier
	match    func(policyValue, requestValue string) bool
}

// matchers are the base operators (IAM User Guide, "IAM JSON policy
// elements: Condition operators"). The negated operators map to their
// positive form; the result is then inverted.
var matchers = map[string]func(p, v string) bool{
	"StringEquals":             func(p, v string) bool { return p == v },
	"StringEqualsIgnoreCase":   strings.EqualFold,
	"StringLike":               glob,
	"NumericEquals":            numeric(func(c int) bool { return c == 0 }),
	"NumericLessThan":          numeric(func(c int) bool { return c < 0 }),
	"NumericLessThanEquals":    numeric(func(c int) bool { return c <= 0 }),
	"NumericGreaterThan":       numeric(func(c int) bool { return c > 0 }),
	"NumericGreaterThanEquals": numeric(func(c int) bool { return c >= 0 }),
	"DateEquals":               date(func(c int) bool { return c == 0 }),
	"DateLessThan":             date(func(c int) bool { return c < 0 }),
	"DateLessThanEquals":       date(func(c int) bool { return c <= 0 }),
	"DateGreaterThan":          date(func(c int) bool { return c > 0 }),
	"DateGreaterThanEquals":    date(func(c int) bool { return c >= 0 }),
	"Bool":                     strings.EqualFold,
	"BinaryEquals":             func(p, v string) bool { return p == v },
	"IpAddress":                ipInRange,
	"ArnEquals":                matchARN,
	"ArnLike":                  matchARN,
}

// negations name the positive operator of each negated one.
var negations = map[string]string{
	"StringNotEquals":           "StringEquals",
	"StringNotEqualsIgnoreCase": "StringEqualsIgnoreCase",
	"StringNotLike":             "StringLike",
	"NumericNotEquals":          "NumericEquals",
	"DateNotEquals":             "DateEquals",
	"NotIpAddress":              "IpAddress",
	"ArnNotEquals":              "ArnEquals",
	"ArnNotLike":                "ArnLike",
}

func parseConditions(v any) ([]Condition, error) {
	if v == nil {
		return nil, nil
	}
	block, ok := v.(map[string]any)
	if !ok {
		return nil, malformed("Condition must be an object")
	}
	ops := make([]string, 0, len(block))
	for op := range block {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var out []Condition
	for _, op := range ops {
		keys, ok := block[op].(map[string]any)
		if !ok {
			return nil, malformed("Condition operator %s must map keys to values", op)
		}
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c, err := newCondition(op, k, keys[k])
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func newCondition(op, key string, raw any) (Condition, error) {
	c := Condition{Operator: op, Key: strings.ToLower(key)}
	rest := op
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		c.set, rest = forAnyValue, r
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		c.set, rest = forAllValues, r
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok && rest != "Null" {
		c.ifExists, rest = true, r
	}
	c.base = rest
	if pos, ok := negations[rest]; ok {
		c.negated, rest = true, pos
	}
	if c.base != "Null" {
		if c.match = matchers[rest]; c.match == nil {
			return c, malformed("Invalid Condition type : %s.", op)
		}
	}
	switch x := raw.(type) {
	case bool:
		c.Values = []string{strconv.FormatBool(x)}
	case float64:
		c.Values = []string{strconv.FormatFloat(x, 'f', -1, 64)}
	default:
		list, err := stringList(raw, "Condition "+op)
		if err != nil {
			if arr, ok := raw.([]any); ok {
				// Lists may mix numbers and booleans with strings.
				list = list[:0]
				for _, e := range arr {
					list = append(list, fmt.Sprint(e))
				}
			} else {
				return c, err
			}
		}
		c.Values = list
	}
	return c, nil
}

// eval evaluates one condition against the request's values of its key
// (nil when the key is absent), following the documented rules: a missing
// key fails a positive operator and satisfies a negated one; IfExists makes
// a missing key satisfy; ForAllValues is true of a missing or empty key;
// ForAnyValue is false of one.
func (c *Condition) eval(values []string, present bool, policyValues []string) bool {
	if c.base == "Null" {
		want := len(policyValues) > 0 && strings.EqualFold(policyValues[0], "true")
		return want == !present
	}
	if !present || len(values) == 0 {
		switch {
		case c.set == forAllValues:
			return true
		case c.ifExists:
			return true
		case c.set == forAnyValue:
			return false
		}
		return c.negated
	}
	anyMatch := func(v string) bool {
		for _, p := range policyValues {
			if c.match(p, v) {
				return true
			}
		}
		return false
	}
	switch c.set {
	case forAllValues:
		for _, v := range values {
			if anyMatch(v) == c.negated {
				return false
			}
		}
		return true
	case forAnyValue:
		for _, v := range values {
			if anyMatch(v) != c.negated {
				return true
			}
		}
		return false
	}
	matched := false
	for _, v := range values {
		matched = matched || anyMatch(v)
	}
	return matched != c.negated
}

func numeric(cmp func(int) bool) func(p, v string) bool {
	return func(p, v string) bool {
		pf, err1 := strconv.ParseFloat(p, 64)
		vf, err2 := strconv.ParseFloat(v, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		switch {
		case vf < pf:
			return cmp(-1)
		case vf > pf:
			return cmp(1)
		}
		return cmp(0)
	}
}

// parseDate reads an ISO 8601 date-time, a date, or epoch seconds.
func parseDate(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0), true
	}
	return time.Time{}, false
}

func date(cmp func(int) bool) func(p, v string) bool {
	return func(p, v string) bool {
		pt, ok1 := parseDate(p)
		vt, ok2 := parseDate(v)
		if !ok1 || !ok2 {
			return false
		}
		return cmp(vt.Compare(pt))
	}
}

// ipInRange tells whether address v is in p, a CIDR block or an address.
func ipInRange(p, v string) bool {
	addr, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	if prefix, err := netip.ParsePrefix(p); err == nil {
		return prefix.Contains(addr)
	}
	pa, err := netip.ParseAddr(p)
	return err == nil && pa == addr
}

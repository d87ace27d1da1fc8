package eventpattern

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Prefix, suffix and equals-ignore-case apply to string values only; a
// number, boolean or null never matches them.

type prefixMatch struct {
	s    string
	fold bool
}

func (m prefixMatch) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	if m.fold {
		return hasPrefixFold(v.str, m.s)
	}
	return strings.HasPrefix(v.str, m.s)
}

type suffixMatch struct {
	s    string
	fold bool
}

func (m suffixMatch) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	if m.fold {
		return hasSuffixFold(v.str, m.s)
	}
	return strings.HasSuffix(v.str, m.s)
}

type equalsIgnoreCase string

func (m equalsIgnoreCase) matches(v *value) bool {
	return v.kind == kindString && strings.EqualFold(v.str, string(m))
}

// foldEqual reports whether two runes are equal under Unicode simple case
// folding, the relation strings.EqualFold uses.
func foldEqual(a, b rune) bool {
	if a == b {
		return true
	}
	for f := unicode.SimpleFold(a); f != a; f = unicode.SimpleFold(f) {
		if f == b {
			return true
		}
	}
	return false
}

// hasPrefixFold is strings.HasPrefix under case folding. It walks runes
// because a rune and its other case may differ in UTF-8 length.
func hasPrefixFold(s, prefix string) bool {
	for prefix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeRuneInString(prefix)
		sr, sn := utf8.DecodeRuneInString(s)
		if !foldEqual(pr, sr) {
			return false
		}
		prefix, s = prefix[pn:], s[sn:]
	}
	return true
}

// hasSuffixFold is strings.HasSuffix under case folding.
func hasSuffixFold(s, suffix string) bool {
	for suffix != "" {
		if s == "" {
			return false
		}
		pr, pn := utf8.DecodeLastRuneInString(suffix)
		sr, sn := utf8.DecodeLastRuneInString(s)
		if !foldEqual(pr, sr) {
			return false
		}
		suffix, s = suffix[:len(suffix)-pn], s[:len(s)-sn]
	}
	return true
}

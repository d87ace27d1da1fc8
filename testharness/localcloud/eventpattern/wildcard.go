package eventpattern

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// wildcardMatch is {"wildcard": "…"}: '*' matches any run of characters,
// "\*" a literal star and "\\" a literal backslash. It applies to strings
// only. The pattern is kept as the literal segments between stars.
type wildcardMatch struct {
	segs []string // len(segs) == stars + 1
}

func (m wildcardMatch) matches(v *value) bool {
	if v.kind != kindString {
		return false
	}
	s := v.str
	if len(m.segs) == 1 {
		return s == m.segs[0]
	}
	first, last := m.segs[0], m.segs[len(m.segs)-1]
	if len(s) < len(first)+len(last) || !strings.HasPrefix(s, first) || !strings.HasSuffix(s, last) {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, seg := range m.segs[1 : len(m.segs)-1] {
		i := strings.Index(s, seg)
		if i < 0 {
			return false
		}
		s = s[i+len(seg):]
	}
	return true
}

// maxWildcardStates bounds how many positions of a wildcard pattern one
// input may keep alive at once. EventBridge rejects patterns whose
// matching could blow up ("Rule is too complex"); its exact measure is not
// published, so this is a documented approximation: it accepts the
// documented examples and rejects the AWS-validated
// "*:*:*:*:*:event-bus/*".
const maxWildcardStates = 10

// compileWildcard parses a wildcard pattern. Error positions count bytes
// from 1, because event-ruler parses the value with its opening quote.
func compileWildcard(p string) (wildcardMatch, error) {
	var (
		segs []string
		cur  strings.Builder
		toks []int16 // -1 is a star, else a literal byte
	)
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				return wildcardMatch{}, invalid("Consecutive wildcard characters at pos " + strconv.Itoa(i+1))
			}
			segs = append(segs, cur.String())
			cur.Reset()
			toks = append(toks, -1)
		case '\\':
			if i+1 < len(p) && (p[i+1] == '*' || p[i+1] == '\\') {
				i++
				cur.WriteByte(p[i])
				toks = append(toks, int16(p[i]))
				continue
			}
			return wildcardMatch{}, invalid("Invalid escape character at pos " + strconv.Itoa(i+1))
		default:
			cur.WriteByte(c)
			toks = append(toks, int16(c))
		}
	}
	segs = append(segs, cur.String())
	if len(segs) > 2 && worstCaseStates(toks) > maxWildcardStates {
		return wildcardMatch{}, invalid("Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character")
	}
	return wildcardMatch{segs: segs}, nil
}

// worstCaseStates explores the pattern's automaton over every reachable set
// of live positions and returns the size of the largest set. Live
// positions are a bitmask, so only patterns of up to 63 characters are
// measured; longer ones, and any whose exploration exceeds a fixed budget,
// are accepted (0): matching here is linear whatever the pattern, so the
// limit only mirrors EventBridge and must never make compiling slow.
func worstCaseStates(toks []int16) int {
	const budget = 2000
	n := len(toks)
	if n > 63 {
		return 0
	}
	var stars uint64
	alphabet := []int16{256} // 256 stands for any byte absent from the pattern
	for i, t := range toks {
		if t < 0 {
			stars |= 1 << i
		} else if !slices.Contains(alphabet, t) {
			alphabet = append(alphabet, t)
		}
	}
	closure := func(set uint64) uint64 {
		// A live star also makes the position after it live.
		for {
			next := set | (set&stars)<<1
			if next == set {
				return set
			}
			set = next
		}
	}
	start := closure(1)
	seen := map[uint64]bool{start: true}
	queue := []uint64{start}
	worst := 0
	all := uint64(1)<<n - 1
	for len(queue) > 0 {
		set := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		worst = max(worst, bits.OnesCount64(set&all))
		for _, c := range alphabet {
			next := set & stars // a star consumes any byte and stays live
			for i := 0; i < n; i++ {
				if set&(1<<i) != 0 && toks[i] == c {
					next |= 1 << (i + 1)
				}
			}
			if next == 0 {
				continue
			}
			next = closure(next)
			if seen[next] {
				continue
			}
			if len(seen) >= budget {
				return 0
			}
			seen[next] = true
			queue = append(queue, next)
		}
	}
	return worst
}

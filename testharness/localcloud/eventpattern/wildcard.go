package eventpattern

import (
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
// of live positions and returns the largest set seen. It gives up (and
// reports a huge number) past a fixed budget of sets.
func worstCaseStates(toks []int16) int {
	const budget = 2000
	n := len(toks)
	closure := func(set []bool) []bool {
		for i := 0; i < n; i++ {
			if set[i] && toks[i] == -1 {
				set[i+1] = true
			}
		}
		return set
	}
	alphabet := map[int16]bool{256: true} // 256 stands for any other byte
	for _, t := range toks {
		if t >= 0 {
			alphabet[t] = true
		}
	}
	key := func(set []bool) string {
		b := make([]byte, len(set))
		for i, on := range set {
			if on {
				b[i] = 1
			}
		}
		return string(b)
	}
	start := make([]bool, n+1)
	start[0] = true
	start = closure(start)
	seen := map[string]bool{key(start): true}
	queue := [][]bool{start}
	worst := 0
	for len(queue) > 0 {
		set := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		live := 0
		for i := 0; i < n; i++ {
			if set[i] {
				live++
			}
		}
		worst = max(worst, live)
		for c := range alphabet {
			next := make([]bool, n+1)
			any := false
			for i := 0; i < n; i++ {
				if !set[i] {
					continue
				}
				if toks[i] == -1 {
					next[i], any = true, true
				} else if toks[i] == c {
					next[i+1], any = true, true
				}
			}
			if !any {
				continue
			}
			next = closure(next)
			k := key(next)
			if seen[k] {
				continue
			}
			if len(seen) >= budget {
				return 1 << 30
			}
			seen[k] = true
			queue = append(queue, next)
		}
	}
	return worst
}

package policy

import "strings"

// glob matches s against a pattern where * matches any run of characters
// (including none) and ? exactly one, as IAM's Action, Resource and
// StringLike matching does.
func glob(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// matchAction matches a lowercase action pattern against a lowercased
// action, so that both the service prefix and the name compare
// case-insensitively.
func matchAction(pattern, action string) bool {
	return pattern == "*" || glob(pattern, action)
}

// matchARN matches an ARN pattern as IAM does for Resource and ArnLike: the
// first five colon-separated parts (arn, partition, service, region,
// account) are matched one by one, so a wildcard there stays in its part;
// in the resource part, which may itself contain colons and slashes, a
// wildcard spans them. "*" alone matches anything.
func matchARN(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	for range 5 {
		pp, prest, ok1 := strings.Cut(pattern, ":")
		vp, vrest, ok2 := strings.Cut(value, ":")
		if !ok1 {
			// The pattern ends early ("arn:aws:sqs:*"): its last part
			// spans the rest of the value.
			return glob(pattern, value)
		}
		if !ok2 {
			return false
		}
		if !glob(pp, vp) {
			return false
		}
		pattern, value = prest, vrest
	}
	return glob(pattern, value)
}

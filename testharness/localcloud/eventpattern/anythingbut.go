package eventpattern

import "slices"

// anythingBut is {"anything-but": value-or-list}: it matches every scalar
// except the listed strings (or numbers, compared in comparable form).
// Like EventBridge it matches null, booleans and values of the other type,
// but never a missing field.
type anythingBut struct {
	strs []string
	nums []int64
}

func (m anythingBut) matches(v *value) bool {
	switch v.kind {
	case kindString:
		return !slices.Contains(m.strs, v.str)
	case kindNumber:
		return !v.num.ok || !slices.Contains(m.nums, v.num.cmp)
	default:
		return true
	}
}

// anythingButOf is anything-but with prefix, suffix, wildcard or
// equals-ignore-case: a string matches if none of the conditions does;
// any other scalar matches.
type anythingButOf []condition

func (m anythingButOf) matches(v *value) bool {
	if v.kind != kindString {
		return true
	}
	for _, c := range m {
		if c.matches(v) {
			return false
		}
	}
	return true
}

const (
	errAnythingButValue = "Value of anything-but must be an array or single string/number value."
	errAnythingButList  = "Inside anything but list, start|null|boolean is not supported."
	errAnythingButMixed = "Inside anything but list, either all values are number or string, mixed type is not supported"
	errAnythingButFold  = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
	errPrefixSuffix     = "prefix/suffix match pattern must be a string"
)

// parseAnythingBut reads the value after "anything-but"; the caller
// consumes the closing '}' of the match expression.
func parseAnythingBut(r *tokenReader) (condition, error) {
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tokBeginObject:
		return parseAnythingButObject(r)
	case tokBeginArray:
		return parseAnythingButList(r)
	case tokString:
		return anythingBut{strs: []string{t.text}}, nil
	case tokNumber:
		n, err := operand(t.text)
		if err != nil {
			return nil, err
		}
		return anythingBut{nums: []int64{n}}, nil
	default:
		return nil, invalid(errAnythingButValue)
	}
}

func parseAnythingButList(r *tokenReader) (condition, error) {
	var m anythingBut
	for {
		t, err := r.next()
		if err != nil {
			return nil, err
		}
		switch t.kind {
		case tokEndArray:
			if (len(m.strs) > 0) == (len(m.nums) > 0) {
				return nil, invalid(errAnythingButMixed)
			}
			return m, nil
		case tokString:
			m.strs = append(m.strs, t.text)
		case tokNumber:
			n, err := operand(t.text)
			if err != nil {
				return nil, err
			}
			m.nums = append(m.nums, n)
		default:
			return nil, invalid(errAnythingButList)
		}
	}
}

// parseAnythingButObject reads {"prefix"|"suffix"|"wildcard"|
// "equals-ignore-case": string-or-list} inside anything-but, its '{'
// consumed, including its closing '}'.
func parseAnythingButObject(r *tokenReader) (condition, error) {
	name, err := r.next()
	if err != nil {
		return nil, err
	}
	if name.kind != tokString {
		return nil, invalid("Anything-But expression name not found")
	}
	var build func(string) (condition, error)
	typeErr := errPrefixSuffix
	switch name.text {
	case "prefix", "suffix":
		build = func(s string) (condition, error) {
			if s == "" {
				return nil, invalid("Null prefix/suffix not allowed")
			}
			if name.text == "prefix" {
				return prefixMatch{s: s}, nil
			}
			return suffixMatch{s: s}, nil
		}
	case "wildcard":
		typeErr = "wildcard match pattern must be a string"
		build = func(s string) (condition, error) { return compileWildcard(s) }
	case "equals-ignore-case":
		typeErr = errAnythingButFold
		build = func(s string) (condition, error) { return equalsIgnoreCase(s), nil }
	default:
		return nil, invalid("Unsupported anything-but pattern: " + name.text)
	}
	conds, err := readStringOrList(r, typeErr, build)
	if err != nil {
		return nil, err
	}
	if err := expectEndObject(r, onlyOneKey); err != nil {
		return nil, err
	}
	return anythingButOf(conds), nil
}

// readStringOrList reads a string or an array of strings and builds a
// condition from each. An object is refused with the generic anything-but
// message, any other non-string with typeErr.
func readStringOrList(r *tokenReader, typeErr string, build func(string) (condition, error)) ([]condition, error) {
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	switch t.kind {
	case tokString:
		c, err := build(t.text)
		if err != nil {
			return nil, err
		}
		return []condition{c}, nil
	case tokBeginArray:
	case tokBeginObject:
		return nil, invalid(errAnythingButValue)
	case tokNumber:
		return nil, invalid(typeErr)
	default:
		if typeErr == errAnythingButFold {
			return nil, invalid(errAnythingButValue)
		}
		return nil, invalid(typeErr)
	}
	var conds []condition
	for {
		t, err := r.next()
		if err != nil {
			return nil, err
		}
		if t.kind == tokEndArray {
			if len(conds) == 0 {
				return nil, invalid("Empty arrays are not allowed")
			}
			return conds, nil
		}
		if t.kind != tokString {
			return nil, invalid(typeErr)
		}
		c, err := build(t.text)
		if err != nil {
			return nil, err
		}
		conds = append(conds, c)
	}
}

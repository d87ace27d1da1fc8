package eventpattern

// numericRange is {"numeric": [op, value, …]}: it matches numbers whose
// comparable form (see numbers.go) lies in the range. Strings such as "5"
// never match.
type numericRange struct {
	lo, hi         int64
	hasLo, hasHi   bool
	openLo, openHi bool
}

func (m numericRange) matches(v *value) bool {
	if v.kind != kindNumber || !v.num.ok {
		return false
	}
	c := v.num.cmp
	if m.hasLo && (c < m.lo || (m.openLo && c == m.lo)) {
		return false
	}
	if m.hasHi && (c > m.hi || (m.openHi && c == m.hi)) {
		return false
	}
	return true
}

// parseNumeric reads the array after "numeric". Accepted forms, as in
// event-ruler: ["=", n], ["<", n], ["<=", n], [">", n], [">=", n], and a
// lower bound (">" or ">=") followed by an upper one ("<" or "<=").
func parseNumeric(r *tokenReader) (condition, error) {
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	if t.kind != tokBeginArray {
		return nil, invalid("Value of numeric must be an array.")
	}
	if t, err = r.next(); err != nil {
		return nil, err
	}
	if t.kind != tokString {
		return nil, invalid("Invalid member in numeric match: " + t.text)
	}
	op := t.text
	var m numericRange
	switch op {
	case "=", "<", "<=", ">", ">=":
	default:
		return nil, invalid("Unrecognized numeric range operator: " + op)
	}
	if t, err = r.next(); err != nil {
		return nil, err
	}
	if !t.isNumber() {
		if op == "=" {
			return nil, invalid("Value of equals must be numeric")
		}
		return nil, invalid("Value of " + op + " must be numeric")
	}
	val, err := operand(t.text)
	if err != nil {
		return nil, err
	}
	if t, err = r.next(); err != nil {
		return nil, err
	}
	switch op {
	case "=":
		m = numericRange{lo: val, hi: val, hasLo: true, hasHi: true}
	case "<", "<=":
		m = numericRange{hi: val, hasHi: true, openHi: op == "<"}
	default:
		m = numericRange{lo: val, hasLo: true, openLo: op == ">"}
		if t.kind != tokEndArray {
			return completeRange(r, t, m)
		}
	}
	if t.kind != tokEndArray {
		return nil, invalid(tooManyNumericElements)
	}
	return m, nil
}

// completeRange reads the upper bound after a lower one; t is the token
// after the lower bound's value.
func completeRange(r *tokenReader, t token, m numericRange) (condition, error) {
	if t.kind != tokString {
		return nil, invalid("Bad value in numeric range: " + t.text)
	}
	op := t.text
	if op != "<" && op != "<=" {
		return nil, invalid("Bad numeric range operator: " + op)
	}
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	if !t.isNumber() {
		return nil, invalid("Value of " + op + " must be numeric")
	}
	if m.hi, err = operand(t.text); err != nil {
		return nil, err
	}
	m.hasHi, m.openHi = true, op == "<"
	if t, err = r.next(); err != nil {
		return nil, err
	}
	if t.kind != tokEndArray {
		return nil, invalid("Too many terms in numeric range expression")
	}
	return m, nil
}

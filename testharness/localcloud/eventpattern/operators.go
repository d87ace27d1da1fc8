package eventpattern

// parseMatchExpression reads one {"operator": …} object inside a field's
// array (its '{' consumed) and adds the condition to leaf. The checks and
// their order follow event-ruler's JsonRuleCompiler, so the first problem
// reported is the one EventBridge reports.
func parseMatchExpression(r *tokenReader, leaf *leafNode) error {
	name, err := r.next()
	if err != nil {
		return err
	}
	if name.kind != tokString {
		return invalid("Match expression name not found")
	}
	switch name.text {
	case "prefix", "suffix":
		c, err := parsePrefixSuffix(r, name.text)
		if err != nil {
			return err
		}
		leaf.conds = append(leaf.conds, c)
	case "equals-ignore-case":
		t, err := r.next()
		if err != nil {
			return err
		}
		if t.kind != tokString {
			return invalid("equals-ignore-case match pattern must be a string")
		}
		leaf.conds = append(leaf.conds, equalsIgnoreCase(t.text))
	case "wildcard":
		t, err := r.next()
		if err != nil {
			return err
		}
		if t.kind != tokString {
			return invalid("wildcard match pattern must be a string")
		}
		w, err := compileWildcard(t.text)
		if err != nil {
			return err
		}
		leaf.conds = append(leaf.conds, w)
	case "cidr":
		t, err := r.next()
		if err != nil {
			return err
		}
		if t.kind != tokString {
			// sic: event-ruler reuses the prefix message here.
			return invalid("prefix match pattern must be a string")
		}
		c, err := parseCIDR(t.text)
		if err != nil {
			return err
		}
		leaf.conds = append(leaf.conds, c)
	case "exists":
		t, err := r.next()
		if err != nil {
			return err
		}
		switch t.kind {
		case tokTrue:
			leaf.existsTrue = true
		case tokFalse:
			leaf.existsFalse = true
		default:
			return invalid("exists match pattern must be either true or false.")
		}
	case "numeric":
		c, err := parseNumeric(r)
		if err != nil {
			return err
		}
		leaf.conds = append(leaf.conds, c)
		return expectEndObject(r, tooManyNumericElements)
	case "anything-but":
		c, err := parseAnythingBut(r)
		if err != nil {
			return err
		}
		leaf.conds = append(leaf.conds, c)
		return expectEndObject(r, tooManyNumericElements)
	default:
		return invalid("Unrecognized match type " + name.text)
	}
	return expectEndObject(r, onlyOneKey)
}

const (
	onlyOneKey             = "Only one key allowed in match expression"
	tooManyNumericElements = "Too many elements in numeric expression"
)

// expectEndObject consumes a '}' or fails with reason.
func expectEndObject(r *tokenReader, reason string) error {
	t, err := r.next()
	if err != nil {
		return err
	}
	if t.kind != tokEndObject {
		return invalid(reason)
	}
	return nil
}

// parsePrefixSuffix reads the value of "prefix" or "suffix": a string, or
// {"equals-ignore-case": string}.
func parsePrefixSuffix(r *tokenReader, op string) (condition, error) {
	t, err := r.next()
	if err != nil {
		return nil, err
	}
	fold := false
	if t.kind == tokBeginObject {
		inner, err := r.next()
		if err != nil {
			return nil, err
		}
		if inner.kind != tokString {
			return nil, invalid(op + " expression name not found")
		}
		if inner.text != "equals-ignore-case" {
			return nil, invalid("Unsupported " + op + " pattern: " + inner.text)
		}
		if t, err = r.next(); err != nil {
			return nil, err
		}
		if t.kind != tokString {
			return nil, invalid("equals-ignore-case match pattern must be a string")
		}
		if err := expectEndObject(r, onlyOneKey); err != nil {
			return nil, err
		}
		fold = true
	} else if t.kind != tokString {
		return nil, invalid(op + " match pattern must be a string")
	}
	if op == "prefix" {
		return prefixMatch{s: t.text, fold: fold}, nil
	}
	return suffixMatch{s: t.text, fold: fold}, nil
}

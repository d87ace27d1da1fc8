package asl

import (
	"fmt"
	"sort"
	"strings"
)

// choiceRule is a compiled Choice rule: a boolean combinator (And, Or, Not)
// or one comparison of the Variable against a literal or a second path.
type choiceRule struct {
	next string

	and, or []*choiceRule
	not     *choiceRule

	variable    *Path
	op          string // operator name without the "Path" suffix
	operand     any
	operandPath *Path
}

// comparisonKinds maps each comparison operator to the JSON type its
// operand must have.
var comparisonKinds = map[string]string{
	"StringEquals": "string", "StringLessThan": "string", "StringGreaterThan": "string",
	"StringLessThanEquals": "string", "StringGreaterThanEquals": "string", "StringMatches": "string",
	"NumericEquals": "number", "NumericLessThan": "number", "NumericGreaterThan": "number",
	"NumericLessThanEquals": "number", "NumericGreaterThanEquals": "number",
	"BooleanEquals":   "boolean",
	"TimestampEquals": "timestamp", "TimestampLessThan": "timestamp", "TimestampGreaterThan": "timestamp",
	"TimestampLessThanEquals": "timestamp", "TimestampGreaterThanEquals": "timestamp",
	"IsNull": "boolean", "IsPresent": "boolean", "IsNumeric": "boolean", "IsString": "boolean",
	"IsBoolean": "boolean", "IsTimestamp": "boolean",
}

// hasPathVariant reports operators with a ...Path form (all but the Is*
// tests and StringMatches).
func hasPathVariant(op string) bool {
	return !strings.HasPrefix(op, "Is") && op != "StringMatches"
}

func (p *parser) choiceRule(v any, loc string, top bool) *choiceRule {
	f, ok := p.object(v, loc)
	if !ok {
		return nil
	}
	r := &choiceRule{}
	if top {
		if !f.require("Next") {
			return nil
		}
		r.next, _ = f.str("Next")
	} else if f.has("Next") {
		p.schema(f.at("Next"), "Nested choice rules must not have 'Next'")
	}
	var ops []string
	for k := range f.m {
		switch k {
		case "Next", "Variable", "Comment", "Assign":
			continue
		case "And", "Or", "Not":
			ops = append(ops, k)
			continue
		}
		base := strings.TrimSuffix(k, "Path")
		if _, ok := comparisonKinds[k]; ok || (k != base && hasPathVariant(base) && comparisonKinds[base] != "") {
			ops = append(ops, k)
			continue
		}
		p.schema(f.at(k), "The field %q is not supported by Step Functions", k)
	}
	sort.Strings(ops)
	if len(ops) != 1 {
		p.schema(loc, "A choice rule must have exactly one comparison operator or one of And, Or, Not; found [%s]", strings.Join(ops, ", "))
		return nil
	}
	op := ops[0]
	switch op {
	case "And", "Or":
		list, ok := f.m[op].([]any)
		if !ok || len(list) == 0 {
			p.schema(f.at(op), "%s must be a non-empty array of choice rules", op)
			return nil
		}
		for i, e := range list {
			sub := p.choiceRule(e, fmt.Sprintf("%s/%s[%d]", loc, op, i), false)
			if sub == nil {
				return nil
			}
			if op == "And" {
				r.and = append(r.and, sub)
			} else {
				r.or = append(r.or, sub)
			}
		}
		return r
	case "Not":
		r.not = p.choiceRule(f.m["Not"], loc+"/Not", false)
		if r.not == nil {
			return nil
		}
		return r
	}
	if !f.require("Variable") {
		return nil
	}
	r.variable, _ = f.path("Variable", false)
	if r.variable == nil {
		return nil
	}
	if _, plain := comparisonKinds[op]; !plain {
		r.op = strings.TrimSuffix(op, "Path")
		r.operandPath, _ = f.path(op, false)
		if r.operandPath == nil {
			return nil
		}
		return r
	}
	r.op = op
	r.operand = f.m[op]
	if !operandFits(comparisonKinds[op], r.operand) {
		p.schema(f.at(op), "The value of %s must be a %s", op, comparisonKinds[op])
		return nil
	}
	return r
}

func operandFits(kind string, v any) bool {
	switch kind {
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		return isNumber(v)
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "timestamp":
		s, ok := v.(string)
		if !ok {
			return false
		}
		_, err := parseTimestamp(s)
		return err == nil
	}
	return false
}

// matches evaluates a rule. A Variable that selects nothing is an error
// except for IsPresent (AWS fails the execution with States.Runtime).
func (r *choiceRule) matches(input, ctxObj any) (bool, error) {
	switch {
	case r.and != nil:
		for _, sub := range r.and {
			ok, err := sub.matches(input, ctxObj)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case r.or != nil:
		for _, sub := range r.or {
			ok, err := sub.matches(input, ctxObj)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case r.not != nil:
		ok, err := r.not.matches(input, ctxObj)
		return !ok, err
	}
	val, found := r.variable.get(input, ctxObj)
	if r.op == "IsPresent" {
		return found == r.operand.(bool), nil
	}
	if !found {
		return false, newStatesError(StatesRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.variable.raw)
	}
	operand := r.operand
	if r.operandPath != nil {
		v, ok := r.operandPath.get(input, ctxObj)
		if !ok {
			return false, newStatesError(StatesRuntime, "Invalid path '%s': The choice state's condition path references an invalid value.", r.operandPath.raw)
		}
		operand = v
	}
	return compare(r.op, val, operand), nil
}

// compare applies one operator. A value of the wrong type never matches.
func compare(op string, val, operand any) bool {
	switch op {
	case "IsNull":
		return (val == nil) == operand.(bool)
	case "IsNumeric":
		return isNumber(val) == operand.(bool)
	case "IsString":
		_, ok := val.(string)
		return ok == operand.(bool)
	case "IsBoolean":
		_, ok := val.(bool)
		return ok == operand.(bool)
	case "IsTimestamp":
		return operandFits("timestamp", val) == operand.(bool)
	case "BooleanEquals":
		a, ok1 := val.(bool)
		b, ok2 := operand.(bool)
		return ok1 && ok2 && a == b
	case "StringMatches":
		a, ok1 := val.(string)
		b, ok2 := operand.(string)
		return ok1 && ok2 && wildcardMatch(b, a)
	}
	var c int
	switch comparisonKinds[op] {
	case "string":
		a, ok1 := val.(string)
		b, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		c = strings.Compare(a, b)
	case "number":
		a, ok1 := toFloat(val)
		b, ok2 := toFloat(operand)
		if !ok1 || !ok2 {
			return false
		}
		c = cmpFloat(a, b)
	case "timestamp":
		as, ok1 := val.(string)
		bs, ok2 := operand.(string)
		if !ok1 || !ok2 {
			return false
		}
		a, err1 := parseTimestamp(as)
		b, err2 := parseTimestamp(bs)
		if err1 != nil || err2 != nil {
			return false
		}
		c = a.Compare(b)
	default:
		return false
	}
	switch {
	case strings.HasSuffix(op, "GreaterThanEquals"):
		return c >= 0
	case strings.HasSuffix(op, "LessThanEquals"):
		return c <= 0
	case strings.HasSuffix(op, "GreaterThan"):
		return c > 0
	case strings.HasSuffix(op, "LessThan"):
		return c < 0
	}
	return c == 0 // ...Equals
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// wildcardMatch implements StringMatches: '*' matches any run of
// characters, '\*' a literal asterisk and '\\' a backslash.
func wildcardMatch(pattern, s string) bool {
	type tok struct {
		star bool
		r    rune
	}
	var toks []tok
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			toks = append(toks, tok{r: rs[i+1]})
			i++
			continue
		}
		toks = append(toks, tok{star: rs[i] == '*', r: rs[i]})
	}
	in := []rune(s)
	// Iterative glob match with backtracking to the last star.
	ti, si, starT, starS := 0, 0, -1, 0
	for si < len(in) {
		switch {
		case ti < len(toks) && !toks[ti].star && toks[ti].r == in[si]:
			ti++
			si++
		case ti < len(toks) && toks[ti].star:
			starT, starS = ti, si
			ti++
		case starT >= 0:
			starS++
			si = starS
			ti = starT + 1
		default:
			return false
		}
	}
	for ti < len(toks) && toks[ti].star {
		ti++
	}
	return ti == len(toks)
}

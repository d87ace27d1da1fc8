package eventpattern

import (
	"math"
	"strconv"
)

// EventBridge compares numbers the way event-ruler's ComparableNumber does:
// a number between -5e9 and 5e9 is turned into the integer
// trunc(1e6 × (5e9 + value)) — six decimal places — and numbers equal in
// that form are equal (so 300, 300.0 and 3.0e2 match each other). A number
// outside that range has no comparable form: it equals only the same
// literal text (an account id such as 123456789012 is matched that way)
// and never satisfies a numeric range.

const fiveBillion = 5e9

// errNumberRange is event-ruler's message for a numeric operand outside the
// comparable range.
const errNumberRange = "Value must be between -5.0E9 and 5.0E9, inclusive"

// number is a JSON number as written plus its comparable form.
type number struct {
	text string
	cmp  int64
	ok   bool // cmp is valid: the value is within ±5e9
}

func newNumber(text string) number {
	n := number{text: text}
	f, err := strconv.ParseFloat(text, 64)
	if err == nil {
		n.cmp, n.ok = comparableForm(f)
	}
	return n
}

// comparableForm mirrors ComparableNumber.generate, using the same float64
// arithmetic so that rounding agrees with the JVM.
func comparableForm(f float64) (int64, bool) {
	if math.IsNaN(f) || f < -fiveBillion || f > fiveBillion {
		return 0, false
	}
	sum := fiveBillion + f
	return int64(1e6 * sum), true
}

// equals is exact-value equality between a pattern number and an event
// number.
func (n *number) equals(o *number) bool {
	if n.ok && o.ok {
		return n.cmp == o.cmp
	}
	return n.text == o.text
}

// operand parses a numeric operand of numeric or anything-but, which must
// have a comparable form.
func operand(text string) (int64, error) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !isRangeErr(err) {
		return 0, invalid("Value of numeric must be numeric")
	}
	c, ok := comparableForm(f)
	if !ok {
		return 0, invalid(errNumberRange)
	}
	return c, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

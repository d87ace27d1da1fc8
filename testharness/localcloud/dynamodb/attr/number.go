package attr

import (
	"fmt"
	"math/big"
	"strings"
)

// Number is a DynamoDB number: up to 38 significant decimal digits with a
// magnitude between 1E-130 and 9.9999999999999999999999999999999999999E+125.
// It is exact (never float64): the value is 0.digits × 10^exp, with the
// digits free of leading and trailing zeros, so two equal numbers have the
// same representation whatever text they were written with.
type Number struct {
	neg    bool
	digits string // significant digits; "" is zero
	exp    int
}

// Limits from the DynamoDB Developer Guide, "Naming rules and data types":
// "Numbers can have up to 38 digits of precision … Positive range: 1E-130
// to 9.9999999999999999999999999999999999999E+125".
const (
	maxDigits = 38
	maxExp    = 126  // 0.999…×10^126 = 9.99…E+125
	minExp    = -129 // 0.1×10^-129 = 1E-130
)

// ParseNumber reads a number as DynamoDB accepts it ("12", "-0.50",
// "1.5E2"); errors carry DynamoDB's ValidationException messages.
func ParseNumber(s string) (Number, error) {
	bad := &Error{Msg: "The parameter cannot be converted to a numeric value: " + s}
	i := 0
	var n Number
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		n.neg = s[i] == '-'
		i++
	}
	start := i
	var mant strings.Builder
	point := -1
	for ; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' {
			mant.WriteByte(c)
		} else if c == '.' && point < 0 {
			point = mant.Len()
		} else {
			break
		}
	}
	if mant.Len() == 0 || i-start == 0 {
		return Number{}, bad
	}
	if point < 0 {
		point = mant.Len()
	}
	e := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i == len(s) {
			return Number{}, bad
		}
		for ; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return Number{}, bad
			}
			if e < 1_000_000 { // beyond any valid exponent; keeps e from overflowing
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			e = -e
		}
	}
	if i != len(s) {
		return Number{}, bad
	}
	d := mant.String()
	trimmed := strings.TrimLeft(d, "0")
	point -= len(d) - len(trimmed)
	trimmed = strings.TrimRight(trimmed, "0")
	if trimmed == "" {
		return Number{}, nil
	}
	n.digits, n.exp = trimmed, point+e
	return n, n.check()
}

// check enforces DynamoDB's range, then its precision: a number that is
// both too large and too precise (a sum past the range, "1234…890E200") is
// an overflow, as DynamoDB reports it (dynalite's checkNum, recorded from
// DynamoDB, checks in this order).
func (n Number) check() error {
	switch {
	case n.digits != "" && n.exp > maxExp:
		return &Error{Msg: "Number overflow. Attempting to store a number with magnitude larger than supported range"}
	case n.digits != "" && n.exp < minExp:
		return &Error{Msg: "Number underflow. Attempting to store a number with magnitude smaller than supported range"}
	case len(n.digits) > maxDigits:
		return &Error{Msg: "Attempting to store more than 38 significant digits in a Number"}
	}
	return nil
}

// MustNumber parses s and panics when it is not a valid number; for
// constants in code and tests.
func MustNumber(s string) Number {
	n, err := ParseNumber(s)
	if err != nil {
		panic(err)
	}
	return n
}

// IsZero tells whether n is 0.
func (n Number) IsZero() bool { return n.digits == "" }

// String renders n as DynamoDB returns numbers: plain notation without
// exponent, no leading or trailing zeros ("1.50" → "1.5", "1.5E2" → "150",
// "-0" → "0").
func (n Number) String() string {
	if n.digits == "" {
		return "0"
	}
	var b strings.Builder
	if n.neg {
		b.WriteByte('-')
	}
	switch {
	case n.exp <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n.exp))
		b.WriteString(n.digits)
	case n.exp >= len(n.digits):
		b.WriteString(n.digits)
		b.WriteString(strings.Repeat("0", n.exp-len(n.digits)))
	default:
		b.WriteString(n.digits[:n.exp])
		b.WriteByte('.')
		b.WriteString(n.digits[n.exp:])
	}
	return b.String()
}

func (n Number) sign() int {
	switch {
	case n.digits == "":
		return 0
	case n.neg:
		return -1
	}
	return 1
}

// Compare returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a Number) Compare(b Number) int {
	sa, sb := a.sign(), b.sign()
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	if sa == 0 {
		return 0
	}
	c := 0
	switch {
	case a.exp != b.exp:
		c = 1
		if a.exp < b.exp {
			c = -1
		}
	default:
		c = strings.Compare(a.digits, b.digits)
	}
	return c * sa
}

// scaled returns n as coefficient × 10^scale.
func (n Number) scaled() (*big.Int, int) {
	if n.digits == "" {
		return new(big.Int), 0
	}
	c, _ := new(big.Int).SetString(n.digits, 10)
	if n.neg {
		c.Neg(c)
	}
	return c, n.exp - len(n.digits)
}

// Add returns a+b exactly; a result beyond DynamoDB's precision or range is
// an error, as it is in an UpdateExpression on DynamoDB.
func (a Number) Add(b Number) (Number, error) {
	ca, ea := a.scaled()
	cb, eb := b.scaled()
	if ea > eb {
		ca.Mul(ca, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(ea-eb)), nil))
		ea = eb
	} else if eb > ea {
		cb.Mul(cb, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(eb-ea)), nil))
	}
	sum := ca.Add(ca, cb)
	r, err := ParseNumber(fmt.Sprintf("%sE%d", sum.String(), ea))
	if err != nil {
		return Number{}, err
	}
	return r, nil
}

// Neg returns -n.
func (n Number) Neg() Number {
	if n.digits != "" {
		n.neg = !n.neg
	}
	return n
}

// Sub returns a-b exactly.
func (a Number) Sub(b Number) (Number, error) { return a.Add(b.Neg()) }

// size is what a number counts toward the item size: "approximately 1 byte
// per two significant digits, plus 1 byte" (Developer Guide, item sizes).
func (n Number) size() int { return (len(n.digits)+1)/2 + 1 }

package logfilter

import (
	"errors"
	"testing"
)

func TestInvalidPatterns(t *testing.T) {
	cases := []struct{ pattern, message string }{
		{"Status: timeout", "Invalid character(s) in term ':'"},
		{"f(x)", "Invalid character(s) in term '('"},
		{"ERROR*", "Invalid character(s) in term '*'"},
		{`a\b`, `Invalid character(s) in term '\'`},
		{`"ok"x`, "Invalid character(s) in term 'x'"},
		{`{ $."sc-status" = 5* }`, `Invalid character(s) in term '$."'`},
		{`{ $.message = "e", $.path = "/a" }`, "Invalid character(s) in term ','"},
		{`{ $.a = b@c }`, "Invalid character(s) in term '@'"},
		{`{ $.a[*] = 1 }`, "Invalid character(s) in term '$.a[*'"},
		{`{ $.a = 1`, "If a filter pattern starts with '{' it must end with '}'"},
		{`[a, b`, "If a filter pattern starts with '[' it must end with ']'"},
		{`%something!%`, "Invalid character(s) in term '!'"},
		{`%(a)%`, "Invalid character(s) in term '('"},
		{`%a b%`, "Invalid character(s) in term ' '"},
		{`[w1 = !ERROR, w2]`, "Invalid character(s) in term '!'"},
		{`[a-b, c]`, "Invalid character(s) in term '-'"},
		{"{}", MessageInvalidFilterPattern},
		{"{ $.a }", MessageInvalidFilterPattern},
		{"{ $.a IS NOT NULL }", MessageInvalidFilterPattern},
		{"{ $.a EXISTS }", MessageInvalidFilterPattern},
		{"{ $[0] = 1 }", "Invalid character(s) in term '$['"},
		{"{ a = 1 }", MessageInvalidFilterPattern},
		{"{ $.a > abc }", MessageInvalidFilterPattern},
		{"{ $.a = 1 && }", MessageInvalidFilterPattern},
		{"{ ($.a = 1 }", MessageInvalidFilterPattern},
		{"{ $.a = 1 ) }", MessageInvalidFilterPattern},
		{"{ $.a = %x% || $.b = %y% || $.c = %z% }", MessageInvalidFilterPattern},
		{"[ip, status_code = 4* && bytes > 1000]", MessageInvalidFilterPattern},
		{"[a = ]", MessageInvalidFilterPattern},
		{"[]", MessageInvalidFilterPattern},
		{"%%", MessageInvalidFilterPattern},
		{"%abc", MessageInvalidFilterPattern},
		{`%a\1%`, MessageInvalidFilterPattern},
		{`"unterminated`, MessageInvalidFilterPattern},
		{"ERROR -", MessageInvalidFilterPattern},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err == nil {
			t.Errorf("Compile(%q) = %v, want an error", c.pattern, p)
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Compile(%q) error %T is not *Error", c.pattern, err)
			continue
		}
		if e.Code != "InvalidParameterException" || e.Message != c.message {
			t.Errorf("Compile(%q) = %s / %q, want InvalidParameterException / %q", c.pattern, e.Code, e.Message, c.message)
		}
	}
}

func TestForMetricFilter(t *testing.T) {
	_, err := Compile("{ $.a }")
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("want *Error, got %v", err)
	}
	if got := e.ForMetricFilter().Message; got != MessageInvalidMetricFilterPattern {
		t.Errorf("ForMetricFilter message = %q", got)
	}
	if e.Message != MessageInvalidFilterPattern {
		t.Errorf("ForMetricFilter changed the original: %q", e.Message)
	}
	_, err = Compile("a:b")
	errors.As(err, &e)
	if got := e.ForMetricFilter().Message; got != "Invalid character(s) in term ':'" {
		t.Errorf("precise message rewritten: %q", got)
	}
}

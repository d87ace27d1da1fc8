package logfilter

import (
	"maps"
	"testing"
)

const apacheLine = `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`

func TestDelimitedFieldCount(t *testing.T) {
	expectMatches(t, "[a, b]", []string{"x y", "  x   y  "}, []string{"x", "x y z", ""})
	expectMatches(t, "[a, ...]", []string{"x", "x y z"}, []string{""})
	expectMatches(t, "[..., b]", []string{"x", "x y z"}, nil)
	expectMatches(t, "[a, ..., z]", []string{"x z", "x y z"}, []string{"x"})
}

func TestDelimitedConditions(t *testing.T) {
	expectMatches(t, "[ip, id, user, ts, req = *.html*, status = 4*, bytes > 1000]", []string{apacheLine}, nil)
	expectMatches(t, "[ip, id, user, ts, req, status = 404 || status = 410, bytes]", []string{apacheLine}, nil)
	expectMatches(t, "[ip, id, user, ts, req, status = 4* && status != 404, bytes]", nil, []string{apacheLine})
	expectMatches(t, "[ip, id, user, ts, req, status, bytes < 1000]", nil, []string{apacheLine})
	expectMatches(t, "[w1 != ERROR && w1 != WARN, w2]", []string{"INFO x"}, []string{"ERROR x", "WARN x"})
	expectMatches(t, "[w1=ERROR || W1=WARNING, w2]", []string{"WARNING x"}, []string{"INFO x"})
	expectMatches(t, `[w1 = "two words", w2]`, []string{`"two words" x`}, []string{"two words x"})
	expectMatches(t, "[a = %^ERR%, b]", []string{"ERROR x"}, []string{"AN_ERROR x"})
	expectMatches(t, "[n >= 1e3]", []string{"1000"}, []string{"999", "abc"})
}

func TestDelimitedManyEllipses(t *testing.T) {
	expectMatches(t, "[..., a = x, ..., b = y, ...]", []string{"x y", "q x q q y q"}, []string{"y x", "x x"})
	expectMatches(t, "[..., ..., a = x]", []string{"q x"}, []string{"x q"})
}

func TestExtract(t *testing.T) {
	cases := []struct {
		pattern, message string
		want             map[string]string
	}{
		{"[..., request = *.html*, status_code = 4*,]", apacheLine, map[string]string{
			"$1": "127.0.0.1", "$2": "-", "$3": "frank", "$4": "10/Oct/2000:13:25:15 -0700",
			"$request": "GET /index.html HTTP/1.0", "$status_code": "404", "$7": "1534",
		}},
		{"[ip, ..., bytes]", "a b c", map[string]string{"$ip": "a", "$2": "b", "$bytes": "c"}},
		{"[..., a = x, ..., b]", "q x r s", map[string]string{"$1": "q", "$a": "x", "$3": "r", "$b": "s"}},
	}
	for _, c := range cases {
		p, err := Compile(c.pattern)
		if err != nil {
			t.Fatalf("Compile(%q): %v", c.pattern, err)
		}
		got, ok := p.Extract(c.message)
		if !ok || !maps.Equal(got, c.want) {
			t.Errorf("Extract(%q, %q) = %v, %v; want %v", c.pattern, c.message, got, ok, c.want)
		}
	}
}

func TestExtractNoMatchAndOtherForms(t *testing.T) {
	p, err := Compile("[a, b = 2]")
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := p.Extract("1 3"); ok || got != nil {
		t.Errorf("Extract on a non-matching message = %v, %v", got, ok)
	}
	for _, pattern := range []string{"ERROR", `{ $.a = 1 }`, "%ERR%"} {
		p, err := Compile(pattern)
		if err != nil {
			t.Fatal(err)
		}
		msg := `{"a":1,"m":"ERROR"}`
		if got, ok := p.Extract(msg); !ok || got != nil {
			t.Errorf("%q: Extract = %v, %v; want nil map and a match", pattern, got, ok)
		}
	}
}

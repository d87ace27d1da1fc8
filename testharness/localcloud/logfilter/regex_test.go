package logfilter

import "testing"

func TestRegex(t *testing.T) {
	expectMatches(t, `%\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}%`, []string{"from 10.0.0.1 ok"}, []string{"from host ok"})
	expectMatches(t, `%[Ee]rror|[Ff]ail%`, []string{"error", "Fail"}, []string{"ERROR"})
	expectMatches(t, `%^[hc]at%`, []string{"hat trick"}, []string{"that"})
	expectMatches(t, `%colou?r%`, []string{"color", "colour"}, []string{"colr"})
	expectMatches(t, `%a{3,5}%`, []string{"aaa"}, []string{"aa"})
	expectMatches(t, `%f\x28x\x29%`, []string{"call f(x)"}, []string{"call fx"})
}

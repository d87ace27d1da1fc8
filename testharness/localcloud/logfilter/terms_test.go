package logfilter

import "testing"

func TestEmptyPatternMatchesAll(t *testing.T) {
	for _, p := range []string{"", "   ", `""`, `" "`} {
		expectMatches(t, p, []string{"", "anything", "{}"}, nil)
	}
}

func TestTerms(t *testing.T) {
	expectMatches(t, "ERROR", []string{"ERROR", "ERRORCODE: -1", "[ERROR 1]"}, []string{"error", "ERRO R"})
	expectMatches(t, "ERROR WARN", []string{"WARN then ERROR"}, []string{"ERROR only"})
	expectMatches(t, `"INTERNAL SERVER ERROR"`, []string{"[500] INTERNAL SERVER ERROR"}, []string{"INTERNAL ERROR SERVER"})
	expectMatches(t, `"a \"quoted\" word"`, []string{`say a "quoted" word`}, []string{"a quoted word"})
	expectMatches(t, `"c:\\temp"`, []string{`path c:\temp`}, []string{`c:temp`})
	expectMatches(t, "?ERROR ?WARN", []string{"ERROR", "WARN"}, []string{"INFO"})
	expectMatches(t, "ERROR -ARGUMENTS", []string{"ERROR 400"}, []string{"ERROR ARGUMENTS", "ARGUMENTS"})
	expectMatches(t, "-DEBUG", []string{"INFO x"}, []string{"DEBUG x"})
	// Required terms with optional ones: all required and at least one optional.
	expectMatches(t, "ERROR ?db ?cache", []string{"ERROR db", "ERROR cache"}, []string{"ERROR net", "db cache"})
	expectMatches(t, `?"time out" ?"timed out"`, []string{"call timed out"}, []string{"timeout"})
}

func TestTermsAreCaseSensitive(t *testing.T) {
	expectMatches(t, "Error", []string{"an Error"}, []string{"an ERROR", "an error"})
}

package logfilter

import (
	"regexp"
	"strings"
)

// maxRegexPerStructuredPattern is AWS's quota of regular expressions in one JSON or
// space-delimited pattern (User Guide, "Supported regular expressions (regex) syntax",
// Quotas).
const maxRegexPerStructuredPattern = 2

// regexPattern is a standalone %regex% pattern: the expression may match anywhere
// in the message ("%AUTHORIZED%" matches "UNAUTHORIZED").
type regexPattern struct{ re *regexp.Regexp }

func (r *regexPattern) match(msg string) bool { return r.re.MatchString(msg) }

func compileStandaloneRegex(p string) (matcher, *Error) {
	if len(p) < 2 || p[len(p)-1] != '%' {
		return nil, invalidPattern("a regular expression must be enclosed in %%")
	}
	re, err := compileRegexBody(p[1 : len(p)-1])
	if err != nil {
		return nil, err
	}
	return &regexPattern{re: re}, nil
}

// compileRegexBody checks AWS's whitelist before handing the expression to RE2.
// Allowed: ASCII letters and digits, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . — parentheses, blanks, other symbols and multi-byte
// characters are rejected (regex-expressions.html). Unsupported characters can still
// be matched through escapes such as \x28, which AWS accepts.
func compileRegexBody(body string) (*regexp.Regexp, *Error) {
	if body == "" {
		return nil, invalidPattern("empty regular expression")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if isWordByte(c) || strings.IndexByte(":#=@/;,-^$?[]{}|\\*+.", c) >= 0 {
			continue
		}
		return nil, invalidTerm(string(c))
	}
	re, err := regexp.Compile(body)
	if err != nil {
		return nil, invalidPattern("regular expression %q: %v", body, err)
	}
	return re, nil
}

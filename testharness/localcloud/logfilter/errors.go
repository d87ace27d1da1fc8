package logfilter

import "fmt"

// ErrorCode is the AWS error code CloudWatch Logs returns for a pattern it cannot parse.
const ErrorCode = "InvalidParameterException"

// Messages AWS returns for an invalid pattern when no more precise text applies.
// FilterLogEvents says MessageInvalidFilterPattern (seen in aws/aws-toolkit-jetbrains#3219
// and mapbox/ecs-watchbot#350); PutMetricFilter says MessageInvalidMetricFilterPattern
// (aws/aws-cdk#16278). Compile uses the first; see (*Error).ForMetricFilter.
const (
	MessageInvalidFilterPattern       = "Invalid filter pattern"
	MessageInvalidMetricFilterPattern = "Invalid metric filter pattern"
)

// Error is the typed error Compile returns. Code and Message are what the service
// must render to the client; Detail explains the problem to a developer and is not
// part of AWS's wording.
type Error struct {
	Code    string
	Message string
	Detail  string
}

func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Code + ": " + e.Message
	}
	return e.Code + ": " + e.Message + " (" + e.Detail + ")"
}

// ForMetricFilter returns the error as PutMetricFilter and TestMetricFilter word it:
// the generic message becomes MessageInvalidMetricFilterPattern, precise messages stay.
func (e *Error) ForMetricFilter() *Error {
	c := *e
	if c.Message == MessageInvalidFilterPattern {
		c.Message = MessageInvalidMetricFilterPattern
	}
	return &c
}

// invalidPattern is the generic rejection, with a developer-facing reason.
func invalidPattern(format string, args ...any) *Error {
	return &Error{Code: ErrorCode, Message: MessageInvalidFilterPattern, Detail: fmt.Sprintf(format, args...)}
}

// invalidTerm reports characters a term may not contain unquoted. AWS quotes the
// offending characters: "Invalid character(s) in term '('" (ministryofjustice/
// modernisation-platform-environments#5137), "... in term ':'" and "... in term ','"
// (field reports found with the search tool), and for a JSON selector the selector
// text up to the bad character, "... in term '$.\"'".
func invalidTerm(chars string) *Error {
	return &Error{Code: ErrorCode, Message: fmt.Sprintf("Invalid character(s) in term '%s'", chars)}
}

// unbalanced is AWS's message for a JSON or space-delimited pattern missing its
// closing delimiter, as quoted in jorgebastida/awslogs#210:
// "If a filter pattern starts with '{' it must end with '}'".
func unbalanced(open, closing byte) *Error {
	return &Error{Code: ErrorCode, Message: fmt.Sprintf("If a filter pattern starts with '%c' it must end with '%c'", open, closing)}
}

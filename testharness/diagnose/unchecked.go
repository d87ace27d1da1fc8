package diagnose

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/awserr"
)

// FailedRead is why a link was left unchecked, neither fine nor broken:
// a read of the deployed glue that failed (throttled, denied, any API
// error), or a check the diagnosis cannot make (Operation and Code are
// then ""). The diagnosis goes on to the next links and the evidence.
type FailedRead struct {
	// Operation is the API call, as "Lambda GetPolicy"; "" when the error
	// came from no AWS call.
	Operation string `json:"operation,omitempty"`
	// Code is AWS's error code ("TooManyRequestsException",
	// "AccessDeniedException"), "" when the error carried none.
	Code string `json:"code,omitempty"`
	// StatusCode is the answer's HTTP status, 0 when there was no answer.
	StatusCode int `json:"statusCode,omitempty"`
	// Message is AWS's message verbatim, or the error's text.
	Message string `json:"message"`
}

// String reads "Lambda GetPolicy failed: TooManyRequestsException (HTTP
// 429): Rate Exceeded.", or the message alone for a check not made.
func (f FailedRead) String() string {
	if f.Operation == "" && f.Code == "" {
		return f.Message
	}
	s := f.Operation
	if s == "" {
		s = "a read"
	}
	s += " failed: "
	if f.Code != "" {
		s += f.Code
		if f.StatusCode != 0 {
			s += fmt.Sprintf(" (HTTP %d)", f.StatusCode)
		}
		s += ": "
	}
	return s + f.Message
}

// failedRead describes err in the terms of the AWS call that failed.
func failedRead(err error) FailedRead {
	var f FailedRead
	f.Code, f.Message = awserr.CodeAndMessage(err)
	var op *smithy.OperationError
	if errors.As(err, &op) {
		f.Operation = op.Service() + " " + op.Operation()
	}
	var withStatus interface{ HTTPStatusCode() int }
	if errors.As(err, &withStatus) {
		f.StatusCode = withStatus.HTTPStatusCode()
	}
	return f
}

// couldNotCheck records that the read a link needs failed with err, so the
// diagnosis can go on past it; every read of the diagnosis ends here when
// it fails. It returns nil to go on, or the context's error when ctx has
// ended: then the diagnosis stops at once.
func (r *report) couldNotCheck(ctx context.Context, link, resource string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("%s %s: %w", link, resource, ctxErr)
	}
	read := failedRead(err)
	r.Path = append(r.Path, Finding{Link: link, Resource: resource, Unchecked: &read,
		Detail: fmt.Sprintf("could not check %s %s: %s", link, resource, read)})
	return nil
}

// hasUnchecked tells whether a link could not be checked.
func (r *report) hasUnchecked() bool {
	for _, f := range r.Path {
		if f.Unchecked != nil {
			return true
		}
	}
	return false
}

package lambda

import (
	"fmt"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Lambda's errors carry "Type": "User" or "Service" next to the message
// (API_Invoke.html lists the codes and statuses).
func userError(code string, status int, format string, args ...any) *awsproto.Error {
	e := awsproto.Errorf(code, status, format, args...)
	e.Fields = map[string]any{"Type": "User"}
	return e
}

func functionNotFound(arn string) error {
	return userError("ResourceNotFoundException", http.StatusNotFound, "Function not found: %s", arn)
}

func invalidParameter(format string, args ...any) error {
	return userError("InvalidParameterValueException", http.StatusBadRequest, format, args...)
}

// invalidRequestContent answers a payload that is not JSON, as Lambda
// does before it starts the function.
func invalidRequestContent(err error) error {
	return userError("InvalidRequestContentException", http.StatusBadRequest,
		"Could not parse request body into json: Could not parse payload into json: %v", err)
}

func requestTooLarge(limit int, op string) error {
	return userError("RequestTooLargeException", http.StatusRequestEntityTooLarge,
		"Request must be smaller than %d bytes for the %s operation", limit, op)
}

// throttled is Lambda's answer when a function is at its reserved
// concurrency.
func throttled() error {
	e := userError("TooManyRequestsException", http.StatusTooManyRequests, "Rate Exceeded.")
	e.Fields["Reason"] = "ReservedFunctionConcurrentInvocationLimitExceeded"
	return e
}

// AccessDeniedError is what InvokeAsync returns when the function's
// resource policy does not let the calling service invoke it.
func accessDenied(principal, functionARN, sourceARN string) error {
	msg := fmt.Sprintf("%s is not authorized to perform: lambda:InvokeFunction on resource: %s", principal, functionARN)
	if sourceARN != "" {
		msg += " with source " + sourceARN
	}
	return awsproto.NewError("AccessDeniedException", http.StatusForbidden, msg+" because no resource-based policy allows the lambda:InvokeFunction action")
}

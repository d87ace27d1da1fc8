// Package awsproto holds what every local service shares about the AWS wire
// protocols: the typed error that knows its HTTP status, one renderer per
// protocol for errors and results, request ids, and the operation tables of
// the JSON and query protocols.
//
// Services return (value, error) from their operations; the adapters in this
// package render both, so no service writes an error envelope by hand.
package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error: the code clients switch on, the message people
// read, and the HTTP status the protocol carries it with.
type Error struct {
	Code    string
	Message string
	Status  int
	// Fields adds protocol-specific members to the error body, such as
	// DynamoDB's Item on a failed condition or S3's BucketName.
	Fields map[string]any
	// QueryCode, when set, is the legacy query-protocol code that services
	// such as SQS also send to JSON clients in x-amzn-query-error.
	QueryCode string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// IsClientError tells whether the caller is at fault (4xx): the query
// protocol renders it as Type Sender, otherwise Receiver.
func (e *Error) IsClientError() bool { return e.Status < 500 }

// NewError returns an error with a fixed message.
func NewError(code string, status int, message string) *Error {
	return &Error{Code: code, Message: message, Status: status}
}

// Errorf returns an error whose message is formatted.
func Errorf(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Status: status}
}

// ValidationError is the 400 ValidationException most JSON services use for
// input that breaks a constraint.
func ValidationError(format string, args ...any) *Error {
	return Errorf("ValidationException", http.StatusBadRequest, format, args...)
}

// SerializationError answers a body that is not the JSON an operation takes.
func SerializationError(format string, args ...any) *Error {
	return Errorf("SerializationException", http.StatusBadRequest, format, args...)
}

// InternalError is what a local service answers when it fails itself; the
// cause stays in the message so the failure can be diagnosed.
func InternalError(err error) *Error {
	return Errorf("InternalFailure", http.StatusInternalServerError, "internal error: %v", err)
}

// AsError returns err as an *Error, turning any other error into an
// InternalFailure so that every failure reaches the client in AWS's shape.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalError(err)
}

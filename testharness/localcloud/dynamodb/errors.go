package dynamodb

import (
	"errors"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/expr"
)

// Messages are DynamoDB's own, as SDK issue threads and emulators that
// compare against DynamoDB quote them (getmoto/moto
// moto/dynamodb/exceptions.py among others).

func validation(format string, args ...any) error { return awsproto.ValidationError(format, args...) }

func invalidParam(format string, args ...any) error {
	return awsproto.ValidationError("One or more parameter values were invalid: "+format, args...)
}

// errTableNotFound answers an operation on a table that does not exist.
func errTableNotFound(name string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest,
		"Requested resource not found: Table: %s not found", name)
}

// errItemTableNotFound is the shorter message item operations give.
var errItemTableNotFound = awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "Requested resource not found")

func errTableInUse(name string) error {
	return awsproto.Errorf("ResourceInUseException", http.StatusBadRequest, "Table already exists: %s", name)
}

var errKeySchema = awsproto.ValidationError("The provided key element does not match the schema")

// errConditionFailed is the ConditionalCheckFailedException; item is the
// existing item when ReturnValuesOnConditionCheckFailure is ALL_OLD.
func errConditionFailed(item attr.Item) error {
	e := awsproto.NewError("ConditionalCheckFailedException", http.StatusBadRequest, "The conditional request failed")
	if item != nil {
		e.Fields = map[string]any{"Item": item}
	}
	return e
}

// toAPIError turns what the attr and expr packages reject into the
// ValidationException DynamoDB answers; other errors pass unchanged.
func toAPIError(err error) error {
	var ae *attr.Error
	var ee *expr.Error
	switch {
	case errors.As(err, &ae):
		return awsproto.ValidationError("%s", ae.Msg)
	case errors.As(err, &ee):
		return awsproto.ValidationError("%s", ee.Msg)
	}
	return err
}

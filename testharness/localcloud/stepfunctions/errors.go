package stepfunctions

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Step Functions answers every client error with HTTP 400 and the codes of
// the API reference; the messages follow what the service returns, e.g.
// "State Machine Does Not Exist: 'arn…'" and "Execution Already Exists:
// 'arn…'" (quoted in serverless-step-functions#394 and moto's tests, which
// were checked against AWS).

func stateMachineDoesNotExist(arn string) error {
	return awsproto.Errorf("StateMachineDoesNotExist", http.StatusBadRequest, "State Machine Does Not Exist: '%s'", arn)
}

func stateMachineAlreadyExists(arn string) error {
	return awsproto.Errorf("StateMachineAlreadyExists", http.StatusBadRequest, "State Machine Already Exists: '%s'", arn)
}

func executionDoesNotExist(arn string) error {
	return awsproto.Errorf("ExecutionDoesNotExist", http.StatusBadRequest, "Execution Does Not Exist: '%s'", arn)
}

func executionAlreadyExists(arn string) error {
	return awsproto.Errorf("ExecutionAlreadyExists", http.StatusBadRequest, "Execution Already Exists: '%s'", arn)
}

func invalidArn(detail string) error {
	return awsproto.Errorf("InvalidArn", http.StatusBadRequest, "Invalid Arn: '%s'", detail)
}

func invalidName(name string) error {
	return awsproto.Errorf("InvalidName", http.StatusBadRequest, "Invalid Name: '%s'", name)
}

func invalidDefinition(msg string) error {
	return awsproto.NewError("InvalidDefinition", http.StatusBadRequest, msg)
}

func invalidExecutionInput(detail string) error {
	return awsproto.Errorf("InvalidExecutionInput", http.StatusBadRequest, "Invalid State Machine Execution Input: '%s'", detail)
}

func invalidToken(detail string) error {
	return awsproto.Errorf("InvalidToken", http.StatusBadRequest, "Invalid Token: '%s'", detail)
}

func invalidOutput(detail string) error {
	return awsproto.Errorf("InvalidOutput", http.StatusBadRequest, "Invalid Output: '%s'", detail)
}

// taskTimedOut answers a token whose task is over (timed out, completed,
// or its execution ended), in AWS's words.
func taskTimedOut() error {
	return awsproto.NewError("TaskTimedOut", http.StatusBadRequest, "Task Timed Out: 'Provided task does not exist anymore'")
}

func taskDoesNotExist() error {
	return awsproto.NewError("TaskDoesNotExist", http.StatusBadRequest, "Task Does Not Exist: 'Provided task does not exist'")
}

func typeNotSupported() error {
	return awsproto.NewError("StateMachineTypeNotSupported", http.StatusBadRequest,
		"This operation is not supported by this type of state machine")
}

func invalidLoggingConfiguration(msg string) error {
	return awsproto.NewError("InvalidLoggingConfiguration", http.StatusBadRequest, msg)
}

// missing is the ValidationException of a required member left out.
func missing(member string) error {
	return awsproto.ValidationError("1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}

package logs

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// CloudWatch Logs' errors as AWS words them. CloudWatch Logs reports
// constraint violations as InvalidParameterException (not the
// ValidationException most JSON services use), e.g. "1 validation error
// detected: Value '' at 'logEvents.1.member.message' failed to satisfy
// constraint: Member must have length greater than or equal to 1"
// (fluent-plugins-nursery/fluent-plugin-cloudwatch-logs#140).

func invalidParameter(format string, args ...any) error {
	return awsproto.Errorf("InvalidParameterException", http.StatusBadRequest, format, args...)
}

// constraint is the "1 validation error detected" message of a member that
// breaks a length, range or pattern constraint.
func constraint(value, member, rule string) error {
	return invalidParameter("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

// groupNotFound and streamNotFound are PutLogEvents' messages
// (AWS API reference, field reports such as localstack/localstack#1642).
func groupNotFound() error {
	return awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "The specified log group does not exist.")
}

func streamNotFound() error {
	return awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "The specified log stream does not exist.")
}

func metricFilterNotFound() error {
	return awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "The specified metric filter does not exist.")
}

func subscriptionFilterNotFound() error {
	return awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "The specified subscription filter does not exist.")
}

// groupExists and streamExists are CreateLogGroup's and CreateLogStream's
// messages (aws-robotics/cloudwatchlogs-ros1#1).
func groupExists() error {
	return awsproto.NewError("ResourceAlreadyExistsException", http.StatusBadRequest, "The specified log group already exists")
}

func streamExists() error {
	return awsproto.NewError("ResourceAlreadyExistsException", http.StatusBadRequest, "The specified log stream already exists")
}

// invalidToken is the answer to a nextToken the service did not issue
// (boto/boto3#1467).
func invalidToken() error {
	return invalidParameter("The specified nextToken is invalid.")
}

package sqs

import (
	"fmt"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// sqsError is an SQS error: the awsJson code, and the legacy query code
// that query clients get as the code and JSON clients in
// x-amzn-query-error (Amazon SQS API Reference, "Common Errors" and each
// action's Errors).
func sqsError(code, queryCode, format string, args ...any) error {
	return &awsproto.Error{Code: code, QueryCode: queryCode, Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

func errQueueDoesNotExist() error {
	return sqsError("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
}

func errInvalidParameterValue(format string, args ...any) error {
	return sqsError("InvalidParameterValue", "InvalidParameterValue", format, args...)
}

func errMissingParameter(name string) error {
	return sqsError("MissingParameter", "MissingParameter", "The request must contain the parameter %s.", name)
}

func errInvalidAttributeName(name string) error {
	return sqsError("InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute %s.", name)
}

func errInvalidAttributeValue(name string) error {
	return sqsError("InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter %s.", name)
}

func errQueueNameExists(name string) error {
	return sqsError("QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute %s", name)
}

func errReceiptHandleIsInvalid(handle string) error {
	return sqsError("ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle %q is not a valid receipt handle.", handle)
}

func errMessageNotInflight() error {
	return sqsError("MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "Message does not exist or is not available for visibility timeout change.")
}

func errEmptyBatch() error {
	return sqsError("EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one SendMessageBatchRequestEntry in the request.")
}

func errTooManyEntries() error {
	return sqsError("TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.")
}

func errBatchIDsNotDistinct(id string) error {
	return sqsError("BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id %s repeated.", id)
}

// Package faults is the local cloud's fault model, in the spirit of
// LocalStack's Chaos API and AWS Fault Injection Service's Lambda actions
// (aws:lambda:invocation-error, aws:lambda:invocation-add-delay): a fault
// names the requests it hits — service, operation, resource, principal —
// and what it does to them, and fires with a probability or for the next
// N matching requests.
//
// The package only decides; the gateway (AWS errors, latency) and the
// Lambda service (failed, timed out and killed invocations) act.
package faults

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Action is what a fault does to the request it hits.
type Action string

// The actions. Fail, Timeout and Kill apply to Lambda invocations only,
// EntryError to EventBridge's PutEvents only.
const (
	// Error answers the request with an AWS error in the service's
	// protocol, without the service seeing it.
	Error Action = "error"
	// Latency delays the request on the cloud's clock, then serves it.
	Latency Action = "latency"
	// Fail ends the invocation with a function error without running the
	// function, as FIS's aws:lambda:invocation-error with preventExecution.
	Fail Action = "fail"
	// Timeout ends the invocation as a timeout without running the
	// function: Lambda's "Task timed out" answer, the environment reset.
	Timeout Action = "timeout"
	// Kill kills the function's process once its runtime has taken the
	// event: Runtime.ExitError, as for a process that crashes.
	Kill Action = "kill"
	// EntryError fails the matching entries of a PutEvents request in its
	// answer (FailedEntryCount; the entry's ErrorCode and ErrorMessage)
	// and puts the others: EventBridge's partial failure, which a whole-
	// request error cannot show. Resource matches the entry's bus; Count
	// counts entries.
	EntryError Action = "entry-error"
)

// Spec describes one fault. Service and Action are required.
type Spec struct {
	// Service is the gateway's name of the service ("s3", "dynamodb",
	// "lambda", "events", "logs", …).
	Service string `json:"service"`
	// Operation is the IAM action the request asks for ("s3:GetObject";
	// the prefix may be left out), case-insensitive; empty for any. A
	// request that asks several actions (CopyObject reads its source with
	// s3:GetObject and writes with s3:PutObject) matches any of them.
	Operation string `json:"operation,omitempty"`
	// Resource is a pattern (* any run, ? one character) matched against
	// the resource's ARN, the ARN's resource part ("table/Users",
	// "bucket/key") and its name (the resource part after its type,
	// "Users"); empty for any.
	Resource string `json:"resource,omitempty"`
	// Principal is a pattern matched against the caller's role ARN and
	// role name (a session's role); empty for any caller.
	Principal string `json:"principal,omitempty"`
	Action    Action `json:"action"`
	// ErrorCode, StatusCode and Message shape an Error fault's answer;
	// each defaults per service (DefaultError). For a Fail fault,
	// ErrorCode and Message are the error document's errorType and
	// errorMessage; for an EntryError fault, the failed entry's.
	ErrorCode  string `json:"errorCode,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Message    string `json:"message,omitempty"`
	// Latency is a Latency fault's delay.
	Latency Duration `json:"latency,omitempty"`
	// Probability (0 < p ≤ 1) is the chance that a matching request is
	// hit; 0 means every one.
	Probability float64 `json:"probability,omitempty"`
	// Count, when positive, removes the fault after it has hit that many
	// requests.
	Count int `json:"count,omitempty"`
}

// Duration is a time.Duration that reads and writes JSON as "250ms".
type Duration time.Duration

// MarshalJSON writes d as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a Go duration string ("2s") or nanoseconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		var n int64
		if json.Unmarshal(b, &n) != nil {
			return fmt.Errorf("latency: want a duration such as \"250ms\": %s", b)
		}
		*d = Duration(n)
		return nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	*d = Duration(v)
	return nil
}

// lambdaOnly are the actions only Lambda invocations take.
var lambdaOnly = map[Action]bool{Fail: true, Timeout: true, Kill: true}

// entryErrorDefault is an EntryError fault's error when it names none:
// the retryable InternalFailure, worded as the EventBridge API Reference
// describes it (PutEventsResultEntry, ErrorCode).
var entryErrorDefault = ServiceError{Code: "InternalFailure",
	Message: "The request processing has failed because of an unknown error, exception or failure."}

// validate checks s and fills in the defaults of an Error or Fail fault.
func (s *Spec) validate() error {
	if s.Service == "" {
		return fmt.Errorf("fault: service is required")
	}
	s.Service = strings.ToLower(s.Service)
	switch {
	case s.Action == Error:
		def := DefaultError(s.Service)
		if s.ErrorCode == "" {
			s.ErrorCode = def.Code
		}
		if s.StatusCode == 0 {
			if s.ErrorCode == def.Code {
				s.StatusCode = def.Status
			} else {
				s.StatusCode = http.StatusBadRequest
			}
		}
		if s.Message == "" && s.ErrorCode == def.Code {
			s.Message = def.Message
		}
		if s.StatusCode < 400 || s.StatusCode > 599 {
			return fmt.Errorf("fault: statusCode %d: want an HTTP error status (400-599)", s.StatusCode)
		}
	case s.Action == Latency:
		if s.Latency <= 0 {
			return fmt.Errorf("fault: a latency fault needs a positive latency")
		}
	case lambdaOnly[s.Action]:
		if s.Service != "lambda" {
			return fmt.Errorf("fault: action %q applies to Lambda invocations only (service \"lambda\")", s.Action)
		}
		if s.Action == Fail && s.ErrorCode == "" {
			s.ErrorCode = "FaultInjected"
		}
		if s.Action == Fail && s.Message == "" {
			s.Message = "Fault injected by the local cloud"
		}
	case s.Action == EntryError:
		if s.Service != "events" {
			return fmt.Errorf("fault: action %q applies to EventBridge PutEvents entries only (service \"events\")", s.Action)
		}
		if s.ErrorCode == "" {
			s.ErrorCode, s.Message = entryErrorDefault.Code, entryErrorDefault.Message
		}
	default:
		return fmt.Errorf("fault: action %q: want error, latency, entry-error, fail, timeout or kill", s.Action)
	}
	if s.Probability < 0 || s.Probability > 1 {
		return fmt.Errorf("fault: probability %v: want 0 < p <= 1 (0: always)", s.Probability)
	}
	if s.Count < 0 {
		return fmt.Errorf("fault: count %d: want a positive count (0: no limit)", s.Count)
	}
	return nil
}

// ServiceError is the AWS error a service answers when it throttles.
type ServiceError struct {
	Code    string
	Status  int
	Message string
}

// serviceErrors are each service's throttling answer, the error an Error
// fault gives when it names none:
//   - S3: 503 SlowDown "Please reduce your request rate." (Amazon S3 API
//     Reference, "Error responses").
//   - DynamoDB: 400 ProvisionedThroughputExceededException (DynamoDB
//     Developer Guide, "Error handling").
//   - Lambda: 429 TooManyRequestsException "Rate Exceeded." (Lambda API
//     Reference, Invoke errors).
//   - EventBridge, CloudWatch Logs, Step Functions, Pipes: 400
//     ThrottlingException "Rate exceeded" (their API references' common
//     errors).
var serviceErrors = map[string]ServiceError{
	"s3": {"SlowDown", http.StatusServiceUnavailable, "Please reduce your request rate."},
	"dynamodb": {"ProvisionedThroughputExceededException", http.StatusBadRequest,
		"The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API."},
	"dynamodbstreams": {"LimitExceededException", http.StatusBadRequest, "Rate exceeded for shard"},
	"lambda":          {"TooManyRequestsException", http.StatusTooManyRequests, "Rate Exceeded."},
	"sqs":             {"RequestThrottled", http.StatusBadRequest, "Request is throttled."},
	"xray":            {"ThrottledException", http.StatusTooManyRequests, "Rate exceeded"},
	"sts":             {"Throttling", http.StatusBadRequest, "Rate exceeded"},
	"iam":             {"Throttling", http.StatusBadRequest, "Rate exceeded"},
	"cloudformation":  {"Throttling", http.StatusBadRequest, "Rate exceeded"},
}

// DefaultError is the error an Error fault on service answers with when it
// names none: the service's throttling error, else ThrottlingException.
func DefaultError(service string) ServiceError {
	if e, ok := serviceErrors[strings.ToLower(service)]; ok {
		return e
	}
	return ServiceError{"ThrottlingException", http.StatusBadRequest, "Rate exceeded"}
}

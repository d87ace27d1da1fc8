package runner

// The runner's error types. aws-lambda-go reports a returned error's type
// name as the errorType of the error document (lambda/errors.go:
// lambdaErrorResponse takes reflect.TypeOf(err).Elem().Name() for
// pointers), and Step Functions names a Lambda task's failure after that
// errorType ("Handling Lambda errors" in the Step Functions developer
// guide) — so these type names ARE the error names the state machine
// retries and catches (testharness.Error*). Return them unwrapped: a
// wrapped error would be reported as "wrapError".

// TraceIncomplete: Assert still finds the X-Ray trace (or logs) incomplete
// after waiting within the invocation; the Assert state retries it.
type TraceIncomplete struct{ Message string }

func (e *TraceIncomplete) Error() string { return e.Message }

// AssertionFailed: the test's Assert failed.
type AssertionFailed struct{ Message string }

func (e *AssertionFailed) Error() string { return e.Message }

// ActFailed: the test's Act failed (what it had created is cleaned up).
type ActFailed struct{ Message string }

func (e *ActFailed) Error() string { return e.Message }

package eventpattern

// ErrorCode is the AWS error code EventBridge returns for a pattern it
// rejects (PutRule, TestEventPattern, CreatePipe filters).
const ErrorCode = "InvalidEventPatternException"

// InvalidPatternError reports why a pattern was rejected. Error() returns
// AWS's full message, e.g. "Event pattern is not valid. Reason: Empty
// arrays are not allowed", so the emulator can copy it into the response.
type InvalidPatternError struct {
	// Reason is the text after "Reason: ", as event-ruler (the matcher
	// EventBridge runs) words it.
	Reason string
}

func (e *InvalidPatternError) Error() string {
	return "Event pattern is not valid. Reason: " + e.Reason
}

// ErrorCode returns "InvalidEventPatternException"; together with
// ErrorMessage it satisfies smithy-go's APIError shape.
func (e *InvalidPatternError) ErrorCode() string { return ErrorCode }

// ErrorMessage returns the same text as Error.
func (e *InvalidPatternError) ErrorMessage() string { return e.Error() }

func invalid(reason string) error { return &InvalidPatternError{Reason: reason} }

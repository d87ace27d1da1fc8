package eventbridge

import (
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// EventBridge's errors and their messages as AWS words them (API
// reference error lists; messages as recorded by AWS-validated emulator
// tests where the reference gives none).

func busNotFound(name string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Event bus %s does not exist.", name)
}

func ruleNotFound(rule, bus string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Rule %s does not exist on EventBus %s.", rule, bus)
}

func archiveNotFound(name string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Archive %s does not exist.", name)
}

func replayNotFound(name string) error {
	return awsproto.Errorf("ResourceNotFoundException", http.StatusBadRequest, "Replay %s does not exist.", name)
}

func alreadyExists(format string, args ...any) error {
	return awsproto.Errorf("ResourceAlreadyExistsException", http.StatusBadRequest, format, args...)
}

func limitExceeded(format string, args ...any) error {
	return awsproto.Errorf("LimitExceededException", http.StatusBadRequest, format, args...)
}

func illegalStatus(format string, args ...any) error {
	return awsproto.Errorf("IllegalStatusException", http.StatusBadRequest, format, args...)
}

func invalidPattern(msg string) error {
	return awsproto.NewError("InvalidEventPatternException", http.StatusBadRequest, msg)
}

// constraint is the "1 validation error detected" message of a value that
// breaks a length or pattern constraint.
func constraint(member, rule string) error {
	return awsproto.ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: %s", member, rule)
}

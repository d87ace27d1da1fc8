package stepfunctions

import (
	"context"
	"errors"

	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
)

// ValidateInput is ValidateStateMachineDefinition's request.
type ValidateInput struct {
	Definition string `json:"definition"`
	Type       string `json:"type,omitempty"`
	Severity   string `json:"severity,omitempty"`
	MaxResults int    `json:"maxResults,omitempty"`
}

// Diagnostic is one problem ValidateStateMachineDefinition reports.
type Diagnostic struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Location string `json:"location,omitempty"`
}

// ValidateOutput is ValidateStateMachineDefinition's response.
type ValidateOutput struct {
	Result      string       `json:"result"` // OK or FAIL
	Diagnostics []Diagnostic `json:"diagnostics"`
	Truncated   bool         `json:"truncated"`
}

// ValidateStateMachineDefinition checks a definition without creating a
// state machine. The interpreter reports errors only (no WARNINGs).
func (s *Service) ValidateStateMachineDefinition(_ context.Context, in *ValidateInput) (*ValidateOutput, error) {
	if in.Definition == "" {
		return nil, missing("definition")
	}
	out := &ValidateOutput{Result: "OK", Diagnostics: []Diagnostic{}}
	_, err := asl.Parse([]byte(in.Definition))
	if err == nil {
		return out, nil
	}
	out.Result = "FAIL"
	var de *asl.DefinitionError
	if !errors.As(err, &de) {
		out.Diagnostics = append(out.Diagnostics, Diagnostic{Severity: "ERROR", Code: asl.CodeSchemaValidationFailed, Message: err.Error()})
		return out, nil
	}
	limit := in.MaxResults
	if limit <= 0 {
		limit = 100
	}
	for _, d := range de.Diagnostics {
		if len(out.Diagnostics) == limit {
			out.Truncated = true
			break
		}
		out.Diagnostics = append(out.Diagnostics, Diagnostic{Severity: "ERROR", Code: d.Code, Message: d.Message, Location: d.Location})
	}
	return out, nil
}

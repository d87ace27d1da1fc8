package stepfunctions

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/asl"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// State machine types.
const (
	TypeStandard = "STANDARD"
	TypeExpress  = "EXPRESS"
)

// stateMachine is a state machine as it is now; executions keep the
// version they started with.
type stateMachine struct {
	arn, name, typ string
	definition     string
	parsed         *asl.StateMachine
	roleArn        string
	description    string
	logging        *LoggingConfiguration
	tracing        bool
	created        time.Time
	revisionID     string
}

// LoggingConfiguration is kept and described; the local cloud writes no
// execution logs.
type LoggingConfiguration struct {
	Level                string `json:"level,omitempty"`
	IncludeExecutionData bool   `json:"includeExecutionData"`
	Destinations         []any  `json:"destinations,omitempty"`
}

// TracingConfiguration turns X-Ray tracing of executions on.
type TracingConfiguration struct {
	Enabled bool `json:"enabled"`
}

// Tag is a resource tag.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// CreateStateMachineInput is CreateStateMachine's request.
type CreateStateMachineInput struct {
	Name                 string                `json:"name"`
	Definition           string                `json:"definition"`
	RoleArn              string                `json:"roleArn"`
	Type                 string                `json:"type,omitempty"`
	Description          string                `json:"description,omitempty"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
	Tags                 []Tag                 `json:"tags,omitempty"`
}

// CreateStateMachineOutput is CreateStateMachine's response.
type CreateStateMachineOutput struct {
	StateMachineArn string  `json:"stateMachineArn"`
	CreationDate    float64 `json:"creationDate"`
}

// names of state machines and executions: 1–80 characters, none of the
// ones the API reference excludes (whitespace, brackets, wildcards,
// punctuation, control characters).
var invalidNameChars = regexp.MustCompile("[\\s<>{}\\[\\]?*\"#%\\\\^|~`$&,;:/\\x00-\\x1f\\x7f-\\x9f]")

func validName(name string) bool {
	return name != "" && len(name) <= 80 && !invalidNameChars.MatchString(name)
}

func stateMachineARN(name string) string { return arn.New("states", "stateMachine:"+name) }

// parseDefinition validates a definition as CreateStateMachine does.
func parseDefinition(def string) (*asl.StateMachine, error) {
	sm, err := asl.Parse([]byte(def))
	if err != nil {
		var de *asl.DefinitionError
		if errors.As(err, &de) {
			return nil, invalidDefinition(de.Error())
		}
		return nil, invalidDefinition(fmt.Sprintf("Invalid State Machine Definition: '%v'", err))
	}
	return sm, nil
}

// CreateStateMachine creates a state machine. Creating one that exists
// with the same definition, role and type returns it, as AWS does.
func (s *Service) CreateStateMachine(_ context.Context, in *CreateStateMachineInput) (*CreateStateMachineOutput, error) {
	switch {
	case in.Name == "":
		return nil, missing("name")
	case in.Definition == "":
		return nil, missing("definition")
	case in.RoleArn == "":
		return nil, missing("roleArn")
	case !validName(in.Name):
		return nil, invalidName(in.Name)
	}
	typ := in.Type
	if typ == "" {
		typ = TypeStandard
	}
	if typ != TypeStandard && typ != TypeExpress {
		return nil, awsproto.ValidationError("1 validation error detected: Value '%s' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]", typ)
	}
	if err := validateLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	parsed, err := parseDefinition(in.Definition)
	if err != nil {
		return nil, err
	}
	sm := &stateMachine{
		arn: stateMachineARN(in.Name), name: in.Name, typ: typ, definition: in.Definition, parsed: parsed,
		roleArn: in.RoleArn, description: in.Description, logging: in.LoggingConfiguration,
		tracing: in.TracingConfiguration != nil && in.TracingConfiguration.Enabled,
		created: s.clock.Now(), revisionID: newUUID(),
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.machines[sm.arn]; ok {
		if old.definition == sm.definition && old.roleArn == sm.roleArn && old.typ == sm.typ {
			return &CreateStateMachineOutput{StateMachineArn: old.arn, CreationDate: awsproto.Epoch(old.created)}, nil
		}
		return nil, stateMachineAlreadyExists(sm.arn)
	}
	s.machines[sm.arn] = sm
	return &CreateStateMachineOutput{StateMachineArn: sm.arn, CreationDate: awsproto.Epoch(sm.created)}, nil
}

func validateLogging(l *LoggingConfiguration) error {
	if l == nil {
		return nil
	}
	switch l.Level {
	case "", "ALL", "ERROR", "FATAL", "OFF":
	default:
		return awsproto.ValidationError("1 validation error detected: Value '%s' at 'loggingConfiguration.level' failed to satisfy constraint: Member must satisfy enum value set: [ALL, ERROR, FATAL, OFF]", l.Level)
	}
	if l.Level != "" && l.Level != "OFF" && len(l.Destinations) == 0 {
		return invalidLoggingConfiguration("Invalid Logging Configuration: Must specify exactly one Log Destination.")
	}
	return nil
}

// StateMachineArnInput names a state machine.
type StateMachineArnInput struct {
	StateMachineArn string `json:"stateMachineArn"`
}

// DescribeStateMachineOutput is DescribeStateMachine's response.
type DescribeStateMachineOutput struct {
	StateMachineArn      string                `json:"stateMachineArn"`
	Name                 string                `json:"name"`
	Status               string                `json:"status"`
	Definition           string                `json:"definition"`
	RoleArn              string                `json:"roleArn"`
	Type                 string                `json:"type"`
	Description          string                `json:"description,omitempty"`
	CreationDate         float64               `json:"creationDate"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration"`
	TracingConfiguration TracingConfiguration  `json:"tracingConfiguration"`
	RevisionID           string                `json:"revisionId"`
}

// lookupMachine finds a state machine by ARN; must hold s.mu.
func (s *Service) lookupMachine(smArn string) (*stateMachine, error) {
	if err := checkARN(smArn, "stateMachine"); err != nil {
		return nil, err
	}
	sm, ok := s.machines[smArn]
	if !ok {
		return nil, stateMachineDoesNotExist(smArn)
	}
	return sm, nil
}

// checkARN answers InvalidArn for an ARN that is not a Step Functions
// ARN of the given resource type ("stateMachine", "execution").
func checkARN(a, resourceType string) error {
	if a == "" {
		return missing(map[string]string{"stateMachine": "stateMachineArn", "execution": "executionArn"}[resourceType])
	}
	prefix := "arn:aws:states:"
	if !strings.HasPrefix(a, prefix) {
		return invalidArn("Invalid ARN prefix: " + a)
	}
	parts := strings.Split(a, ":")
	if len(parts) < 7 || (parts[5] != resourceType && !(resourceType == "execution" && parts[5] == "express")) {
		return invalidArn("Resource type not valid in this context: " + a)
	}
	return nil
}

// DescribeStateMachine describes a state machine.
func (s *Service) DescribeStateMachine(_ context.Context, in *StateMachineArnInput) (*DescribeStateMachineOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sm, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	return sm.describe(), nil
}

func (sm *stateMachine) describe() *DescribeStateMachineOutput {
	logging := sm.logging
	if logging == nil {
		logging = &LoggingConfiguration{Level: "OFF"}
	}
	return &DescribeStateMachineOutput{
		StateMachineArn: sm.arn, Name: sm.name, Status: "ACTIVE", Definition: sm.definition, RoleArn: sm.roleArn,
		Type: sm.typ, Description: sm.description, CreationDate: awsproto.Epoch(sm.created), LoggingConfiguration: logging,
		TracingConfiguration: TracingConfiguration{Enabled: sm.tracing}, RevisionID: sm.revisionID,
	}
}

// ListStateMachinesInput is ListStateMachines' request.
type ListStateMachinesInput struct {
	MaxResults int    `json:"maxResults,omitempty"`
	NextToken  string `json:"nextToken,omitempty"`
}

// StateMachineListItem is one state machine of a listing.
type StateMachineListItem struct {
	StateMachineArn string  `json:"stateMachineArn"`
	Name            string  `json:"name"`
	Type            string  `json:"type"`
	CreationDate    float64 `json:"creationDate"`
}

// ListStateMachinesOutput is ListStateMachines' response.
type ListStateMachinesOutput struct {
	StateMachines []StateMachineListItem `json:"stateMachines"`
	NextToken     string                 `json:"nextToken,omitempty"`
}

// ListStateMachines lists state machines by name.
func (s *Service) ListStateMachines(_ context.Context, in *ListStateMachinesInput) (*ListStateMachinesOutput, error) {
	s.mu.Lock()
	items := make([]StateMachineListItem, 0, len(s.machines))
	for _, sm := range s.machines {
		items = append(items, StateMachineListItem{StateMachineArn: sm.arn, Name: sm.name, Type: sm.typ, CreationDate: awsproto.Epoch(sm.created)})
	}
	s.mu.Unlock()
	sort.Slice(items, func(i, j int) bool { return items[i].Name < items[j].Name })
	page, next, err := paginate(items, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	return &ListStateMachinesOutput{StateMachines: page, NextToken: next}, nil
}

// UpdateStateMachineInput is UpdateStateMachine's request.
type UpdateStateMachineInput struct {
	StateMachineArn      string                `json:"stateMachineArn"`
	Definition           string                `json:"definition,omitempty"`
	RoleArn              string                `json:"roleArn,omitempty"`
	LoggingConfiguration *LoggingConfiguration `json:"loggingConfiguration,omitempty"`
	TracingConfiguration *TracingConfiguration `json:"tracingConfiguration,omitempty"`
}

// UpdateStateMachineOutput is UpdateStateMachine's response.
type UpdateStateMachineOutput struct {
	UpdateDate float64 `json:"updateDate"`
	RevisionID string  `json:"revisionId"`
}

// UpdateStateMachine changes a state machine; running executions go on
// with the definition they started with.
func (s *Service) UpdateStateMachine(_ context.Context, in *UpdateStateMachineInput) (*UpdateStateMachineOutput, error) {
	if in.Definition == "" && in.RoleArn == "" && in.LoggingConfiguration == nil && in.TracingConfiguration == nil {
		return nil, awsproto.NewError("MissingRequiredParameter", 400,
			"Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified")
	}
	var parsed *asl.StateMachine
	if in.Definition != "" {
		var err error
		if parsed, err = parseDefinition(in.Definition); err != nil {
			return nil, err
		}
	}
	if err := validateLogging(in.LoggingConfiguration); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.lookupMachine(in.StateMachineArn)
	if err != nil {
		return nil, err
	}
	sm := *old // executions hold the old value
	if parsed != nil {
		sm.definition, sm.parsed = in.Definition, parsed
	}
	if in.RoleArn != "" {
		sm.roleArn = in.RoleArn
	}
	if in.LoggingConfiguration != nil {
		sm.logging = in.LoggingConfiguration
	}
	if in.TracingConfiguration != nil {
		sm.tracing = in.TracingConfiguration.Enabled
	}
	sm.revisionID = newUUID()
	s.machines[sm.arn] = &sm
	return &UpdateStateMachineOutput{UpdateDate: awsproto.Epoch(s.clock.Now()), RevisionID: sm.revisionID}, nil
}

// DeleteStateMachine deletes a state machine. Its executions stay
// describable, and running ones run to their end.
func (s *Service) DeleteStateMachine(_ context.Context, in *StateMachineArnInput) (*struct{}, error) {
	if err := checkARN(in.StateMachineArn, "stateMachine"); err != nil {
		return nil, err
	}
	s.mu.Lock()
	delete(s.machines, in.StateMachineArn)
	s.mu.Unlock()
	return &struct{}{}, nil
}

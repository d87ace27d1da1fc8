package pipes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Spec is a pipe's configuration. Its JSON names are those CreatePipe
// and AWS::Pipes::Pipe share (Pipes API Reference, "CreatePipe";
// CloudFormation, "AWS::Pipes::Pipe"), so one type decodes both.
type Spec struct {
	Name                 string                `json:"Name,omitempty"`
	Description          string                `json:"Description,omitempty"`
	DesiredState         string                `json:"DesiredState,omitempty"`
	RoleArn              string                `json:"RoleArn"`
	Source               string                `json:"Source"`
	SourceParameters     *SourceParameters     `json:"SourceParameters,omitempty"`
	Enrichment           string                `json:"Enrichment,omitempty"`
	EnrichmentParameters *EnrichmentParameters `json:"EnrichmentParameters,omitempty"`
	Target               string                `json:"Target"`
	TargetParameters     *TargetParameters     `json:"TargetParameters,omitempty"`
	Tags                 map[string]string     `json:"Tags,omitempty"`
}

// SourceParameters holds the source settings; only DynamoDB stream sources
// run locally, and any other member makes the pipe unsupported.
type SourceParameters struct {
	DynamoDBStreamParameters *DynamoDBStreamParameters `json:"DynamoDBStreamParameters,omitempty"`
	FilterCriteria           *FilterCriteria           `json:"FilterCriteria,omitempty"`
	// Other holds the parameters of other sources (SqsQueueParameters, …).
	Other map[string]json.RawMessage `json:"-"`
}

// DynamoDBStreamParameters are PipeSourceDynamoDBStreamParameters.
type DynamoDBStreamParameters struct {
	StartingPosition               string            `json:"StartingPosition"`
	BatchSize                      *Int              `json:"BatchSize,omitempty"`
	MaximumBatchingWindowInSeconds *Int              `json:"MaximumBatchingWindowInSeconds,omitempty"`
	MaximumRetryAttempts           *Int              `json:"MaximumRetryAttempts,omitempty"`
	MaximumRecordAgeInSeconds      *Int              `json:"MaximumRecordAgeInSeconds,omitempty"`
	OnPartialBatchItemFailure      string            `json:"OnPartialBatchItemFailure,omitempty"`
	ParallelizationFactor          *Int              `json:"ParallelizationFactor,omitempty"`
	DeadLetterConfig               *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
}

// DeadLetterConfig names the SQS queue of discarded batches.
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// FilterCriteria are the pipe's filters; a record passes when any matches.
type FilterCriteria struct {
	Filters []Filter `json:"Filters"`
}

// Filter is one event pattern, as JSON text.
type Filter struct {
	Pattern string `json:"Pattern"`
}

// EnrichmentParameters are PipeEnrichmentParameters.
type EnrichmentParameters struct {
	InputTemplate string `json:"InputTemplate,omitempty"`
}

// TargetParameters are PipeTargetParameters for the targets that run
// locally.
type TargetParameters struct {
	InputTemplate                      string                         `json:"InputTemplate,omitempty"`
	LambdaFunctionParameters           *InvocationParameters          `json:"LambdaFunctionParameters,omitempty"`
	StepFunctionStateMachineParameters *InvocationParameters          `json:"StepFunctionStateMachineParameters,omitempty"`
	EventBridgeEventBusParameters      *EventBridgeEventBusParameters `json:"EventBridgeEventBusParameters,omitempty"`
}

// InvocationParameters choose REQUEST_RESPONSE or FIRE_AND_FORGET.
type InvocationParameters struct {
	InvocationType string `json:"InvocationType,omitempty"`
}

// EventBridgeEventBusParameters are PipeTargetEventBridgeEventBusParameters.
type EventBridgeEventBusParameters struct {
	DetailType string   `json:"DetailType,omitempty"`
	Source     string   `json:"Source,omitempty"`
	Resources  []string `json:"Resources,omitempty"`
	EndpointId string   `json:"EndpointId,omitempty"`
	Time       string   `json:"Time,omitempty"`
}

// UnmarshalJSON keeps the members of other sources so that validation can
// name them.
func (p *SourceParameters) UnmarshalJSON(b []byte) error {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	type plain SourceParameters
	var v plain
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*p = SourceParameters(v)
	for k, raw := range all {
		switch k {
		case "DynamoDBStreamParameters", "FilterCriteria":
		default:
			if p.Other == nil {
				p.Other = map[string]json.RawMessage{}
			}
			p.Other[k] = raw
		}
	}
	return nil
}

// Int is an integer that also decodes from a numeric string, since a
// CloudFormation template may write numbers as strings.
type Int int

// UnmarshalJSON accepts 10 and "10".
func (n *Int) UnmarshalJSON(b []byte) error {
	s := string(bytes.Trim(b, `"`))
	v, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("%s is not an integer", b)
	}
	*n = Int(v)
	return nil
}

func intOr(p *Int, def int) int {
	if p == nil {
		return def
	}
	return int(*p)
}

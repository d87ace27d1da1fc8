package stepfunctions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types Step Functions
// owns. The state machine provisioner also updates in place (the
// engine's Updater).
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{"AWS::StepFunctions::StateMachine": machineProvisioner{s}}
}

type machineProvisioner struct{ s *Service }

// machineSpec is an AWS::StepFunctions::StateMachine's properties.
type machineSpec struct {
	name, definition, roleArn, typ string
	tracing                        bool
	logging                        *LoggingConfiguration
}

func (p machineProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	spec, err := readSpec(req)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	return p.create(ctx, req, spec)
}

func (p machineProvisioner) create(ctx context.Context, req cfnresource.Request, spec machineSpec) (cfnresource.Resource, error) {
	out, err := p.s.CreateStateMachine(ctx, &CreateStateMachineInput{Name: spec.name, Definition: spec.definition,
		RoleArn: spec.roleArn, Type: spec.typ, LoggingConfiguration: spec.logging,
		TracingConfiguration: &TracingConfiguration{Enabled: spec.tracing}})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: create state machine %s: %w", req.LogicalID, spec.name, err)
	}
	return p.resource(out.StateMachineArn)
}

// resource describes a state machine as the engine keeps it: Ref and
// PhysicalID are the ARN.
func (p machineProvisioner) resource(smArn string) (cfnresource.Resource, error) {
	d, err := p.s.DescribeStateMachine(context.Background(), &StateMachineArnInput{StateMachineArn: smArn})
	if err != nil {
		return cfnresource.Resource{}, err
	}
	return cfnresource.Resource{PhysicalID: d.StateMachineArn, Attributes: map[string]any{
		"Arn": d.StateMachineArn, "Name": d.Name, "StateMachineRevisionId": d.RevisionID}}, nil
}

// Update changes the definition, role, logging and tracing in place; a
// new name or type replaces the state machine (created first, then the
// old one deleted), as CloudFormation does.
func (p machineProvisioner) Update(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error) {
	spec, err := readSpec(req)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	current, err := p.s.DescribeStateMachine(ctx, &StateMachineArnInput{StateMachineArn: res.PhysicalID})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	explicitName, _ := req.Properties["StateMachineName"].(string)
	if (explicitName != "" && explicitName != current.Name) || spec.typ != current.Type {
		if explicitName == "" {
			spec.name = unnamed(req)
		}
		created, err := p.create(ctx, req, spec)
		if err != nil {
			return cfnresource.Resource{}, err
		}
		if err := p.Delete(ctx, old, res); err != nil {
			return cfnresource.Resource{}, fmt.Errorf("%s: delete replaced state machine: %w", req.LogicalID, err)
		}
		return created, nil
	}
	_, err = p.s.UpdateStateMachine(ctx, &UpdateStateMachineInput{StateMachineArn: res.PhysicalID, Definition: spec.definition,
		RoleArn: spec.roleArn, LoggingConfiguration: spec.logging, TracingConfiguration: &TracingConfiguration{Enabled: spec.tracing}})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: update state machine: %w", req.LogicalID, err)
	}
	return p.resource(res.PhysicalID)
}

func (p machineProvisioner) Delete(ctx context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	_, err := p.s.DeleteStateMachine(ctx, &StateMachineArnInput{StateMachineArn: res.PhysicalID})
	return err
}

// readSpec reads the resource's properties. The definition is Definition
// (an object), or DefinitionString (CDK's Fn::Join, resolved by the
// engine), with DefinitionSubstitutions' ${key} placeholders replaced.
func readSpec(req cfnresource.Request) (machineSpec, error) {
	props := req.Properties
	spec := machineSpec{roleArn: str(props["RoleArn"]), typ: str(props["StateMachineType"]), name: str(props["StateMachineName"])}
	if spec.name == "" {
		spec.name = unnamed(req)
	}
	if spec.typ == "" {
		spec.typ = TypeStandard
	}
	if spec.roleArn == "" {
		return spec, errors.New("property RoleArn is required")
	}
	switch {
	case props["DefinitionS3Location"] != nil:
		return spec, errors.New("DefinitionS3Location is not supported by the local cloud: inline the definition with Definition or DefinitionString")
	case props["Definition"] != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(props["Definition"]); err != nil {
			return spec, fmt.Errorf("Definition: %w", err)
		}
		spec.definition = strings.TrimSpace(buf.String())
	case props["DefinitionString"] != nil:
		spec.definition = str(props["DefinitionString"])
	default:
		return spec, errors.New("one of Definition, DefinitionString or DefinitionS3Location is required")
	}
	if subs, ok := props["DefinitionSubstitutions"].(map[string]any); ok {
		spec.definition = substitute(spec.definition, subs)
	}
	if tc, ok := props["TracingConfiguration"].(map[string]any); ok {
		spec.tracing = str(tc["Enabled"]) == "true"
	}
	if lc, ok := props["LoggingConfiguration"].(map[string]any); ok {
		spec.logging = &LoggingConfiguration{Level: str(lc["Level"]), IncludeExecutionData: str(lc["IncludeExecutionData"]) == "true"}
		if d, ok := lc["Destinations"].([]any); ok {
			spec.logging.Destinations = d
		}
	}
	return spec, nil
}

// substitute replaces each ${key} of DefinitionSubstitutions, longest key
// first so that a key never eats the start of a longer one.
func substitute(def string, subs map[string]any) string {
	keys := make([]string, 0, len(subs))
	for k := range subs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	pairs := make([]string, 0, 2*len(keys))
	for _, k := range keys {
		pairs = append(pairs, "${"+k+"}", str(subs[k]))
	}
	return strings.NewReplacer(pairs...).Replace(def)
}

// str renders a resolved property as text (numbers and booleans as CFN
// passes them on).
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool, float64, int:
		return fmt.Sprint(t)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// unnamed is CloudFormation's name for a state machine whose template
// names none: LogicalId-SUFFIX, without the stack name, within the 80
// characters of a state machine name.
func unnamed(req cfnresource.Request) string {
	req.StackName = ""
	return req.GeneratedName(80)
}

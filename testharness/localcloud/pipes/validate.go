package pipes

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// Defaults and limits of DynamoDB stream sources (Pipes API Reference,
// PipeSourceDynamoDBStreamParameters; the batch size default is the one
// of the Lambda DynamoDB event source mapping, "Lambda parameters for
// Amazon DynamoDB event source mappings", which Pipes mirrors).
const (
	defaultBatchSize = 100
	maxBatchSize     = 10000
	maxWindowSeconds = 300
	maxRetryAttempts = 10000
	maxRecordAge     = 604800
	maxFilters       = 5
	maxPatternLength = 4096
	busBatchSize     = 10 // EventBridge event bus targets take 10 per batch
)

type targetKind int

const (
	targetLambda targetKind = iota
	targetStateMachine
	targetEventBus
)

// config is a validated pipe configuration, ready to run.
type config struct {
	spec             Spec
	streamARN        string
	startingPosition string
	batchSize        int
	windowSeconds    int
	maxRetries       int // -1: until the record expires
	maxAgeSeconds    int // -1: no limit
	bisect           bool
	dlqARN           string
	filters          []*eventpattern.Pattern
	enrichmentARN    string
	enrichTemplate   *template
	target           targetKind
	targetARN        string
	synchronous      bool
	targetTemplate   *template
	bus              EventBridgeEventBusParameters
}

var namePattern = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

func invalid(format string, args ...any) error { return awsproto.ValidationError(format, args...) }

// unsupported is the error of a configuration AWS accepts that the local
// cloud cannot run; it names the pipe so a failed deployment says which.
func unsupported(name, what string) error {
	return awsproto.ValidationError("Pipe %s: %s is not supported locally (see the local cloud's SUPPORT.md)", name, what)
}

// compile validates a spec as CreatePipe does and returns its config.
func (s *Service) compile(spec Spec) (*config, error) {
	name := spec.Name
	if !namePattern.MatchString(name) {
		return nil, invalid("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+", name)
	}
	if spec.RoleArn == "" {
		return nil, invalid("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null")
	}
	switch spec.DesiredState {
	case "", "RUNNING", "STOPPED":
	default:
		return nil, invalid("1 validation error detected: Value '%s' at 'desiredState' failed to satisfy constraint: Member must satisfy enum value set: [RUNNING, STOPPED]", spec.DesiredState)
	}
	c := &config{spec: spec}
	if err := s.compileSource(c); err != nil {
		return nil, err
	}
	if err := s.compileEnrichment(c); err != nil {
		return nil, err
	}
	if err := s.compileTarget(c); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) compileSource(c *config) error {
	spec := c.spec
	a, err := arn.Parse(spec.Source)
	if err != nil || a.Service != "dynamodb" || !strings.Contains(a.Resource, "/stream/") {
		return unsupported(spec.Name, fmt.Sprintf("source %q (only DynamoDB stream sources run)", spec.Source))
	}
	if s.opts.Streams == nil {
		return unsupported(spec.Name, "a DynamoDB stream source without the Streams service")
	}
	c.streamARN = spec.Source
	sp := spec.SourceParameters
	if sp != nil && len(sp.Other) > 0 {
		var names []string
		for k := range sp.Other {
			names = append(names, k)
		}
		slices.Sort(names)
		return invalid("Pipe %s: source parameters %s do not apply to a DynamoDB stream source", spec.Name, strings.Join(names, ", "))
	}
	if sp == nil || sp.DynamoDBStreamParameters == nil {
		return invalid("Pipe %s: DynamoDBStreamParameters with a StartingPosition are required for a DynamoDB stream source", spec.Name)
	}
	p := sp.DynamoDBStreamParameters
	switch p.StartingPosition {
	case "TRIM_HORIZON", "LATEST":
		c.startingPosition = p.StartingPosition
	default:
		return invalid("1 validation error detected: Value '%s' at 'sourceParameters.dynamoDBStreamParameters.startingPosition' failed to satisfy constraint: Member must satisfy enum value set: [TRIM_HORIZON, LATEST]", p.StartingPosition)
	}
	ranges := []struct {
		field    string
		v        *Int
		def      int
		min, max int
		dst      *int
	}{
		{"batchSize", p.BatchSize, defaultBatchSize, 1, maxBatchSize, &c.batchSize},
		{"maximumBatchingWindowInSeconds", p.MaximumBatchingWindowInSeconds, 0, 0, maxWindowSeconds, &c.windowSeconds},
		{"maximumRetryAttempts", p.MaximumRetryAttempts, -1, -1, maxRetryAttempts, &c.maxRetries},
		{"maximumRecordAgeInSeconds", p.MaximumRecordAgeInSeconds, -1, -1, maxRecordAge, &c.maxAgeSeconds},
		{"parallelizationFactor", p.ParallelizationFactor, 1, 1, 10, new(int)},
	}
	for _, r := range ranges {
		v := intOr(r.v, r.def)
		if v < r.min || v > r.max {
			return invalid("1 validation error detected: Value '%d' at 'sourceParameters.dynamoDBStreamParameters.%s' failed to satisfy constraint: Member must have value between %d and %d", v, r.field, r.min, r.max)
		}
		*r.dst = v
	}
	switch p.OnPartialBatchItemFailure {
	case "":
	case "AUTOMATIC_BISECT":
		c.bisect = true
	default:
		return invalid("1 validation error detected: Value '%s' at 'sourceParameters.dynamoDBStreamParameters.onPartialBatchItemFailure' failed to satisfy constraint: Member must satisfy enum value set: [AUTOMATIC_BISECT]", p.OnPartialBatchItemFailure)
	}
	if p.DeadLetterConfig != nil && p.DeadLetterConfig.Arn != "" {
		d, err := arn.Parse(p.DeadLetterConfig.Arn)
		if err != nil || d.Service != "sqs" {
			return unsupported(spec.Name, fmt.Sprintf("dead-letter destination %q (only SQS queues are)", p.DeadLetterConfig.Arn))
		}
		if s.opts.Queues == nil {
			return unsupported(spec.Name, "an SQS dead-letter queue without the SQS service")
		}
		c.dlqARN = p.DeadLetterConfig.Arn
	}
	if sp.FilterCriteria != nil {
		if len(sp.FilterCriteria.Filters) > maxFilters {
			return invalid("1 validation error detected: Value at 'sourceParameters.filterCriteria.filters' failed to satisfy constraint: Member must have length less than or equal to %d", maxFilters)
		}
		for i, f := range sp.FilterCriteria.Filters {
			if len(f.Pattern) > maxPatternLength {
				return invalid("Pipe %s: filter %d is longer than %d characters", spec.Name, i+1, maxPatternLength)
			}
			pat, err := eventpattern.Compile([]byte(f.Pattern))
			if err != nil {
				return invalid("Invalid filter pattern %d of pipe %s: %v", i+1, spec.Name, err)
			}
			c.filters = append(c.filters, pat)
		}
	}
	return nil
}

func (s *Service) compileEnrichment(c *config) error {
	spec := c.spec
	if spec.Enrichment == "" {
		return nil
	}
	a, err := arn.Parse(spec.Enrichment)
	if err != nil || a.Service != "lambda" {
		return unsupported(spec.Name, fmt.Sprintf("enrichment %q (only Lambda functions run)", spec.Enrichment))
	}
	if s.opts.Functions == nil {
		return unsupported(spec.Name, "a Lambda enrichment without the Lambda service")
	}
	c.enrichmentARN = spec.Enrichment
	if ep := spec.EnrichmentParameters; ep != nil && ep.InputTemplate != "" {
		t, err := parseTemplate(ep.InputTemplate)
		if err != nil {
			return invalid("Pipe %s: enrichment InputTemplate: %v", spec.Name, err)
		}
		c.enrichTemplate = t
	}
	return nil
}

func (s *Service) compileTarget(c *config) error {
	spec := c.spec
	a, err := arn.Parse(spec.Target)
	if err != nil {
		return invalid("1 validation error detected: Value '%s' at 'target' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-]+):.*", spec.Target)
	}
	tp := spec.TargetParameters
	if tp == nil {
		tp = &TargetParameters{}
	}
	c.targetARN = spec.Target
	var inv *InvocationParameters
	var missing bool
	switch {
	case a.Service == "lambda":
		c.target, inv, missing = targetLambda, tp.LambdaFunctionParameters, s.opts.Functions == nil
	case a.Service == "states":
		c.target, inv, missing = targetStateMachine, tp.StepFunctionStateMachineParameters, s.opts.Executions == nil
	case a.Service == "events" && strings.HasPrefix(a.Resource, "event-bus/"):
		c.target, missing = targetEventBus, s.opts.Events == nil
		if tp.EventBridgeEventBusParameters != nil {
			c.bus = *tp.EventBridgeEventBusParameters
		}
		if c.batchSize > busBatchSize {
			return invalid("Pipe %s: batch size %d is above the maximum of %d for an event bus target", spec.Name, c.batchSize, busBatchSize)
		}
	default:
		return unsupported(spec.Name, fmt.Sprintf("target %q (Lambda functions, state machines and event buses run)", spec.Target))
	}
	if missing {
		return unsupported(spec.Name, fmt.Sprintf("target %q without its service", spec.Target))
	}
	c.synchronous = c.target == targetLambda // REQUEST_RESPONSE is the Lambda default
	if inv != nil {
		switch inv.InvocationType {
		case "":
		case "REQUEST_RESPONSE":
			c.synchronous = true
		case "FIRE_AND_FORGET":
			c.synchronous = false
		default:
			return invalid("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [REQUEST_RESPONSE, FIRE_AND_FORGET]", inv.InvocationType)
		}
	}
	if c.target == targetStateMachine && (inv == nil || inv.InvocationType == "") {
		return invalid("Pipe %s: StepFunctionStateMachineParameters.InvocationType is required for a state machine target", spec.Name)
	}
	if tp.InputTemplate != "" {
		t, err := parseTemplate(tp.InputTemplate)
		if err != nil {
			return invalid("Pipe %s: target InputTemplate: %v", spec.Name, err)
		}
		c.targetTemplate = t
	}
	return nil
}

package lambda

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// Event source mapping states (API_EventSourceMappingConfiguration).
const (
	esmCreating  = "Creating"
	esmEnabled   = "Enabled"
	esmDisabled  = "Disabled"
	esmUpdating  = "Updating"
	esmEnabling  = "Enabling"
	esmDisabling = "Disabling"
	esmDeleting  = "Deleting"
)

// reportBatchItemFailures is the one FunctionResponseTypes value.
const reportBatchItemFailures = "ReportBatchItemFailures"

// Limits of an SQS event source mapping (Lambda Developer Guide, "Lambda
// parameters for Amazon SQS event source mappings"; API_CreateEventSourceMapping).
const (
	sqsDefaultBatchSize = 10
	sqsMaxBatchSize     = 10000
	sqsFIFOMaxBatchSize = 10
	maxBatchingWindow   = 300
	// maxFilters is the default quota of filters per mapping (Lambda
	// Developer Guide, "Control which events Lambda sends to your function").
	maxFilters = 5
)

// esmInput is what CreateEventSourceMapping and UpdateEventSourceMapping
// take, and an AWS::Lambda::EventSourceMapping's properties, for SQS.
type esmInput struct {
	FunctionName                   string
	EventSourceArn                 string
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	Enabled                        *bool
	FunctionResponseTypes          []string
	ScalingConfig                  *scalingConfig
	FilterCriteria                 *filterCriteria
}

type scalingConfig struct {
	MaximumConcurrency *int `json:",omitempty"`
}

type filterCriteria struct {
	Filters []eventFilter
}

type eventFilter struct {
	Pattern string
}

// esmSettings is a mapping's configuration as it polls and invokes.
type esmSettings struct {
	functionARN    string
	batchSize      int
	window         int // MaximumBatchingWindowInSeconds
	reportFailures bool
	responseTypes  []string
	scaling        *scalingConfig
	criteria       *filterCriteria
	filters        []*eventpattern.Pattern
}

// eventSourceMapping is one mapping from an SQS queue to a function.
type eventSourceMapping struct {
	uuid, sourceARN string
	settings        esmSettings // guarded by Service.mu
	enabled         bool        // guarded by Service.mu
	lastModified    time.Time   // guarded by Service.mu
	// poller is the running poller, nil while disabled; guarded by
	// Service.mu.
	poller *esmPoller
}

// esmOutput is EventSourceMappingConfiguration.
type esmOutput struct {
	UUID                           string
	EventSourceMappingArn          string
	EventSourceArn                 string
	FunctionArn                    string
	BatchSize                      int
	MaximumBatchingWindowInSeconds int
	FunctionResponseTypes          []string
	ScalingConfig                  *scalingConfig  `json:",omitempty"`
	FilterCriteria                 *filterCriteria `json:",omitempty"`
	LastModified                   float64
	State                          string
	StateTransitionReason          string
}

// describe renders the mapping in state. Must hold Service.mu.
func (m *eventSourceMapping) describe(state string) esmOutput {
	st := m.settings
	return esmOutput{
		UUID: m.uuid, EventSourceMappingArn: arn.New("lambda", "event-source-mapping:"+m.uuid),
		EventSourceArn: m.sourceARN, FunctionArn: st.functionARN, BatchSize: st.batchSize,
		MaximumBatchingWindowInSeconds: st.window, FunctionResponseTypes: st.responseTypes,
		ScalingConfig: st.scaling, FilterCriteria: st.criteria,
		LastModified: float64(m.lastModified.UnixMilli()) / 1000, State: state, StateTransitionReason: "USER_INITIATED",
	}
}

// restingState is Enabled or Disabled. Must hold Service.mu.
func (m *eventSourceMapping) restingState() string {
	if m.enabled {
		return esmEnabled
	}
	return esmDisabled
}

// validationError is Lambda's answer to a parameter outside its model's
// constraints.
func validationError(field, constraint string, value any) error {
	return userError("ValidationException", http.StatusBadRequest,
		"1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}

func esmNotFound() error {
	return userError("ResourceNotFoundException", http.StatusNotFound, "The resource you requested does not exist.")
}

// CreateEventSourceMapping maps an SQS queue to a function: the queue is
// polled as the function's role and its messages invoke the function in
// batches. Sources other than SQS are refused.
func (s *Service) CreateEventSourceMapping(ctx context.Context, in esmInput) (esmOutput, error) {
	if in.EventSourceArn == "" {
		return esmOutput{}, invalidParameter("Unrecognized event source.")
	}
	src, err := arn.Parse(in.EventSourceArn)
	if err != nil {
		return esmOutput{}, invalidParameter("Unrecognized event source.")
	}
	if src.Service != "sqs" {
		return esmOutput{}, invalidParameter("Event source mappings from %s are not supported locally; the local cloud maps SQS queues to functions (a DynamoDB stream reaches a function through an EventBridge pipe)", src.Service)
	}
	fn, settings, err := s.esmSettings(ctx, in, esmSettings{batchSize: sqsDefaultBatchSize}, in.EventSourceArn)
	if err != nil {
		return esmOutput{}, err
	}
	now := s.clock.Now()
	m := &eventSourceMapping{uuid: awsproto.NewRequestID(), sourceARN: in.EventSourceArn, settings: settings,
		enabled: in.Enabled == nil || *in.Enabled, lastModified: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, other := range s.mappings {
		if other.sourceARN == m.sourceARN && other.settings.functionARN == settings.functionARN {
			// The message CloudFormation shows (Lambda's ResourceConflictException).
			return esmOutput{}, userError("ResourceConflictException", http.StatusConflict,
				`An event source mapping with SQS arn (" %s ") and function (" %s ") already exists. Please update or delete the existing mapping with UUID %s`,
				m.sourceARN, fn.cfg.Name, other.uuid)
		}
	}
	if err := s.startPollerLocked(m); err != nil {
		return esmOutput{}, err
	}
	s.mappings = append(s.mappings, m)
	return m.describe(esmCreating), nil
}

// esmSettings validates in against the function and the queue, starting
// from base (the mapping's settings before an update).
func (s *Service) esmSettings(ctx context.Context, in esmInput, base esmSettings, queueARN string) (*function, esmSettings, error) {
	st := base
	if in.BatchSize != nil {
		st.batchSize = *in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		st.window = *in.MaximumBatchingWindowInSeconds
	}
	if in.FunctionResponseTypes != nil {
		st.responseTypes = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		st.scaling = in.ScalingConfig
	}
	if in.FilterCriteria != nil {
		st.criteria = in.FilterCriteria
	}
	if err := st.check(); err != nil {
		return nil, esmSettings{}, err
	}
	if in.FunctionName != "" {
		fn, err := s.lookup(in.FunctionName, "")
		if err != nil {
			return nil, esmSettings{}, invalidParameter("Function does not exist")
		}
		st.functionARN = fn.cfg.ARN
	}
	if st.functionARN == "" {
		return nil, esmSettings{}, invalidParameter("Function does not exist")
	}
	fn, err := s.lookup(st.functionARN, "")
	if err != nil {
		return nil, esmSettings{}, invalidParameter("Function does not exist")
	}
	if err := s.checkQueue(ctx, fn, queueARN, st); err != nil {
		return nil, esmSettings{}, err
	}
	return fn, st, nil
}

// check applies the limits of the settings themselves and compiles the
// filters.
func (st *esmSettings) check() error {
	switch {
	case st.batchSize < 1:
		return validationError("batchSize", "Member must have value greater than or equal to 1", st.batchSize)
	case st.batchSize > sqsMaxBatchSize:
		return validationError("batchSize", "Member must have value less than or equal to 10000", st.batchSize)
	case st.window < 0:
		return validationError("maximumBatchingWindowInSeconds", "Member must have value greater than or equal to 0", st.window)
	case st.window > maxBatchingWindow:
		return validationError("maximumBatchingWindowInSeconds", "Member must have value less than or equal to 300", st.window)
	case st.batchSize > 10 && st.window == 0:
		return invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	for _, t := range st.responseTypes {
		if t != reportBatchItemFailures {
			return validationError("functionResponseTypes", "Member must satisfy enum value set: [ReportBatchItemFailures]", st.responseTypes)
		}
	}
	st.reportFailures = slices.Contains(st.responseTypes, reportBatchItemFailures)
	if st.scaling != nil && st.scaling.MaximumConcurrency != nil {
		if n := *st.scaling.MaximumConcurrency; n < 2 || n > 1000 {
			return validationError("scalingConfig.maximumConcurrency", "Member must have value between 2 and 1000", n)
		}
	}
	st.filters = nil
	if st.criteria != nil {
		if len(st.criteria.Filters) > maxFilters {
			return invalidParameter("An event source mapping takes at most %d filters, got %d", maxFilters, len(st.criteria.Filters))
		}
		for _, f := range st.criteria.Filters {
			p, err := eventpattern.Compile([]byte(f.Pattern))
			if err != nil || f.Pattern == "" {
				return invalidParameter("Invalid filter pattern definition.")
			}
			st.filters = append(st.filters, p)
		}
	}
	return nil
}

// sqsConsumerActions are what polling a queue takes of the function's
// role: Lambda checks them when the mapping is made (Lambda Developer
// Guide, "Using Lambda with Amazon SQS": execution role permissions).
var sqsConsumerActions = []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"}

// checkQueue asks what Lambda asks of the queue before it maps it: that
// the function's role may consume it, that it exists, that its
// visibility timeout is not shorter than the function's timeout, and the
// limits of FIFO queues.
func (s *Service) checkQueue(ctx context.Context, fn *function, queueARN string, st esmSettings) error {
	if s.opts.Queues == nil {
		return invalidParameter("Event source mappings from SQS need the local SQS, which this Lambda service has no access to")
	}
	ctx = roleContext(ctx, fn.cfg)
	for _, action := range sqsConsumerActions {
		if err := s.opts.Queues.Allowed(ctx, "sqs:"+action, queueARN); err != nil {
			return invalidParameter("The provided execution role does not have permissions to call %s on SQS", action)
		}
	}
	attrs, err := s.opts.Queues.QueueAttributes(ctx, queueARN)
	if err != nil {
		return sqsCallError("ReceiveMessage", err)
	}
	if vt, _ := strconv.Atoi(attrs["VisibilityTimeout"]); vt < fn.cfg.Timeout {
		return invalidParameter("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", vt, fn.cfg.Timeout)
	}
	if attrs["FifoQueue"] == "true" {
		if st.batchSize > sqsFIFOMaxBatchSize {
			return invalidParameter("BatchSize must be between 1 and %d for an SQS FIFO queue, got %d", sqsFIFOMaxBatchSize, st.batchSize)
		}
		if st.window > 0 {
			return invalidParameter("Batching window is not supported for FIFO queues")
		}
	}
	return nil
}

// sqsCallError is Lambda's report of an SQS error met while checking a
// queue ("Error occurred while ReceiveMessage. SQS Error Code: …").
func sqsCallError(op string, err error) error {
	var e *awsproto.Error
	if !errors.As(err, &e) {
		return invalidParameter("Error occurred while %s: %v", op, err)
	}
	code := e.QueryCode
	if code == "" {
		code = e.Code
	}
	return invalidParameter("Error occurred while %s. SQS Error Code: %s. SQS Error Message: %s", op, code, e.Message)
}

// GetEventSourceMapping returns a mapping by UUID.
func (s *Service) GetEventSourceMapping(uuid string) (esmOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mappingLocked(uuid)
	if m == nil {
		return esmOutput{}, esmNotFound()
	}
	return m.describe(m.restingState()), nil
}

// UpdateEventSourceMapping changes a mapping's function, batching,
// response types, filters or whether it is enabled; the poller starts
// again with the new settings.
func (s *Service) UpdateEventSourceMapping(ctx context.Context, uuid string, in esmInput) (esmOutput, error) {
	s.mu.Lock()
	m := s.mappingLocked(uuid)
	var base esmSettings
	if m != nil {
		base = m.settings
	}
	s.mu.Unlock()
	if m == nil {
		return esmOutput{}, esmNotFound()
	}
	_, settings, err := s.esmSettings(ctx, in, base, m.sourceARN)
	if err != nil {
		return esmOutput{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mappingLocked(uuid) != m {
		return esmOutput{}, esmNotFound()
	}
	state := esmUpdating
	if in.Enabled != nil && *in.Enabled != m.enabled {
		state = map[bool]string{true: esmEnabling, false: esmDisabling}[*in.Enabled]
		m.enabled = *in.Enabled
	}
	m.stopPollerLocked()
	m.settings, m.lastModified = settings, s.clock.Now()
	if err := s.startPollerLocked(m); err != nil {
		return esmOutput{}, err
	}
	return m.describe(state), nil
}

// DeleteEventSourceMapping stops and removes a mapping; a batch being
// processed finishes.
func (s *Service) DeleteEventSourceMapping(uuid string) (esmOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.mappingLocked(uuid)
	if m == nil {
		return esmOutput{}, esmNotFound()
	}
	m.stopPollerLocked()
	s.mappings = slices.DeleteFunc(s.mappings, func(o *eventSourceMapping) bool { return o == m })
	return m.describe(esmDeleting), nil
}

// ListEventSourceMappings lists mappings in the order they were made,
// those of one source and/or function when given.
func (s *Service) ListEventSourceMappings(sourceARN, functionName string) ([]esmOutput, error) {
	var functionARN string
	if functionName != "" {
		fn, err := s.lookup(functionName, "")
		if err != nil {
			return nil, err
		}
		functionARN = fn.cfg.ARN
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []esmOutput{}
	for _, m := range s.mappings {
		if (sourceARN == "" || m.sourceARN == sourceARN) && (functionARN == "" || m.settings.functionARN == functionARN) {
			out = append(out, m.describe(m.restingState()))
		}
	}
	return out, nil
}

// mappingLocked finds a mapping by UUID. Must hold s.mu.
func (s *Service) mappingLocked(uuid string) *eventSourceMapping {
	for _, m := range s.mappings {
		if strings.EqualFold(m.uuid, uuid) {
			return m
		}
	}
	return nil
}

// startPollerLocked starts the mapping's poller when it is enabled. Must
// hold s.mu.
func (s *Service) startPollerLocked(m *eventSourceMapping) error {
	if !m.enabled || s.closed {
		return nil
	}
	p, err := s.newPoller(m.uuid, m.sourceARN, m.settings)
	if err != nil {
		return err
	}
	m.poller = p
	return nil
}

// stopPollerLocked asks the poller to end after the batch it is on. Must
// hold s.mu.
func (m *eventSourceMapping) stopPollerLocked() {
	if m.poller != nil {
		m.poller.stop()
		m.poller = nil
	}
}

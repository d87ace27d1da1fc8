package cloudformation

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// operations is the query API's table of operations.
func (e *Engine) operations() map[string]awsproto.QueryOperation {
	return map[string]awsproto.QueryOperation{
		"DescribeStacks":         e.describeStacks,
		"ListStacks":             e.listStacks,
		"ListStackResources":     e.listStackResources,
		"DescribeStackResources": e.describeStackResources,
		"DescribeStackResource":  e.describeStackResource,
		"DescribeStackEvents":    e.describeStackEvents,
		"GetTemplate":            e.getTemplate,
		"CreateStack":            e.createStack,
		"UpdateStack":            e.updateStack,
		"ContinueUpdateRollback": e.continueUpdateRollback,
		"DeleteStack":            e.deleteStack,
		"CreateChangeSet":        e.createChangeSet,
		"DescribeChangeSet":      e.describeChangeSet,
		"ExecuteChangeSet":       e.executeChangeSet,
		"DeleteChangeSet":        e.deleteChangeSet,
	}
}

// timestamp renders a time as the query protocol's ISO 8601.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func optionalTimestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return timestamp(t)
}

type xmlParameter struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
	ResolvedValue  string `xml:"ResolvedValue,omitempty"`
}

type xmlOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
	Description string `xml:"Description,omitempty"`
	ExportName  string `xml:"ExportName,omitempty"`
}

type xmlStackDrift struct {
	StackDriftStatus string `xml:"StackDriftStatus"`
}

type xmlStack struct {
	StackID           string         `xml:"StackId"`
	StackName         string         `xml:"StackName"`
	Description       string         `xml:"Description,omitempty"`
	Parameters        []xmlParameter `xml:"Parameters>member"`
	CreationTime      string         `xml:"CreationTime"`
	LastUpdatedTime   string         `xml:"LastUpdatedTime,omitempty"`
	DeletionTime      string         `xml:"DeletionTime,omitempty"`
	StackStatus       string         `xml:"StackStatus"`
	StackStatusReason string         `xml:"StackStatusReason,omitempty"`
	DisableRollback   bool           `xml:"DisableRollback"`
	Outputs           []xmlOutput    `xml:"Outputs>member"`
	DriftInformation  xmlStackDrift  `xml:"DriftInformation"`
}

type describeStacksResult struct {
	Stacks []xmlStack `xml:"Stacks>member"`
}

// stackLocked finds a stack by name (live stacks) or by stack id (live or
// deleted), as DescribeStacks does. Must hold e.mu.
func (e *Engine) stackLocked(nameOrID string) (*stack, bool) {
	if s, ok := e.lookupLocked(nameOrID); ok {
		return s, true
	}
	for _, s := range e.deleted {
		if s.id == nameOrID {
			return s, true
		}
	}
	return nil, false
}

func (e *Engine) describeStacks(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var stacks []*stack
	if name := params.Get("StackName"); name != "" {
		s, ok := e.stackLocked(name)
		if !ok {
			return nil, stackNotFound(name)
		}
		stacks = append(stacks, s)
	} else {
		for _, name := range sortedKeys(e.stacks) {
			stacks = append(stacks, e.stacks[name])
		}
	}
	out := describeStacksResult{Stacks: []xmlStack{}}
	for _, s := range stacks {
		x := xmlStack{StackID: s.id, StackName: s.name, Description: s.description, CreationTime: timestamp(s.created),
			LastUpdatedTime: optionalTimestamp(s.updated), DeletionTime: optionalTimestamp(s.deletedAt),
			StackStatus: s.status, StackStatusReason: s.reason, DisableRollback: s.disableRollback, DriftInformation: xmlStackDrift{"NOT_CHECKED"}}
		for _, p := range s.params {
			v := p.Value
			if p.NoEcho {
				v = "****"
			}
			x.Parameters = append(x.Parameters, xmlParameter{ParameterKey: p.Key, ParameterValue: v, ResolvedValue: p.ResolvedValue})
		}
		for _, o := range s.outputs {
			x.Outputs = append(x.Outputs, xmlOutput{OutputKey: o.Key, OutputValue: o.Value, Description: o.Description, ExportName: o.ExportName})
		}
		out.Stacks = append(out.Stacks, x)
	}
	return out, nil
}

type xmlStackSummary struct {
	StackID             string        `xml:"StackId"`
	StackName           string        `xml:"StackName"`
	TemplateDescription string        `xml:"TemplateDescription,omitempty"`
	CreationTime        string        `xml:"CreationTime"`
	LastUpdatedTime     string        `xml:"LastUpdatedTime,omitempty"`
	DeletionTime        string        `xml:"DeletionTime,omitempty"`
	StackStatus         string        `xml:"StackStatus"`
	StackStatusReason   string        `xml:"StackStatusReason,omitempty"`
	DriftInformation    xmlStackDrift `xml:"DriftInformation"`
}

type listStacksResult struct {
	StackSummaries []xmlStackSummary `xml:"StackSummaries>member"`
}

func (e *Engine) listStacks(_ context.Context, params url.Values) (any, error) {
	filter := map[string]bool{}
	for i := 1; params.Has("StackStatusFilter.member." + strconv.Itoa(i)); i++ {
		filter[params.Get("StackStatusFilter.member."+strconv.Itoa(i))] = true
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	all := append([]*stack{}, e.deleted...)
	for _, s := range e.stacks {
		all = append(all, s)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].created.After(all[j].created) })
	out := listStacksResult{StackSummaries: []xmlStackSummary{}}
	for _, s := range all {
		if len(filter) > 0 && !filter[s.status] {
			continue
		}
		out.StackSummaries = append(out.StackSummaries, xmlStackSummary{StackID: s.id, StackName: s.name,
			TemplateDescription: s.description, CreationTime: timestamp(s.created), LastUpdatedTime: optionalTimestamp(s.updated),
			DeletionTime: optionalTimestamp(s.deletedAt), StackStatus: s.status, StackStatusReason: s.reason,
			DriftInformation: xmlStackDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

type xmlResourceDrift struct {
	StackResourceDriftStatus string `xml:"StackResourceDriftStatus"`
}

type xmlResourceSummary struct {
	LogicalResourceID    string           `xml:"LogicalResourceId"`
	PhysicalResourceID   string           `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string           `xml:"ResourceType"`
	LastUpdatedTimestamp string           `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string           `xml:"ResourceStatus"`
	ResourceStatusReason string           `xml:"ResourceStatusReason,omitempty"`
	DriftInformation     xmlResourceDrift `xml:"DriftInformation"`
}

type listStackResourcesResult struct {
	StackResourceSummaries []xmlResourceSummary `xml:"StackResourceSummaries>member"`
}

// stackParam finds the stack a request names in StackName. Must hold e.mu.
func (e *Engine) stackParamLocked(params url.Values) (*stack, error) {
	name := params.Get("StackName")
	if name == "" {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	s, ok := e.stackLocked(name)
	if !ok {
		return nil, stackNotFound(name)
	}
	return s, nil
}

// resourcesLocked lists a stack's resources by logical id. Must hold e.mu.
func resourcesLocked(s *stack) []*stackResource {
	out := make([]*stackResource, 0, len(s.resources))
	for _, id := range sortedKeys(s.resources) {
		out = append(out, s.resources[id])
	}
	return out
}

func (e *Engine) listStackResources(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stackParamLocked(params)
	if err != nil {
		return nil, err
	}
	out := listStackResourcesResult{StackResourceSummaries: []xmlResourceSummary{}}
	for _, r := range resourcesLocked(s) {
		out.StackResourceSummaries = append(out.StackResourceSummaries, xmlResourceSummary{LogicalResourceID: r.logicalID,
			PhysicalResourceID: r.res.PhysicalID, ResourceType: r.typ, LastUpdatedTimestamp: timestamp(r.updated),
			ResourceStatus: r.status, ResourceStatusReason: r.reason, DriftInformation: xmlResourceDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

type xmlStackResource struct {
	StackName            string           `xml:"StackName"`
	StackID              string           `xml:"StackId"`
	LogicalResourceID    string           `xml:"LogicalResourceId"`
	PhysicalResourceID   string           `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string           `xml:"ResourceType"`
	Timestamp            string           `xml:"Timestamp,omitempty"`
	LastUpdatedTimestamp string           `xml:"LastUpdatedTimestamp,omitempty"`
	ResourceStatus       string           `xml:"ResourceStatus"`
	ResourceStatusReason string           `xml:"ResourceStatusReason,omitempty"`
	Metadata             string           `xml:"Metadata,omitempty"`
	DriftInformation     xmlResourceDrift `xml:"DriftInformation"`
}

type describeStackResourcesResult struct {
	StackResources []xmlStackResource `xml:"StackResources>member"`
}

func (e *Engine) describeStackResources(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	var s *stack
	physical := params.Get("PhysicalResourceId")
	switch {
	case params.Get("StackName") != "":
		var err error
		if s, err = e.stackParamLocked(params); err != nil {
			return nil, err
		}
	case physical != "":
		for _, candidate := range e.stacks {
			for _, r := range candidate.resources {
				if r.res.PhysicalID == physical {
					s = candidate
				}
			}
		}
		if s == nil {
			return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Stack for %s does not exist", physical)
		}
	default:
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "Either StackName or PhysicalResourceId must be specified.")
	}
	logical := params.Get("LogicalResourceId")
	out := describeStackResourcesResult{StackResources: []xmlStackResource{}}
	for _, r := range resourcesLocked(s) {
		if logical != "" && r.logicalID != logical || physical != "" && r.res.PhysicalID != physical {
			continue
		}
		out.StackResources = append(out.StackResources, xmlStackResource{StackName: s.name, StackID: s.id,
			LogicalResourceID: r.logicalID, PhysicalResourceID: r.res.PhysicalID, ResourceType: r.typ,
			Timestamp: timestamp(r.updated), ResourceStatus: r.status, ResourceStatusReason: r.reason,
			DriftInformation: xmlResourceDrift{"NOT_CHECKED"}})
	}
	return out, nil
}

type describeStackResourceResult struct {
	StackResourceDetail xmlStackResource `xml:"StackResourceDetail"`
}

func (e *Engine) describeStackResource(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stackParamLocked(params)
	if err != nil {
		return nil, err
	}
	logical := params.Get("LogicalResourceId")
	r, ok := s.resources[logical]
	if !ok {
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Resource %s does not exist for stack %s", logical, s.name)
	}
	metadata := ""
	if decl := s.tmpl.Resources[logical]; decl != nil && decl.Metadata != nil {
		metadata = describe(decl.Metadata)
	}
	return describeStackResourceResult{StackResourceDetail: xmlStackResource{StackName: s.name, StackID: s.id,
		LogicalResourceID: r.logicalID, PhysicalResourceID: r.res.PhysicalID, ResourceType: r.typ,
		LastUpdatedTimestamp: timestamp(r.updated), ResourceStatus: r.status, ResourceStatusReason: r.reason,
		Metadata: metadata, DriftInformation: xmlResourceDrift{"NOT_CHECKED"}}}, nil
}

type xmlEvent struct {
	StackID              string `xml:"StackId"`
	EventID              string `xml:"EventId"`
	StackName            string `xml:"StackName"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId"`
	ResourceType         string `xml:"ResourceType"`
	Timestamp            string `xml:"Timestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
	ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
}

type describeStackEventsResult struct {
	StackEvents []xmlEvent `xml:"StackEvents>member"`
}

// describeStackEvents lists a stack's events, newest first, as AWS does.
func (e *Engine) describeStackEvents(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stackParamLocked(params)
	if err != nil {
		return nil, err
	}
	out := describeStackEventsResult{StackEvents: []xmlEvent{}}
	for i := len(s.events) - 1; i >= 0; i-- {
		ev := s.events[i]
		out.StackEvents = append(out.StackEvents, xmlEvent{StackID: ev.StackID, EventID: ev.EventID, StackName: ev.StackName,
			LogicalResourceID: ev.LogicalResourceID, PhysicalResourceID: ev.PhysicalResourceID, ResourceType: ev.ResourceType,
			Timestamp: timestamp(ev.Timestamp), ResourceStatus: ev.ResourceStatus, ResourceStatusReason: ev.ResourceStatusReason})
	}
	return out, nil
}

// Events returns a stack's events, oldest first.
func (e *Engine) Events(stackName string) ([]Event, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.stackLocked(stackName)
	if !ok {
		return nil, stackNotFound(stackName)
	}
	return append([]Event(nil), s.events...), nil
}

type getTemplateResult struct {
	TemplateBody    string   `xml:"TemplateBody"`
	StagesAvailable []string `xml:"StagesAvailable>member"`
}

func (e *Engine) getTemplate(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stackParamLocked(params)
	if err != nil {
		return nil, err
	}
	return getTemplateResult{TemplateBody: string(s.templateBody), StagesAvailable: []string{"Original", "Processed"}}, nil
}

type createStackResult struct {
	StackID string `xml:"StackId"`
}

// createStack validates the template and deploys it in the background, as
// CreateStack returns before the stack is complete.
func (e *Engine) createStack(ctx context.Context, params url.Values) (any, error) {
	in, err := e.templateRequest(ctx, params, nil)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	_, exists := e.stacks[in.StackName]
	e.mu.Unlock()
	if exists {
		return nil, awsproto.Errorf("AlreadyExistsException", http.StatusBadRequest, "Stack [%s] already exists", in.StackName)
	}
	s, p, _, err := e.begin(in)
	if err != nil {
		return nil, err
	}
	e.background(ctx, func(ctx context.Context) { _, _ = e.runCreate(ctx, s, p) })
	return createStackResult{StackID: s.id}, nil
}

// deleteStack deletes in the background, as DeleteStack returns at once.
func (e *Engine) deleteStack(ctx context.Context, params url.Values) (any, error) {
	name := params.Get("StackName")
	e.mu.Lock()
	s, ok := e.lookupLocked(name)
	e.mu.Unlock()
	if ok {
		e.background(ctx, func(ctx context.Context) { _ = e.DeleteStack(ctx, s.name) })
	}
	return nil, nil
}

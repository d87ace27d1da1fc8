package cloudformation

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Change set statuses (API reference, DescribeChangeSet).
const (
	changeSetCreateComplete = "CREATE_COMPLETE"
	changeSetFailed         = "FAILED"
	executionAvailable      = "AVAILABLE"
	executionUnavailable    = "UNAVAILABLE"
	executionInProgress     = "EXECUTE_IN_PROGRESS"
	executionComplete       = "EXECUTE_COMPLETE"
	executionFailed         = "EXECUTE_FAILED"
	executionObsolete       = "OBSOLETE"
	// StatusReviewInProgress is a stack a CREATE change set made, which
	// has no resources until the change set is executed.
	StatusReviewInProgress = "REVIEW_IN_PROGRESS"
	// noChangesReason is what CloudFormation says of a change set that
	// changes nothing; `aws cloudformation deploy` reads it as "No changes
	// to deploy".
	noChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."
)

// changeSet is a computed set of changes to a stack, executed later.
// Its fields are guarded by Engine.mu.
type changeSet struct {
	name, id           string
	stackName, stackID string
	description        string
	created            time.Time
	status, reason     string
	executionStatus    string
	in                 TemplateInput
	params             []Parameter
	changes            []xmlResourceChangeItem
}

type xmlResourceChange struct {
	Action             string `xml:"Action"`
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string `xml:"ResourceType"`
	Replacement        string `xml:"Replacement,omitempty"`
}

type xmlResourceChangeItem struct {
	Type           string            `xml:"Type"`
	ResourceChange xmlResourceChange `xml:"ResourceChange"`
}

type createChangeSetResult struct {
	ID      string `xml:"Id"`
	StackID string `xml:"StackId"`
}

// createChangeSet computes the changes a template makes to a stack (or,
// with ChangeSetType CREATE, to a new stack, which waits in
// REVIEW_IN_PROGRESS). The change set is complete when the call returns.
func (e *Engine) createChangeSet(ctx context.Context, params url.Values) (any, error) {
	name, stackName := params.Get("ChangeSetName"), params.Get("StackName")
	if name == "" || stackName == "" {
		return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "1 validation error detected: Value null at 'changeSetName' or 'stackName' failed to satisfy constraint: Member must not be null")
	}
	typ := params.Get("ChangeSetType")
	if typ == "" {
		typ = "UPDATE"
	}
	e.mu.Lock()
	s, exists := e.lookupLocked(stackName)
	e.mu.Unlock()
	switch {
	case typ != "CREATE" && typ != "UPDATE":
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "ChangeSetType %s is not supported by the local cloud: use CREATE or UPDATE", typ)
	case typ == "UPDATE" && (!exists || s.status == StatusReviewInProgress):
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Stack [%s] does not exist", stackName)
	case typ == "CREATE" && exists && s.status != StatusReviewInProgress:
		return nil, awsproto.Errorf("ValidationError", http.StatusBadRequest, "Stack [%s] already exists and cannot be created again with the changeSet [%s].", stackName, name)
	}
	previous := s
	if typ == "CREATE" {
		previous = nil
	}
	in, err := e.templateRequest(ctx, params, previous)
	if err != nil {
		return nil, err
	}
	if exists {
		in.StackName = s.name
	}
	p, err := e.prepare(in)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !exists {
		s = &stack{name: in.StackName, id: newStackID(in.StackName), created: e.clk.Now(), status: StatusReviewInProgress,
			resources: map[string]*stackResource{}}
		e.stacks[s.name] = s
		e.eventLocked(s, s.name, s.id, stackResourceType, StatusReviewInProgress, stackUserInitiated)
	}
	cs := &changeSet{name: name, id: arn.New("cloudformation", "changeSet/"+name+"/"+awsproto.NewRequestID()),
		stackName: s.name, stackID: s.id, description: params.Get("Description"), created: e.clk.Now(),
		status: changeSetCreateComplete, executionStatus: executionAvailable, in: in, params: p.described}
	for _, old := range e.changeSets {
		if old.stackID == s.id && old.name == name {
			return nil, awsproto.Errorf("AlreadyExistsException", http.StatusBadRequest, "ChangeSet [%s] already exists", name)
		}
	}
	cs.changes = resourceChangesLocked(e, s, p)
	if len(cs.changes) == 0 && s.status != StatusReviewInProgress && reflect.DeepEqual(s.params, p.described) && string(s.templateBody) == string(in.Body) {
		cs.status, cs.reason, cs.executionStatus = changeSetFailed, noChangesReason, executionUnavailable
	}
	e.changeSets[cs.id] = cs
	return createChangeSetResult{ID: cs.id, StackID: s.id}, nil
}

// resourceChangesLocked lists what executing p would do to the stack's
// resources, comparing resource declarations. Must hold e.mu.
func resourceChangesLocked(e *Engine, s *stack, p *plan) []xmlResourceChangeItem {
	var out []xmlResourceChangeItem
	add := func(action, id, physical, typ, replacement string) {
		out = append(out, xmlResourceChangeItem{Type: "Resource", ResourceChange: xmlResourceChange{Action: action,
			LogicalResourceID: id, PhysicalResourceID: physical, ResourceType: typ, Replacement: replacement}})
	}
	for _, id := range sortedKeys(p.tmpl.Resources) {
		if !p.active[id] {
			continue
		}
		decl := p.tmpl.Resources[id]
		r := s.resources[id]
		switch {
		case r == nil || !r.exists:
			add("Add", id, "", decl.Type, "")
		case s.tmpl == nil || !reflect.DeepEqual(s.tmpl.Resources[id], decl):
			add("Modify", id, r.res.PhysicalID, decl.Type, e.replacementLocked(r.typ, decl.Type))
		}
	}
	for _, id := range sortedKeys(s.resources) {
		if r := s.resources[id]; r.exists && !p.active[id] {
			add("Remove", id, r.res.PhysicalID, r.typ, "")
		}
	}
	return out
}

// replacementLocked tells whether a modified resource is replaced: it is
// unless its owner updates in place. Must hold e.mu.
func (e *Engine) replacementLocked(oldType, newType string) string {
	if oldType != newType {
		return "True"
	}
	if isCustomType(newType) || newType == cdkMetadataType {
		return "False"
	}
	if _, ok := e.provisioners[newType].(Updater); ok {
		return "False"
	}
	return "True"
}

// changeSetLocked finds a change set by ARN, or by name and stack. Must
// hold e.mu.
func (e *Engine) changeSetLocked(params url.Values) (*changeSet, error) {
	name, stackName := params.Get("ChangeSetName"), params.Get("StackName")
	if cs, ok := e.changeSets[name]; ok {
		return cs, nil
	}
	for _, cs := range e.changeSets {
		if cs.name == name && (cs.stackName == stackName || cs.stackID == stackName) {
			return cs, nil
		}
	}
	return nil, awsproto.Errorf("ChangeSetNotFound", http.StatusNotFound, "ChangeSet [%s] does not exist", name)
}

type describeChangeSetResult struct {
	ChangeSetName   string                  `xml:"ChangeSetName"`
	ChangeSetID     string                  `xml:"ChangeSetId"`
	StackID         string                  `xml:"StackId"`
	StackName       string                  `xml:"StackName"`
	Description     string                  `xml:"Description,omitempty"`
	Parameters      []xmlParameter          `xml:"Parameters>member"`
	CreationTime    string                  `xml:"CreationTime"`
	ExecutionStatus string                  `xml:"ExecutionStatus"`
	Status          string                  `xml:"Status"`
	StatusReason    string                  `xml:"StatusReason,omitempty"`
	Changes         []xmlResourceChangeItem `xml:"Changes>member"`
}

func (e *Engine) describeChangeSet(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.changeSetLocked(params)
	if err != nil {
		return nil, err
	}
	out := describeChangeSetResult{ChangeSetName: cs.name, ChangeSetID: cs.id, StackID: cs.stackID, StackName: cs.stackName,
		Description: cs.description, CreationTime: timestamp(cs.created), ExecutionStatus: cs.executionStatus,
		Status: cs.status, StatusReason: cs.reason, Changes: cs.changes}
	for _, p := range cs.params {
		out.Parameters = append(out.Parameters, xmlParameter{ParameterKey: p.Key, ParameterValue: p.Value, ResolvedValue: p.ResolvedValue})
	}
	return out, nil
}

// executeChangeSet runs a change set's create or update in the
// background; the stack's other change sets become OBSOLETE.
func (e *Engine) executeChangeSet(ctx context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	cs, err := e.changeSetLocked(params)
	if err == nil && cs.executionStatus != executionAvailable {
		err = awsproto.Errorf("InvalidChangeSetStatus", http.StatusBadRequest,
			"ChangeSet [%s] cannot be executed in its current execution status of [%s]", cs.id, cs.executionStatus)
	}
	if err != nil {
		e.mu.Unlock()
		return nil, err
	}
	in := cs.in
	in.DisableRollback = params.Get("DisableRollback") == "true"
	e.mu.Unlock()
	s, p, update, err := e.begin(in)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	for _, other := range e.changeSets {
		if other.stackID == cs.stackID {
			other.executionStatus = executionObsolete
		}
	}
	cs.executionStatus = executionInProgress
	e.mu.Unlock()
	e.background(ctx, func(ctx context.Context) {
		var runErr error
		switch {
		case update != nil:
			_, runErr = e.runUpdate(ctx, s, p)
		case s.status == StatusCreateInProgress:
			_, runErr = e.runCreate(ctx, s, p)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		cs.executionStatus = executionComplete
		if runErr != nil {
			cs.executionStatus = executionFailed
		}
	})
	return struct{}{}, nil
}

// deleteChangeSet deletes a change set that has not been executed.
func (e *Engine) deleteChangeSet(_ context.Context, params url.Values) (any, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cs, err := e.changeSetLocked(params)
	if err != nil {
		return nil, err
	}
	if cs.executionStatus == executionInProgress {
		return nil, awsproto.Errorf("InvalidChangeSetStatus", http.StatusBadRequest,
			"ChangeSet [%s] cannot be deleted in its current execution status of [%s]", cs.id, cs.executionStatus)
	}
	delete(e.changeSets, cs.id)
	return struct{}{}, nil
}

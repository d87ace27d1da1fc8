package cloudformation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation/assembly"
)

// DeployOptions choose what Deploy deploys.
type DeployOptions struct {
	// StackName picks the assembly's stack (by stack name, artifact id or
	// display name); "" deploys the only one.
	StackName string
	// Parameters add to and override the manifest's parameter values.
	Parameters map[string]string
	// DisableRollback keeps a failed stack for inspection (CREATE_FAILED,
	// UPDATE_FAILED) instead of rolling it back.
	DisableRollback bool
	// Progress, when set, is told each time a resource is created or
	// updated: done of total resources the deployment goes through.
	Progress func(done, total int)
}

// StackResult is how a deployment ended.
type StackResult struct {
	StackName string
	StackID   string
	// Status is CREATE_COMPLETE or UPDATE_COMPLETE on success,
	// ROLLBACK_COMPLETE, ROLLBACK_FAILED, UPDATE_ROLLBACK_COMPLETE … on
	// failure.
	Status string
	// Reason is the stack's status reason ("The following resource(s)
	// failed to create: [X]. Rollback requested by user.").
	Reason string
	// Outputs by output key.
	Outputs map[string]string
	// PhysicalIDs of the stack's resources by logical id.
	PhysicalIDs map[string]string
}

// DeployError is returned, with the StackResult, when a deployment rolled
// back; FailedResources tells which resource failed and why.
type DeployError struct {
	Result          *StackResult
	FailedResources map[string]string
}

func (e *DeployError) Error() string {
	var parts []string
	for _, id := range sortedKeys(e.FailedResources) {
		parts = append(parts, id+": "+e.FailedResources[id])
	}
	return fmt.Sprintf("stack %s %s: %s (%s)", e.Result.StackName, e.Result.Status, e.Result.Reason, strings.Join(parts, "; "))
}

// Deploy deploys a stack of the CDK cloud assembly in assemblyDir: it
// creates the stack or, when a stack of that name exists, updates it. It
// returns when the stack is complete or rolled back; on rollback the
// error is a *DeployError and the result still describes the stack.
func (e *Engine) Deploy(ctx context.Context, assemblyDir string, opts DeployOptions) (*StackResult, error) {
	asm, err := assembly.Load(assemblyDir)
	if err != nil {
		return nil, err
	}
	st, err := asm.Stack(opts.StackName)
	if err != nil {
		return nil, err
	}
	params := map[string]string{}
	for k, v := range st.Parameters {
		params[k] = v
	}
	for k, v := range opts.Parameters {
		params[k] = v
	}
	return e.DeployTemplate(ctx, TemplateInput{StackName: st.Name, Body: st.Template, Parameters: params,
		AssemblyDir: asm.Dir, Assets: asm.Assets, DisableRollback: opts.DisableRollback, Progress: opts.Progress})
}

// DeployTemplate creates or updates a stack from a template.
func (e *Engine) DeployTemplate(ctx context.Context, in TemplateInput) (res *StackResult, err error) {
	e.tracked(ctx, "deployment of stack "+in.StackName, func(ctx context.Context) { res, err = e.deployTemplate(ctx, in) })
	return res, err
}

func (e *Engine) deployTemplate(ctx context.Context, in TemplateInput) (*StackResult, error) {
	s, p, update, err := e.begin(in)
	if err != nil {
		return nil, err
	}
	switch {
	case update != nil:
		return e.runUpdate(ctx, s, p)
	case s.status != StatusCreateInProgress:
		return e.result(s), nil
	}
	return e.runCreate(ctx, s, p)
}

// begin validates the template and claims the stack name: a new stack
// (CREATE_IN_PROGRESS), an update of a stack at rest (returned as update,
// already UPDATE_IN_PROGRESS), or the unchanged stack when the template
// and parameters are the same. A stack left in ROLLBACK_COMPLETE is
// replaced, as the CDK CLI deletes and recreates such a stack; one kept
// in UPDATE_FAILED (DisableRollback) can be updated again.
func (e *Engine) begin(in TemplateInput) (*stack, *plan, *stack, error) {
	p, err := e.prepare(in)
	if err != nil {
		return nil, nil, nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	id := newStackID(in.StackName)
	if old, ok := e.stacks[in.StackName]; ok {
		switch old.status {
		case StatusCreateComplete, StatusUpdateComplete, StatusUpdateRollbackComplete, StatusUpdateFailed:
			if old.status != StatusUpdateFailed && bytes.Equal(old.templateBody, in.Body) && reflect.DeepEqual(old.params, p.described) {
				// Nothing to change: the CDK CLI reports "no changes".
				return old, p, nil, nil
			}
			if p.in.AssemblyDir == "" {
				// An update through the API builds on the assembly the
				// stack was deployed from.
				p.in.AssemblyDir, p.in.Assets = old.assemblyDir, old.assets
			}
			old.status, old.updated, old.disableRollback = StatusUpdateInProgress, e.clk.Now(), in.DisableRollback
			e.eventLocked(old, old.name, old.id, stackResourceType, StatusUpdateInProgress, stackUserInitiated)
			return old, p, old, nil
		case StatusRollbackComplete:
			e.retireLocked(old)
		case StatusReviewInProgress:
			// A CREATE change set's stack: created now, keeping its id.
			id = old.id
		default:
			return nil, nil, nil, awsproto.Errorf("ValidationError", http.StatusBadRequest,
				"Stack:%s is in %s state and can not be updated.", old.id, old.status)
		}
	}
	now := e.clk.Now()
	s := &stack{name: in.StackName, id: id,
		description: p.tmpl.Description, created: now, templateBody: in.Body, tmpl: p.tmpl, params: p.described,
		resources: map[string]*stackResource{}, disableRollback: in.DisableRollback, assemblyDir: in.AssemblyDir, assets: in.Assets}
	e.stacks[s.name] = s
	s.status = StatusCreateInProgress
	e.eventLocked(s, s.name, s.id, stackResourceType, StatusCreateInProgress, stackUserInitiated)
	return s, p, nil, nil
}

// newStackID is a new stack's ARN.
func newStackID(name string) string {
	return arn.New("cloudformation", "stack/"+name+"/"+awsproto.NewRequestID())
}

// retireLocked moves a stack to the deleted list. Must hold e.mu.
func (e *Engine) retireLocked(s *stack) {
	delete(e.stacks, s.name)
	s.deletedAt = e.clk.Now()
	e.deleted = append(e.deleted, s)
}

func (e *Engine) runCreate(ctx context.Context, s *stack, p *plan) (*StackResult, error) {
	d := &deployment{e: e, s: s, p: p}
	failed := d.runGraph(ctx, p.order, d.counted(d.create))
	if len(failed) == 0 {
		outputs, err := d.outputs()
		if err == nil {
			e.mu.Lock()
			s.outputs = outputs
			e.mu.Unlock()
			e.setStackStatus(s, StatusCreateComplete, "")
			return e.result(s), nil
		}
		return e.rollbackCreate(ctx, s, err.Error(), nil)
	}
	reason := fmt.Sprintf("The following resource(s) failed to create: [%s]. ", strings.Join(failed, ", "))
	if p.in.DisableRollback {
		e.setStackStatus(s, StatusCreateFailed, reason)
		return e.result(s), e.deployError(s)
	}
	return e.rollbackCreate(ctx, s, reason+"Rollback requested by user.", failed)
}

// rollbackCreate deletes what a failed create made, newest first.
func (e *Engine) rollbackCreate(ctx context.Context, s *stack, reason string, failed []string) (*StackResult, error) {
	e.setStackStatus(s, StatusRollbackInProgress, reason)
	deleteFailed := e.deleteAll(ctx, s, failed)
	status := StatusRollbackComplete
	if len(deleteFailed) > 0 {
		status = StatusRollbackFailed
	}
	e.mu.Lock()
	e.eventLocked(s, s.name, s.id, stackResourceType, status, "")
	s.status, s.updated = status, e.clk.Now()
	e.mu.Unlock()
	return e.result(s), e.deployError(s)
}

// deployError describes a rolled-back stack's failed resources.
func (e *Engine) deployError(s *stack) error {
	res := e.result(s)
	failedResources := map[string]string{}
	e.mu.Lock()
	for _, ev := range s.events {
		if ev.ResourceType != stackResourceType && strings.HasSuffix(ev.ResourceStatus, "_FAILED") {
			failedResources[ev.LogicalResourceID] = ev.ResourceStatusReason
		}
	}
	e.mu.Unlock()
	return &DeployError{Result: res, FailedResources: failedResources}
}

// result snapshots a stack.
func (e *Engine) result(s *stack) *StackResult {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := &StackResult{StackName: s.name, StackID: s.id, Status: s.status, Reason: s.reason,
		Outputs: map[string]string{}, PhysicalIDs: map[string]string{}}
	for _, o := range s.outputs {
		r.Outputs[o.Key] = o.Value
	}
	for id, res := range s.resources {
		if res.exists {
			r.PhysicalIDs[id] = res.res.PhysicalID
		}
	}
	return r
}

// Outputs returns a stack's outputs by key.
func (e *Engine) Outputs(stackName string) (map[string]string, error) {
	e.mu.Lock()
	s, ok := e.stacks[stackName]
	e.mu.Unlock()
	if !ok {
		return nil, stackNotFound(stackName)
	}
	return e.result(s).Outputs, nil
}

func stackNotFound(name string) error {
	return awsproto.Errorf("ValidationError", http.StatusBadRequest, "Stack with id %s does not exist", name)
}

// deployment is one create or update run of a stack.
type deployment struct {
	e *Engine
	s *stack
	p *plan
}

// resolver returns a resolver over the stack's current resources.
func (d *deployment) resolver() *resolver {
	return &resolver{tmpl: d.p.tmpl, stackName: d.s.name, stackID: d.s.id, params: d.p.params, conditions: d.p.conds,
		resource: func(id string) (cfnresource.Resource, bool, bool) {
			d.e.mu.Lock()
			defer d.e.mu.Unlock()
			r, ok := d.s.resources[id]
			if !ok || !r.exists || !d.p.active[id] {
				return cfnresource.Resource{}, false, false
			}
			return r.res, isCustomType(r.typ), true
		}}
}

// request resolves a resource's properties.
func (d *deployment) request(id string) (cfnresource.Request, error) {
	decl := d.p.tmpl.Resources[id]
	req := cfnresource.Request{StackName: d.s.name, StackID: d.s.id, LogicalID: id, Type: decl.Type,
		Metadata: decl.Metadata, AssemblyDir: d.p.in.AssemblyDir, Assets: d.p.in.Assets, Properties: map[string]any{}}
	if decl.Properties != nil {
		v, err := d.resolver().resolve(decl.Properties, "Resources."+id+".Properties")
		if err != nil {
			return req, err
		}
		switch props := v.(type) {
		case map[string]any:
			req.Properties = props
		case noValue: // {"Ref": "AWS::NoValue"}: no properties
		default:
			return req, templateErrorf("Resources."+id+".Properties", "Template format error: Every Properties member must be an object")
		}
	}
	return req, nil
}

// create creates one resource, recording its events.
func (d *deployment) create(ctx context.Context, id string) error {
	decl := d.p.tmpl.Resources[id]
	r := &stackResource{logicalID: id, typ: decl.Type}
	d.e.mu.Lock()
	d.s.resources[id] = r
	d.e.mu.Unlock()
	d.e.setResourceStatus(d.s, r, StatusCreateInProgress, "")
	req, err := d.request(id)
	if err == nil {
		var res cfnresource.Resource
		res, err = d.provisionCreate(ctx, req)
		if err == nil {
			d.e.mu.Lock()
			r.req, r.res, r.exists = req, res, true
			r.native = d.p.nativeProviders[id]
			d.s.order = append(d.s.order, id)
			d.e.mu.Unlock()
			d.e.setResourceStatus(d.s, r, StatusCreateComplete, "")
			return nil
		}
	}
	var cf *customFailure
	if errors.As(err, &cf) && cf.physicalID != "" {
		d.e.mu.Lock()
		r.req, r.res, r.exists = req, cfnresource.Resource{PhysicalID: cf.physicalID}, true
		d.e.mu.Unlock()
	}
	d.e.setResourceStatus(d.s, r, StatusCreateFailed, err.Error())
	return err
}

// provisionCreate creates a resource with whatever owns its type.
func (d *deployment) provisionCreate(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	switch {
	case req.Type == cdkMetadataType:
		return cfnresource.Resource{PhysicalID: awsproto.NewRequestID()}, nil
	case isCustomType(req.Type):
		return d.e.customCreate(ctx, req)
	case d.p.nativeProviders[req.LogicalID]:
		return nativeProviderResource(req), nil
	}
	p, ok := d.e.provisioner(req.Type)
	if !ok {
		return cfnresource.Resource{}, unsupportedType(req)
	}
	res, err := p.Create(ctx, req)
	if err != nil {
		return cfnresource.Resource{}, handlerError{err}
	}
	if res.PhysicalID == "" {
		return cfnresource.Resource{}, fmt.Errorf("Resource handler returned no physical id for %s (%s)", req.LogicalID, req.Type)
	}
	return res, nil
}

// handlerError is a provisioner's failure, worded as CloudFormation
// reports a resource handler's.
type handlerError struct{ err error }

func (h handlerError) Error() string {
	return fmt.Sprintf("Resource handler returned message: %q", h.err.Error())
}

func (h handlerError) Unwrap() error { return h.err }

func unsupportedType(req cfnresource.Request) error {
	return fmt.Errorf("Resource type %s of resource %s is not supported by the local cloud", req.Type, req.LogicalID)
}

// outputs resolves the template's Outputs.
func (d *deployment) outputs() ([]Output, error) {
	r := d.resolver()
	var out []Output
	for _, k := range sortedKeys(d.p.tmpl.Outputs) {
		o := d.p.tmpl.Outputs[k]
		if o.Condition != "" && !d.p.conds[o.Condition] {
			continue
		}
		v, err := r.resolve(o.Value, "Outputs."+k+".Value")
		if err != nil {
			return nil, err
		}
		s, ok := scalarString(v)
		if !ok {
			if list, isList := v.([]any); isList {
				parts := make([]string, len(list))
				for i, e := range list {
					parts[i], _ = scalarString(e)
				}
				s, ok = strings.Join(parts, ","), true
			}
		}
		if !ok {
			return nil, templateErrorf("Outputs."+k+".Value", "Template format error: Every Outputs member must contain a Value object that is a String")
		}
		output := Output{Key: k, Value: s, Description: o.Description}
		if o.Export != nil {
			name, err := r.resolve(o.Export.Name, "Outputs."+k+".Export.Name")
			if err != nil {
				return nil, err
			}
			output.ExportName, _ = scalarString(name)
		}
		out = append(out, output)
	}
	return out, nil
}

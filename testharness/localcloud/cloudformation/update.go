package cloudformation

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// change is what an update did to one resource, kept to undo it.
type change struct {
	id string
	// created: the resource is new in this update (undo deletes it).
	created bool
	// oldReq is the request before the update, newReq the one the update
	// asked for (which a custom resource's rollback sends as its
	// OldResourceProperties).
	oldReq, newReq cfnresource.Request
	// replaced: the old resource was deleted and a new one created.
	replaced bool
	// failed: the update of this resource failed; gone: it failed after
	// its replacement had deleted the old resource, so nothing is left.
	failed, gone bool
}

// updateRun is one update of a stack.
type updateRun struct {
	*deployment
	// changes in the order they were made. Guarded by e.mu.
	changes []change
	// orphans are custom resources whose Update answered a new physical
	// id: the old one gets a Delete in the cleanup. Guarded by e.mu.
	orphans []stackResource
}

// runUpdate applies a changed template to a stack: new resources are
// created, resources whose resolved properties changed are updated
// (custom resources and provisioners that implement Updater) or replaced
// (delete, then create), and resources no longer in the template are
// deleted once everything else succeeded. A failure rolls the update back
// (see rollback.go), or, with DisableRollback, leaves the stack
// UPDATE_FAILED as it is.
func (e *Engine) runUpdate(ctx context.Context, s *stack, p *plan) (*StackResult, error) {
	u := &updateRun{deployment: &deployment{e: e, s: s, p: p}}
	failed := u.runGraph(ctx, p.order, u.counted(u.apply))
	var outputs []Output
	var err error
	if len(failed) == 0 {
		outputs, err = u.outputs()
	}
	if len(failed) > 0 || err != nil {
		reason := ""
		if err != nil {
			reason = err.Error()
		} else {
			reason = u.failureReason(failed)
		}
		if p.in.DisableRollback {
			e.setStackStatus(s, StatusUpdateFailed, reason)
			return e.result(s), e.deployError(s)
		}
		return e.rollbackUpdate(ctx, s, u.rollbackPlan(), reason)
	}
	e.setStackStatus(s, StatusUpdateCleanupInProgress, "")
	u.cleanup(ctx)
	e.mu.Lock()
	s.templateBody, s.tmpl, s.params, s.outputs, s.description = p.in.Body, p.tmpl, p.described, outputs, p.tmpl.Description
	s.assemblyDir, s.assets = p.in.AssemblyDir, p.in.Assets
	e.mu.Unlock()
	e.setStackStatus(s, StatusUpdateComplete, "")
	return e.result(s), nil
}

// failureReason words a failed update's stack status reason as
// CloudFormation does, naming the resources that failed to be created and
// those that failed to be updated.
func (u *updateRun) failureReason(failed []string) string {
	var created, updated []string
	u.e.mu.Lock()
	for _, id := range failed {
		if r := u.s.resources[id]; r != nil && r.status == StatusCreateFailed {
			created = append(created, id)
		} else {
			updated = append(updated, id)
		}
	}
	u.e.mu.Unlock()
	var b strings.Builder
	if len(created) > 0 {
		fmt.Fprintf(&b, "The following resource(s) failed to create: [%s]. ", strings.Join(created, ", "))
	}
	if len(updated) > 0 {
		fmt.Fprintf(&b, "The following resource(s) failed to update: [%s]. ", strings.Join(updated, ", "))
	}
	return b.String()
}

// apply brings one resource to the new template.
func (u *updateRun) apply(ctx context.Context, id string) error {
	e, s := u.e, u.s
	decl := u.p.tmpl.Resources[id]
	e.mu.Lock()
	r := s.resources[id]
	existed := r != nil && r.exists
	var old stackResource
	if existed {
		old = *r
	}
	e.mu.Unlock()
	if existed && r.typ != decl.Type {
		if err := e.provisionDelete(ctx, s, r); err != nil {
			e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
			return err
		}
		u.forget(id)
		existed = false
	}
	if !existed {
		if err := u.create(ctx, id); err != nil {
			return err
		}
		u.record(change{id: id, created: true})
		return nil
	}
	req, err := u.request(id)
	if err != nil {
		e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
		return err
	}
	if reflect.DeepEqual(req.Properties, old.req.Properties) && reflect.DeepEqual(req.Metadata, old.req.Metadata) {
		return nil
	}
	e.setResourceStatus(s, r, StatusUpdateInProgress, "")
	res, replaced, err := u.provisionUpdate(ctx, req, &old)
	if err != nil {
		// The resource that failed is rolled back too, as CloudFormation
		// does: a custom resource gets an Update with its old properties.
		u.record(change{id: id, oldReq: old.req, newReq: req, replaced: replaced, failed: true, gone: replaced})
		e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
		return err
	}
	u.record(change{id: id, oldReq: old.req, newReq: req, replaced: replaced})
	e.mu.Lock()
	r.req, r.res = req, res
	if replaced {
		s.order = append(slices.DeleteFunc(s.order, func(o string) bool { return o == id }), id)
	}
	if isCustomType(r.typ) && res.PhysicalID != old.res.PhysicalID {
		u.orphans = append(u.orphans, old)
	}
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusUpdateComplete, "")
	return nil
}

// provisionUpdate changes a resource in place where its owner can,
// otherwise replaces it. replaced with an error means the old resource
// was deleted and its replacement could not be created.
func (u *updateRun) provisionUpdate(ctx context.Context, req cfnresource.Request, old *stackResource) (cfnresource.Resource, bool, error) {
	switch {
	case req.Type == cdkMetadataType || old.native:
		return old.res, false, nil
	case isCustomType(req.Type):
		res, err := u.e.customUpdate(ctx, req, old.req, old.res)
		return res, false, err
	}
	p, ok := u.e.provisioner(req.Type)
	if !ok {
		return cfnresource.Resource{}, false, unsupportedType(req)
	}
	if up, ok := p.(Updater); ok {
		res, err := up.Update(ctx, req, old.req, old.res)
		if err != nil {
			return cfnresource.Resource{}, false, handlerError{err}
		}
		return res, false, nil
	}
	if err := p.Delete(ctx, old.req, old.res); err != nil {
		return cfnresource.Resource{}, false, handlerError{err}
	}
	res, err := u.provisionCreate(ctx, req)
	return res, true, err
}

func (u *updateRun) record(c change) {
	u.e.mu.Lock()
	defer u.e.mu.Unlock()
	u.changes = append(u.changes, c)
}

// forget drops a resource from the stack's records.
func (u *updateRun) forget(id string) { u.e.forget(u.s, id) }

// forget drops a resource from a stack's records.
func (e *Engine) forget(s *stack, id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(s.resources, id)
	s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id })
}

// cleanup deletes the resources the new template no longer has, newest
// first, and the old physical resources of replaced custom resources.
func (u *updateRun) cleanup(ctx context.Context) {
	e, s := u.e, u.s
	e.mu.Lock()
	var removed []*stackResource
	for i := len(s.order) - 1; i >= 0; i-- {
		if id := s.order[i]; !u.p.active[id] {
			removed = append(removed, s.resources[id])
		}
	}
	orphans := slices.Clone(u.orphans)
	e.mu.Unlock()
	for _, o := range orphans {
		// An orphaned custom resource's Delete failing does not fail the
		// update, as on AWS; its event says so.
		if err := e.customDelete(ctx, o.req, o.res); err != nil {
			e.mu.Lock()
			e.eventLocked(s, o.logicalID, o.res.PhysicalID, o.typ, StatusDeleteFailed, err.Error())
			e.mu.Unlock()
		}
	}
	for _, r := range removed {
		if err := e.deleteResource(ctx, s, r); err == nil {
			u.forget(r.logicalID)
		}
	}
}

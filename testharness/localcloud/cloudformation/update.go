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
	oldReq  cfnresource.Request
	// replaced: the old resource was deleted and a new one created.
	replaced bool
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
// deleted once everything else succeeded. A failure undoes the changes in
// reverse and leaves the stack UPDATE_ROLLBACK_COMPLETE.
func (e *Engine) runUpdate(ctx context.Context, s *stack, p *plan) (*StackResult, error) {
	u := &updateRun{deployment: &deployment{e: e, s: s, p: p}}
	failed := u.runGraph(ctx, p.order, u.apply)
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
			reason = fmt.Sprintf("The following resource(s) failed to update: [%s]. ", strings.Join(failed, ", "))
		}
		return u.rollback(ctx, reason)
	}
	e.setStackStatus(s, StatusUpdateCleanupInProgress, "")
	u.cleanup(ctx)
	e.mu.Lock()
	s.templateBody, s.tmpl, s.params, s.outputs, s.description = p.in.Body, p.tmpl, p.described, outputs, p.tmpl.Description
	e.mu.Unlock()
	e.setStackStatus(s, StatusUpdateComplete, "")
	return e.result(s), nil
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
		e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
		return err
	}
	u.record(change{id: id, oldReq: old.req, replaced: replaced})
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
// otherwise replaces it.
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
func (u *updateRun) forget(id string) {
	u.e.mu.Lock()
	defer u.e.mu.Unlock()
	delete(u.s.resources, id)
	u.s.order = slices.DeleteFunc(u.s.order, func(o string) bool { return o == id })
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

// rollback undoes an update's changes, newest first.
func (u *updateRun) rollback(ctx context.Context, reason string) (*StackResult, error) {
	e, s := u.e, u.s
	e.setStackStatus(s, StatusUpdateRollbackInProgress, reason)
	e.mu.Lock()
	changes := slices.Clone(u.changes)
	var failedCreates []string
	for _, id := range u.p.order {
		if r := s.resources[id]; r != nil && r.status == StatusCreateFailed {
			failedCreates = append(failedCreates, id)
		}
	}
	e.mu.Unlock()
	ok := true
	for _, id := range failedCreates {
		if err := u.undoCreate(ctx, id); err != nil {
			ok = false
		}
	}
	for i := len(changes) - 1; i >= 0; i-- {
		c := changes[i]
		var err error
		if c.created {
			err = u.undoCreate(ctx, c.id)
		} else {
			err = u.revert(ctx, c)
		}
		if err != nil {
			ok = false
		}
	}
	status := StatusUpdateRollbackComplete
	if !ok {
		status = StatusUpdateRollbackFailed
	}
	e.mu.Lock()
	s.status, s.updated = status, e.clk.Now()
	e.eventLocked(s, s.name, s.id, stackResourceType, status, "")
	e.mu.Unlock()
	return e.result(s), e.deployError(s)
}

func (u *updateRun) undoCreate(ctx context.Context, id string) error {
	u.e.mu.Lock()
	r := u.s.resources[id]
	u.e.mu.Unlock()
	if r == nil {
		return nil
	}
	u.e.mu.Lock()
	exists := r.exists
	u.e.mu.Unlock()
	if !exists {
		u.e.setResourceStatus(u.s, r, StatusDeleteComplete, "")
		u.forget(id)
		return nil
	}
	if err := u.e.deleteResource(ctx, u.s, r); err != nil {
		return err
	}
	u.forget(id)
	return nil
}

// revert puts a changed resource back to its old properties.
func (u *updateRun) revert(ctx context.Context, c change) error {
	e, s := u.e, u.s
	e.mu.Lock()
	r := s.resources[c.id]
	current := *r
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusUpdateInProgress, "")
	var res cfnresource.Resource
	var err error
	switch {
	case isCustomType(r.typ):
		res, err = e.customUpdate(ctx, c.oldReq, current.req, current.res)
	default:
		if p, ok := e.provisioner(r.typ); ok {
			if up, isUpdater := p.(Updater); isUpdater && !c.replaced {
				res, err = up.Update(ctx, c.oldReq, current.req, current.res)
			} else if err = p.Delete(ctx, current.req, current.res); err == nil {
				res, err = p.Create(ctx, c.oldReq)
			}
		}
	}
	if err != nil {
		e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
		return err
	}
	e.mu.Lock()
	r.req, r.res = c.oldReq, res
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusUpdateComplete, "")
	return nil
}

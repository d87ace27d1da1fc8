package cloudformation

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// skippedReason is the status reason of a resource ContinueUpdateRollback
// skips, as CloudFormation words it.
const skippedReason = "Resource skipped during UPDATE_ROLLBACK"

// rollbackPlan is what undoing a failed update takes. It stays on the
// stack while the stack is UPDATE_ROLLBACK_FAILED, so that
// ContinueUpdateRollback resumes where the rollback stopped.
type rollbackPlan struct {
	// reverts put resources back to their old properties: those whose
	// update failed first (they were the last to start, so nothing
	// depends on them), then the other changes in the order they were
	// made. CloudFormation reverts those in reverse dependency order,
	// pointing dependents back at the old physical resources it kept until
	// the cleanup; the local engine deleted a replaced resource before
	// creating its replacement, so it restores dependencies first and
	// resolves each dependent's old properties against them.
	reverts []change
	// previous resolves the previous template's properties against the
	// stack's resources as they are when a revert runs; nil when that
	// template cannot be prepared again (then the recorded old requests
	// are used).
	previous *deployment
	// cleanup are the resources the failed update created, deleted
	// newest first once every revert succeeded
	// (UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS).
	cleanup []string
}

// rollbackPlan lists what undoes the update's changes.
func (u *updateRun) rollbackPlan() *rollbackPlan {
	u.e.mu.Lock()
	defer u.e.mu.Unlock()
	rp := &rollbackPlan{}
	for _, id := range u.p.order {
		if r := u.s.resources[id]; r != nil && r.status == StatusCreateFailed {
			rp.cleanup = append(rp.cleanup, id)
		}
	}
	for i := len(u.changes) - 1; i >= 0; i-- {
		if c := u.changes[i]; c.failed {
			rp.reverts = append(rp.reverts, c)
		}
	}
	for _, c := range u.changes {
		if !c.failed && !c.created {
			rp.reverts = append(rp.reverts, c)
		}
	}
	for i := len(u.changes) - 1; i >= 0; i-- {
		if c := u.changes[i]; c.created && !c.failed {
			rp.cleanup = append(rp.cleanup, c.id)
		}
	}
	in := TemplateInput{StackName: u.s.name, Body: u.s.templateBody, Parameters: map[string]string{},
		AssemblyDir: u.s.assemblyDir, Assets: u.s.assets}
	for _, p := range u.s.params {
		in.Parameters[p.Key] = p.Value
	}
	if p, err := u.e.prepare(in); err == nil {
		rp.previous = &deployment{e: u.e, s: u.s, p: p}
	}
	return rp
}

// rollbackUpdate rolls a failed update back, as CloudFormation does:
// every resource the update changed, the failed one included, is updated
// back to its old properties (a custom resource gets an Update request
// whose ResourceProperties are the old ones and OldResourceProperties the
// failed ones), then the resources the update created are deleted. A
// revert that fails stops the rollback in UPDATE_ROLLBACK_FAILED.
func (e *Engine) rollbackUpdate(ctx context.Context, s *stack, rp *rollbackPlan, reason string) (*StackResult, error) {
	e.setStackStatus(s, StatusUpdateRollbackInProgress, reason)
	return e.runRollback(ctx, s, rp)
}

// runRollback runs what is left of a rollback plan.
func (e *Engine) runRollback(ctx context.Context, s *stack, rp *rollbackPlan) (*StackResult, error) {
	for len(rp.reverts) > 0 {
		c := rp.reverts[0]
		if rp.previous != nil {
			if req, err := rp.previous.request(c.id); err == nil {
				c.oldReq = req
			}
		}
		if err := e.revert(ctx, s, c); err != nil {
			e.mu.Lock()
			s.rollback = rp
			e.mu.Unlock()
			e.setStackStatus(s, StatusUpdateRollbackFailed, fmt.Sprintf("The following resource(s) failed to update: [%s]. ", c.id))
			return e.result(s), e.deployError(s)
		}
		rp.reverts = rp.reverts[1:]
	}
	e.mu.Lock()
	s.rollback = nil
	e.mu.Unlock()
	e.setStackStatusKeepingReason(s, StatusUpdateRollbackCleanupInProgress)
	for _, id := range rp.cleanup {
		// A resource that cannot be deleted here keeps its DELETE_FAILED
		// event; the rollback itself has succeeded, as on AWS.
		_ = e.undoCreate(ctx, s, id)
	}
	e.setStackStatusKeepingReason(s, StatusUpdateRollbackComplete)
	return e.result(s), e.deployError(s)
}

// undoCreate deletes a resource the failed update created.
func (e *Engine) undoCreate(ctx context.Context, s *stack, id string) error {
	e.mu.Lock()
	r := s.resources[id]
	exists := r != nil && r.exists
	e.mu.Unlock()
	switch {
	case r == nil:
		return nil
	case !exists:
		e.setResourceStatus(s, r, StatusDeleteComplete, "")
	default:
		if err := e.deleteResource(ctx, s, r); err != nil {
			return err
		}
	}
	e.forget(s, id)
	return nil
}

// revert puts a resource the update changed back to its old properties.
func (e *Engine) revert(ctx context.Context, s *stack, c change) error {
	e.mu.Lock()
	r := s.resources[c.id]
	if r == nil {
		e.mu.Unlock()
		return nil
	}
	current := *r
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusUpdateInProgress, "")
	res, err := e.provisionRevert(ctx, c, current)
	if err != nil {
		e.setResourceStatus(s, r, StatusUpdateFailed, err.Error())
		return err
	}
	e.mu.Lock()
	r.req, r.res, r.exists = c.oldReq, res, true
	if !slices.Contains(s.order, c.id) {
		s.order = append(s.order, c.id)
	}
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusUpdateComplete, "")
	return nil
}

// provisionRevert asks whatever owns the resource's type to bring it back
// to the old request.
func (e *Engine) provisionRevert(ctx context.Context, c change, current stackResource) (res cfnresource.Resource, err error) {
	switch {
	case current.typ == cdkMetadataType || current.native:
		return current.res, nil
	case isCustomType(current.typ):
		return e.customUpdate(ctx, c.oldReq, c.newReq, current.res)
	}
	p, ok := e.provisioner(current.typ)
	if !ok {
		return cfnresource.Resource{}, unsupportedType(c.oldReq)
	}
	up, isUpdater := p.(Updater)
	switch {
	case c.gone:
		res, err = p.Create(ctx, c.oldReq)
	case isUpdater && !c.replaced:
		res, err = up.Update(ctx, c.oldReq, c.newReq, current.res)
	case c.failed:
		// The replacement failed to delete the old resource: it is as it was.
		return current.res, nil
	default:
		if err = p.Delete(ctx, current.req, current.res); err == nil {
			res, err = p.Create(ctx, c.oldReq)
		}
	}
	if err != nil {
		return cfnresource.Resource{}, handlerError{err}
	}
	return res, nil
}

// ContinueUpdateRollback resumes the rollback of a stack in
// UPDATE_ROLLBACK_FAILED, first marking the resources of skip (whose
// rollback failed) UPDATE_COMPLETE without touching them, as
// CloudFormation's ContinueUpdateRollback with ResourcesToSkip does. It
// returns when the rollback has ended.
func (e *Engine) ContinueUpdateRollback(ctx context.Context, stackName string, skip []string) (res *StackResult, err error) {
	s, rp, err := e.beginContinue(stackName, skip)
	if err != nil {
		return nil, err
	}
	e.tracked(ctx, "rollback of stack "+stackName, func(ctx context.Context) { res, err = e.runRollback(ctx, s, rp) })
	return res, err
}

// beginContinue checks a ContinueUpdateRollback request and moves the
// stack back to UPDATE_ROLLBACK_IN_PROGRESS, skipping what it names.
func (e *Engine) beginContinue(stackName string, skip []string) (*stack, *rollbackPlan, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, ok := e.lookupLocked(stackName)
	if !ok {
		return nil, nil, stackNotFound(stackName)
	}
	if s.status != StatusUpdateRollbackFailed || s.rollback == nil {
		return nil, nil, awsproto.Errorf("ValidationError", http.StatusBadRequest,
			"Stack:%s is in %s state and can not continue to roll back.", s.id, s.status)
	}
	rp := s.rollback
	failedRevert := map[string]bool{}
	for _, c := range rp.reverts {
		if r := s.resources[c.id]; r != nil && r.status == StatusUpdateFailed {
			failedRevert[c.id] = true
		}
	}
	var invalid []string
	for _, id := range skip {
		if !failedRevert[id] {
			invalid = append(invalid, id)
		}
	}
	if len(invalid) > 0 {
		// ResourcesToSkip: "You can specify only resources that are in the
		// UPDATE_FAILED state because a rollback failed" (API reference).
		return nil, nil, awsproto.Errorf("ValidationError", http.StatusBadRequest,
			"Resources [%s] cannot be skipped: only resources whose rollback failed (UPDATE_FAILED) can be skipped.", strings.Join(invalid, ", "))
	}
	s.rollback = nil
	s.status, s.reason, s.updated = StatusUpdateRollbackInProgress, stackUserInitiated, e.clk.Now()
	e.eventLocked(s, s.name, s.id, stackResourceType, StatusUpdateRollbackInProgress, stackUserInitiated)
	kept := rp.reverts[:0]
	for _, c := range rp.reverts {
		if !slices.Contains(skip, c.id) {
			kept = append(kept, c)
			continue
		}
		r := s.resources[c.id]
		r.req = c.oldReq
		r.status, r.reason, r.updated = StatusUpdateComplete, skippedReason, e.clk.Now()
		e.eventLocked(s, r.logicalID, r.res.PhysicalID, r.typ, StatusUpdateComplete, skippedReason)
	}
	rp.reverts = kept
	return s, rp, nil
}

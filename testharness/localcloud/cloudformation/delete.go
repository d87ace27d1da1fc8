package cloudformation

import (
	"context"
	"fmt"
	"strings"
)

// DeleteStack deletes a stack's resources, newest first, and the stack.
// Deleting a stack that does not exist succeeds, as on AWS.
func (e *Engine) DeleteStack(ctx context.Context, name string) (err error) {
	e.tracked(ctx, "deletion of stack "+name, func(ctx context.Context) { err = e.runDelete(ctx, name) })
	return err
}

func (e *Engine) runDelete(ctx context.Context, name string) error {
	e.mu.Lock()
	s, ok := e.lookupLocked(name)
	if ok && strings.HasSuffix(s.status, "_IN_PROGRESS") && s.status != StatusReviewInProgress {
		e.mu.Unlock()
		return fmt.Errorf("stack %s is in %s state and can not be deleted", s.name, s.status)
	}
	e.mu.Unlock()
	if !ok {
		return nil
	}
	e.setStackStatus(s, StatusDeleteInProgress, stackUserInitiated)
	if failed := e.deleteAll(ctx, s, nil); len(failed) > 0 {
		reason := fmt.Sprintf("The following resource(s) failed to delete: [%s]. ", strings.Join(failed, ", "))
		e.setStackStatus(s, StatusDeleteFailed, reason)
		return fmt.Errorf("delete stack %s: %s", s.name, reason)
	}
	e.setStackStatus(s, StatusDeleteComplete, "")
	e.mu.Lock()
	e.retireLocked(s)
	e.mu.Unlock()
	return nil
}

// lookupLocked finds a live stack by name or stack id. Must hold e.mu.
func (e *Engine) lookupLocked(nameOrID string) (*stack, bool) {
	if s, ok := e.stacks[nameOrID]; ok {
		return s, true
	}
	for _, s := range e.stacks {
		if s.id == nameOrID {
			return s, true
		}
	}
	return nil, false
}

// deleteAll deletes the stack's existing resources: first those of
// failed (the resources whose create just failed but left something, such
// as a custom resource that answered FAILED), then the rest newest first.
// Resources that failed without leaving anything get DELETE_COMPLETE, as
// CloudFormation reports them during a rollback. It returns the
// resources that failed to delete.
func (e *Engine) deleteAll(ctx context.Context, s *stack, failed []string) []string {
	e.mu.Lock()
	order := append([]string(nil), failed...)
	for i := len(s.order) - 1; i >= 0; i-- {
		order = append(order, s.order[i])
	}
	e.mu.Unlock()
	var deleteFailed []string
	seen := map[string]bool{}
	for _, id := range order {
		if seen[id] {
			continue
		}
		seen[id] = true
		e.mu.Lock()
		r := s.resources[id]
		exists := r != nil && r.exists
		e.mu.Unlock()
		if r == nil {
			continue
		}
		if !exists {
			e.setResourceStatus(s, r, StatusDeleteComplete, "")
			continue
		}
		if err := e.deleteResource(ctx, s, r); err != nil {
			deleteFailed = append(deleteFailed, id)
		}
	}
	return deleteFailed
}

// deleteResource deletes one resource, honouring DeletionPolicy Retain.
func (e *Engine) deleteResource(ctx context.Context, s *stack, r *stackResource) error {
	e.mu.Lock()
	policy := ""
	if decl := s.tmpl.Resources[r.logicalID]; decl != nil && decl.Type == r.typ {
		policy = decl.DeletionPolicy
	}
	e.mu.Unlock()
	if policy == "Retain" || policy == "RetainExceptOnCreate" && s.status != StatusRollbackInProgress {
		e.mu.Lock()
		r.exists = false
		e.mu.Unlock()
		e.setResourceStatus(s, r, StatusDeleteSkipped, "")
		return nil
	}
	e.setResourceStatus(s, r, StatusDeleteInProgress, "")
	if err := e.provisionDelete(ctx, s, r); err != nil {
		e.setResourceStatus(s, r, StatusDeleteFailed, err.Error())
		return err
	}
	e.mu.Lock()
	r.exists = false
	e.mu.Unlock()
	e.setResourceStatus(s, r, StatusDeleteComplete, "")
	return nil
}

// provisionDelete deletes a resource with whatever owns its type.
func (e *Engine) provisionDelete(ctx context.Context, s *stack, r *stackResource) error {
	e.mu.Lock()
	req, res, native := r.req, r.res, r.native
	e.mu.Unlock()
	switch {
	case r.typ == cdkMetadataType:
		return nil
	case isCustomType(r.typ):
		return e.customDelete(ctx, req, res)
	case native:
		return nil
	}
	p, ok := e.provisioner(r.typ)
	if !ok {
		return unsupportedType(req)
	}
	if err := p.Delete(ctx, req, res); err != nil {
		return handlerError{err}
	}
	return nil
}

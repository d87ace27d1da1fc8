package cloudformation

import (
	"context"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
)

// A stack operation is work in progress for the cloud's activity tracker
// (Options.Activity), so the cloud has not settled while a stack is being
// created, updated, rolled back or deleted, and virtual time does not jump
// under it. Its resources are each work of their own while they are
// provisioned; the operation is paused while it waits for them, and a
// custom resource's work is paused while CloudFormation waits for its
// response (the function it invoked and whatever that starts are tracked
// on their own — the deploy-time test run among them).

type workKey struct{}

// withWork returns ctx carrying the work of the operation or resource
// that runs in it.
func withWork(ctx context.Context, w *activity.Work) context.Context {
	return context.WithValue(ctx, workKey{}, w)
}

// workIn returns the work withWork put in ctx, or nil.
func workIn(ctx context.Context) *activity.Work {
	w, _ := ctx.Value(workKey{}).(*activity.Work)
	return w
}

// tracked runs a stack operation as work in progress, unless ctx already
// carries one (an operation the API began before answering).
func (e *Engine) tracked(ctx context.Context, what string, op func(context.Context)) {
	if workIn(ctx) != nil {
		op(ctx)
		return
	}
	w := e.opts.Activity.Begin(ctx, "cloudformation "+what)
	defer w.Done()
	op(withWork(ctx, w))
}

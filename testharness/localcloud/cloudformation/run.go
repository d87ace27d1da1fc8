package cloudformation

import (
	"context"
	"sort"
	"sync"

	"github.com/tracebridge/tracebridge/testharness/localcloud/activity"
)

// counted wraps a resource step of runGraph so that each success is
// reported to the deployment's Progress (TemplateInput.Progress), first
// with none done.
func (d *deployment) counted(do func(context.Context, string) error) func(context.Context, string) error {
	report := d.p.in.Progress
	if report == nil {
		return do
	}
	total := len(d.p.order)
	report(0, total)
	var mu sync.Mutex
	done := 0
	return func(ctx context.Context, id string) error {
		if err := do(ctx, id); err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		report(done, total)
		return nil
	}
}

// runGraph runs do for the resources ids in dependency order (a resource
// starts when everything it depends on within ids succeeded), up to
// Options.Concurrency at once, ready resources started in logical-id
// order. After the first failure it starts nothing new and waits for the
// running ones. It returns the failed resources in the order they failed.
func (d *deployment) runGraph(ctx context.Context, ids []string, do func(context.Context, string) error) []string {
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	var ready []string
	for _, id := range ids {
		for _, dep := range d.p.deps[id] {
			if in[dep] {
				waiting[id]++
				dependents[dep] = append(dependents[dep], id)
			}
		}
		if waiting[id] == 0 {
			ready = append(ready, id)
		}
	}
	type result struct {
		id  string
		err error
	}
	results := make(chan result, len(ids))
	var failed []string
	running := 0
	// The operation's work pauses while it waits for its resources, each
	// work of its own, which resumes the operation before it ends.
	op := workIn(ctx)
	if op == nil {
		op = d.e.opts.Activity.Begin(ctx, "cloudformation deployment")
		defer op.Done()
	}
	for {
		sort.Strings(ready)
		for len(failed) == 0 && len(ready) > 0 && running < d.e.opts.Concurrency {
			id := ready[0]
			ready = ready[1:]
			running++
			w := d.e.opts.Activity.Begin(ctx, "cloudformation resource "+id)
			go func() {
				err := do(withWork(ctx, w), id)
				op.Resume()
				results <- result{id, err}
				w.Done()
			}()
		}
		if running == 0 {
			return failed
		}
		r := activity.Receive(op, results)
		running--
		if r.err != nil {
			failed = append(failed, r.id)
			continue
		}
		for _, next := range dependents[r.id] {
			waiting[next]--
			if waiting[next] == 0 {
				ready = append(ready, next)
			}
		}
	}
}

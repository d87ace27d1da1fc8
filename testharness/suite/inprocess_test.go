package suite_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// An in-process runner of the suite against the local cloud: what the
// state machine does, step by step, but driven from Go so each step's
// outcome can be asserted — Act; the completion event, seen on the app bus
// (cloud.EventBridge.Subscribe); Assert, retried while the trace is
// incomplete, woken by every new X-Ray segment or audit log event; Cleanup.

// withoutDeployTimeRun copies an assembly without the deploy-time check
// (Custom::TestRun), so that deploying it runs no tests by itself, and
// applies edit, if any, to the copy.
func withoutDeployTimeRun(t testing.TB, edit func(assemblyedit.Template)) string {
	t.Helper()
	return assemblyedit.Copy(t, assemblyDir, func(tmpl assemblyedit.Template) {
		for id, r := range tmpl.Resources() {
			if body, _ := r.(map[string]any); body["Type"] == "Custom::TestRun" {
				delete(tmpl.Resources(), id)
			}
		}
		if edit != nil {
			edit(tmpl)
		}
	})
}

type localApp struct {
	cloud *localcloud.Cloud
	env   *testharness.Env

	mu     sync.Mutex
	events []envelope
	wake   []chan struct{} // one per waiter; poked on every bus event
}

type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

func deploy(t testing.TB, dir string) *localApp {
	t.Helper()
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, dir)
	if err != nil {
		t.Fatalf("deploy %s: %v", dir, err)
	}
	cfg, err := testharness.LocalConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	a := &localApp{cloud: cloud, env: testharness.NewEnv(cfg, stack.Outputs)}
	bus, err := a.env.Output(schemas.OutputEventBusName)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cloud.EventBridge.Subscribe(bus, func(raw []byte) {
		var e envelope
		if json.Unmarshal(raw, &e) != nil {
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		a.events = append(a.events, e)
		for _, w := range a.wake {
			select {
			case w <- struct{}{}:
			default:
			}
		}
	}))
	return a
}

// completion waits for the first app event for correlationID of a
// detail-type test awaits, or the test's deadline.
func (a *localApp) completion(ctx context.Context, test testharness.Test, correlationID string) (testharness.Completion, error) {
	wake := make(chan struct{}, 1)
	a.mu.Lock()
	a.wake = append(a.wake, wake)
	a.mu.Unlock()
	deadline := time.NewTimer(test.Deadline)
	defer deadline.Stop()
	for seen := 0; ; {
		a.mu.Lock()
		events := a.events[seen:]
		seen = len(a.events)
		a.mu.Unlock()
		for _, e := range events {
			var d struct {
				CorrelationID string `json:"correlationId"`
				Reason        string `json:"reason"`
			}
			_ = json.Unmarshal(e.Detail, &d)
			if e.Source != schemas.AppEventSource || d.CorrelationID != correlationID {
				continue
			}
			switch {
			case slices.Contains(test.Await.Success, e.DetailType):
				return testharness.Completion{DetailType: e.DetailType, Detail: e.Detail}, nil
			case slices.Contains(test.Await.Failure, e.DetailType):
				return testharness.Completion{}, fmt.Errorf("failure event %s: %s", e.DetailType, d.Reason)
			}
		}
		select {
		case <-wake:
		case <-deadline.C:
			return testharness.Completion{}, fmt.Errorf("no completion event (%v) for correlation id %s within %s", test.Await.Success, correlationID, test.Deadline)
		case <-ctx.Done():
			return testharness.Completion{}, ctx.Err()
		}
	}
}

// assert runs Assert until it passes or fails for good, re-running it on
// every new X-Ray segment or audit log event while the trace is
// incomplete.
func (a *localApp) assert(ctx context.Context, test testharness.Test, run testharness.Run, done testharness.Completion) error {
	wake := make(chan struct{}, 1)
	poke := func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}
	defer a.cloud.XRay.OnSegment(func(string) { poke() })()
	group, _ := a.env.Output(schemas.OutputAuditLogGroupName)
	defer a.cloud.Logs.Subscribe(group, func(logs.Event) { poke() })()
	giveUp := time.NewTimer(30 * time.Second)
	defer giveUp.Stop()
	for {
		err := test.Assert(ctx, a.env, run, done)
		if !errors.Is(err, testharness.ErrTraceIncomplete) {
			return err
		}
		select {
		case <-wake:
		case <-giveUp.C:
			return fmt.Errorf("still incomplete after 30s: %w", err)
		}
	}
}

// run runs one test to its Result, as the state machine's branch would.
func (a *localApp) run(ctx context.Context, test testharness.Test) testharness.Result {
	start := time.Now()
	res := testharness.Result{Name: test.Name}
	run, err := test.Act(ctx, a.env)
	if err == nil {
		var done testharness.Completion
		if done, err = a.completion(ctx, test, run.CorrelationID); err == nil {
			if err = a.assert(ctx, test, run, done); err != nil {
				err = fmt.Errorf("assert: %w", err)
			}
		}
	} else {
		err = fmt.Errorf("act: %w", err)
	}
	res.DurationMs = time.Since(start).Milliseconds()
	res.CorrelationID = run.CorrelationID
	if cerr := test.Cleanup(ctx, a.env, run); cerr != nil {
		err = errors.Join(err, fmt.Errorf("cleanup: %w", cerr))
	}
	if err != nil {
		res.Reason = err.Error()
	}
	res.Passed = err == nil
	return res
}

// runAll runs tests concurrently, as the state machine's Parallel does.
func (a *localApp) runAll(t testing.TB, tests []testharness.Test) map[string]testharness.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	results := make([]testharness.Result, len(tests))
	var wg sync.WaitGroup
	for i, test := range tests {
		wg.Go(func() { results[i] = a.run(ctx, test) })
	}
	wg.Wait()
	byName := map[string]testharness.Result{}
	for _, r := range results {
		byName[r.Name] = r
		if _, bench := t.(*testing.B); bench {
			continue
		}
		t.Logf("%-32s passed=%-5v %5dms %s", r.Name, r.Passed, r.DurationMs, r.Reason)
	}
	return byName
}

// withDeadline returns the tests with a shorter deadline: for runs where
// nothing is expected to happen, so the wait's end is the verdict.
func withDeadline(tests []testharness.Test, d time.Duration) []testharness.Test {
	out := slices.Clone(tests)
	for i := range out {
		out[i].Deadline = d
	}
	return out
}

func wantFailed(t *testing.T, results map[string]testharness.Result, name string, reasonParts ...string) {
	t.Helper()
	r := results[name]
	if r.Passed {
		t.Errorf("%s passed on a broken configuration", name)
		return
	}
	for _, p := range reasonParts {
		if !strings.Contains(r.Reason, p) {
			t.Errorf("%s failed, but its reason lacks %q: %s", name, p, r.Reason)
		}
	}
}

func wantPassed(t *testing.T, results map[string]testharness.Result, names ...string) {
	t.Helper()
	for _, n := range names {
		if r, ok := results[n]; !ok || !r.Passed {
			t.Errorf("%s: %+v, want passed", n, r)
		}
	}
}

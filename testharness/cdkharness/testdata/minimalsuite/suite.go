// Package minimalsuite is the suite of the smallest app the harness
// construct is tried with (infra's TestMinimalAppSynthesizesAHarness): an
// app that is nothing but its bus. Its one test puts the completion event
// itself, so it checks the harness's own path: the bus, the completion
// rule, the await function and the state machine.
package minimalsuite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
)

// OutputEventBusName is the stack output naming the app's bus.
const OutputEventBusName = "EventBusName"

// Pong is the completion event the test awaits.
const Pong = "Pong"

// Tests returns the suite.
func Tests() []testharness.Test {
	return []testharness.Test{{
		Name:     "PongArrives",
		Deadline: 30 * time.Second,
		Act: func(ctx context.Context, env *testharness.Env) (testharness.Run, error) {
			b := make([]byte, 8)
			if _, err := rand.Read(b); err != nil {
				return testharness.Run{}, fmt.Errorf("correlation id: %w", err)
			}
			run := testharness.Run{CorrelationID: "tb-pong-" + hex.EncodeToString(b)}
			bus, err := env.Output(OutputEventBusName)
			if err != nil {
				return run, err
			}
			events := &completion.Publisher{Client: env.EventBridge, Bus: bus}
			return run, events.PublishOne(ctx, Pong, map[string]string{"correlationId": run.CorrelationID})
		},
		Await: testharness.Await{Success: []string{Pong}},
		Assert: func(_ context.Context, _ *testharness.Env, _ testharness.Run, done testharness.Completion) error {
			if done.DetailType != Pong {
				return fmt.Errorf("completion %s, want %s", done.DetailType, Pong)
			}
			return nil
		},
		Cleanup: func(context.Context, *testharness.Env, testharness.Run) error { return nil },
	}}
}

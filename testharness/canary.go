package testharness

import (
	"context"
	"fmt"
)

// Negative assertions by canary.
//
// "X did not happen" cannot be observed, and waiting a fixed time for it
// not to happen is both slow and unsound. Instead a test proves absence by
// ordering: it performs the writes whose effect must NOT happen, then a
// canary write on the same ordered channel (the same DynamoDB stream shard,
// the same queue) whose effect MUST happen, and awaits the canary's
// completion event. Once the canary's effect is observed, the channel has
// delivered (and the app has handled or filtered) everything before it, so
// Assert can check that the unwanted effects are absent.
//
// In a Test that reads:
//
//	Act:    ProveAbsence(ctx, []Step{orderInsert, userUpdate}, Step{"canary user insert", canaryPut})
//	Await:  the canary's completion (its correlation id is the run's)
//	Assert: the canary's effect is there; the unwanted ones are not
//	        (ExpectLogMessages with no wanted messages)
//
// The writes before the canary must carry other correlation ids than the
// run's, or their own completion events could end the wait early.

// Step is one named write of an Act.
type Step struct {
	Name string
	Do   func(ctx context.Context) error
}

// ProveAbsence performs the unwanted writes in order and then the canary,
// stopping at the first error, which names its step. The caller awaits the
// canary's completion event and then asserts the unwanted effects absent.
func ProveAbsence(ctx context.Context, unwanted []Step, canary Step) error {
	for _, s := range append(unwanted, canary) {
		if err := s.Do(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.Name, err)
		}
	}
	return nil
}

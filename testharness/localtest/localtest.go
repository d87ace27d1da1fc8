// Package localtest runs the handlers' unit tests against the project's
// local cloud, the one fake AWS: one cloud per test binary (Main), real
// aws-sdk-go-v2 clients (Config), fresh resources per test (Name), AWS
// errors injected on the cloud (Fault), and the events a handler puts on
// a bus read back through an EventBridge rule and an SQS queue (Bus).
//
// IAM is off: these tests are about the handlers, and the denials they
// handle are injected with AWS's codes and messages.
//
// Only tests import it; the handlers' binaries link no local-cloud
// package (testharness's layering test).
package localtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// cloud is the test binary's local cloud, started by Main.
var cloud *localcloud.Cloud

// names numbers the resources the tests create.
var names atomic.Int64

// settleLimit bounds a wait for the cloud to settle; the handlers' tests
// leave it deliveries to make, never a timer to wait for, so a wait this
// long means something is stuck.
const settleLimit = 30 * time.Second

// Main starts the local cloud, runs the package's tests and closes the
// cloud; call it from TestMain: os.Exit(localtest.Main(m)).
func Main(m *testing.M) int {
	c, err := localcloud.Start(localcloud.Options{IAM: localcloud.IAMOff,
		// What goes wrong between services, where no caller hears of it.
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		fmt.Fprintln(os.Stderr, "localtest:", err)
		return 1
	}
	cloud = c
	code := m.Run()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Close(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "localtest: close the local cloud:", err)
		code = max(code, 1)
	}
	return code
}

// running is the test binary's local cloud.
func running(t testing.TB) *localcloud.Cloud {
	t.Helper()
	if cloud == nil {
		t.Fatal("localtest: no local cloud; call localtest.Main from TestMain")
	}
	return cloud
}

// Config is an SDK configuration for the cloud: credentials test/test, its
// region, and one attempt per call, so that an injected fault reaches the
// code under test instead of the SDK's retries.
func Config(t testing.TB) aws.Config {
	t.Helper()
	cfg, err := testharness.LocalConfig(context.Background(), running(t).Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Name is a resource name no other test of the binary uses: prefix-N,
// lower case, as bucket names must be.
func Name(prefix string) string {
	return fmt.Sprintf("%s-%d", prefix, names.Add(1))
}

// Fault injects a fault into the cloud until the test ends.
func Fault(t testing.TB, s faults.Spec) faults.Fault {
	t.Helper()
	f, err := running(t).Faults().Add(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { running(t).Faults().Remove(f.ID) })
	return f
}

// Hits is how many requests the fault has hit so far. A fault whose count
// is spent has left the registry and has no number: that fails the test.
func Hits(t testing.TB, f faults.Fault) int {
	t.Helper()
	for _, g := range running(t).Faults().List() {
		if g.ID == f.ID {
			return g.Hits
		}
	}
	t.Fatalf("fault %s is spent or removed", f.ID)
	return 0
}

// Spent reports whether a fault with a count has hit all of it.
func Spent(t testing.TB, f faults.Fault) bool {
	t.Helper()
	for _, g := range running(t).Faults().List() {
		if g.ID == f.ID {
			return false
		}
	}
	return true
}

// Settle waits until nothing more happens in the cloud: every request
// answered, every event delivered, no retry pending.
func Settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), settleLimit)
	defer cancel()
	if err := running(t).WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatalf("the local cloud did not settle: %v", err)
	}
}

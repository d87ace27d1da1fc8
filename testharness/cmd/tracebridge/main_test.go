package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
)

// invocation is one in-process run of the CLI.
type invocation struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, args ...string) invocation {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	return invocation{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// emptyCloud is a local cloud with nothing deployed.
func emptyCloud(t *testing.T) *localcloud.Cloud {
	t.Helper()
	return localcloud.RunT(t, localcloud.Options{})
}

// `tracebridge test` and `local up` synthesize the CDK app of the folder
// they run in: without a cdk.json there, or --app, they say what to do.
func TestAnAppIsNeeded(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	for _, cmd := range [][]string{{"test"}, {"local", "up"}} {
		got := runCLI(t, cmd...)
		if want := "no cdk.json in " + dir + ": run tracebridge in your CDK app's folder"; got.code != 2 || !strings.Contains(got.stderr, want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", cmd, got.code, got.stderr, want)
		}
	}
}

func TestUsageErrorsExitTwo(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, "usage: tracebridge"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"test", "extra"}, "test takes no arguments"},
		{[]string{"test", "--assembly", "x", "--stack", "y"}, "do not go with --endpoint or --stack"},
		{[]string{"test", "--app", "go run .", "--endpoint", "http://127.0.0.1:1"}, "do not go with --endpoint or --stack"},
		{[]string{"test", "--app", "go run .", "--assembly", "x"}, "does not go with --app"},
		{[]string{"local", "up", "--app", "go run .", "--assembly", "x"}, "does not go with --app"},
		{[]string{"test", "--no-such-flag"}, "flag provided but not defined"},
		{[]string{"test", "--iam=maybe"}, `--iam: IAM mode "maybe": want on or off`},
		{[]string{"local", "up", "--iam=maybe"}, `--iam: IAM mode "maybe": want on or off`},
		{[]string{"test", "--endpoint", "http://127.0.0.1:1", "--iam=maybe"}, `--iam: IAM mode "maybe": want on or off`},
		{[]string{"test", "--stack", "Tracebridge", "--iam=off"}, "--iam sets up the local cloud this command starts"},
		{[]string{"test", "--endpoint", "http://127.0.0.1:1", "--console"}, "--console serves the console of the local cloud this command starts"},
		{[]string{"trace"}, "give a trace id or --correlation-id"},
		{[]string{"trace", "1-abc", "--correlation-id", "c"}, "not both"},
		{[]string{"replay", "--archive", "a"}, "--archive, --from and --to are required"},
		{[]string{"replay", "--archive", "a", "--from", "yesterday", "--to", "now"}, `--from: "yesterday" is not an RFC 3339 time`},
		{[]string{"replay", "--archive", "a", "--from", "now", "--to", "1h"}, "is not before --to"},
	} {
		got := runCLI(t, tt.args...)
		if got.code != 2 || !strings.Contains(got.stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and %q", tt.args, got.code, got.stderr, tt.want)
		}
	}
}

func TestHelpExitsZero(t *testing.T) {
	got := runCLI(t, "help")
	for _, cmd := range []string{"test", "trace", "replay", "local up"} {
		if got.code != 0 || !strings.Contains(got.stdout, "\n  "+cmd) {
			t.Errorf("help: exit %d, does not list %q:\n%s", got.code, cmd, got.stdout)
		}
	}
	if got := runCLI(t, "test", "-h"); got.code != 0 || !strings.Contains(got.stderr, "--junit") {
		t.Errorf("test -h: exit %d, stderr %q", got.code, got.stderr)
	}
}

func TestParseInterspersed(t *testing.T) {
	got := runCLI(t, "trace", "1-00000000-000000000000000000000000", "--endpoint", "http://127.0.0.1:1", "--width", "20")
	// The flags after the id were parsed: the call went to the endpoint given.
	if got.code != 1 || !strings.Contains(got.stderr, "127.0.0.1:1") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// localUp runs `tracebridge local up`: the local cloud in the foreground
// with the app deployed, until Ctrl-C.
func localUp(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("local up", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", localcloud.DefaultAddr, "listen address (loopback by default)")
	assemblyDir := fs.String("assembly", "", "deploy this cloud assembly instead of synthesizing the app")
	appCommand := appFlag(fs)
	iamMode := iamFlag(fs)
	// Real by default: clients outside the cloud share its clock.
	timeMode := timeFlag(fs, localcloud.TimeReal)
	noRollback := noRollbackFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("local up takes no arguments, got %q", fs.Args())}
	}
	if *assemblyDir != "" && *appCommand != "" {
		return usageError{"local up: --assembly deploys a synthesized app; it does not go with --app"}
	}
	iam, err := iamMode()
	if err != nil {
		return err
	}
	clock, err := timeMode()
	if err != nil {
		return err
	}
	env, err := startApp(ctx, appOptions{addr: *addr, iam: iam, time: clock, assemblyDir: *assemblyDir, appCommand: *appCommand, progress: newProgress(stderr, false),
		noRollback: *noRollback, keepFailed: true})
	if env == nil {
		return err
	}
	defer env.close()
	if err != nil {
		// The logs, traces and data of the failed deployment stay to be
		// looked at, as on AWS until the stack is deleted.
		fmt.Fprintf(stderr, "%v\nthe local cloud stays up with the failed stack, to look at its logs, traces and data\n", err)
	}

	fmt.Fprintf(stdout, "Tracebridge local cloud at %s\n", env.cloud.Endpoint())
	fmt.Fprintf(stdout, "console at %s\n", env.cloud.ConsoleURL())
	fmt.Fprintf(stdout, "stack %s: %s\n", env.stack.StackName, env.stack.Status)
	keys := make([]string, 0, len(env.stack.Outputs))
	for k := range env.stack.Outputs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(stdout, "  %-20s %s\n", k, env.stack.Outputs[k])
	}
	fmt.Fprintf(stdout, "\nexport AWS_ENDPOINT_URL=%s AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s AWS_REGION=%s\n",
		env.cloud.Endpoint(), identity.DefaultAccessKeyID, identity.DefaultSecretAccessKey, arn.Region)
	fmt.Fprintln(stdout, "\nCtrl-C stops it.")
	<-ctx.Done()
	fmt.Fprintln(stderr, "stopping…")
	return nil
}

// closeTimeout bounds how long stopping the local cloud may take.
const closeTimeout = 10 * time.Second

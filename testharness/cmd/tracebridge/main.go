// Command tracebridge runs Tracebridge's integration tests against the
// embedded local cloud or a deployed AWS stack, and starts the local cloud
// for people who want to poke at the app with their own tools.
//
//	tracebridge test                 the main job: synthesize, start the local cloud, deploy, run the suite
//	tracebridge trace                a trace (or every trace of a correlation id) as a waterfall
//	tracebridge replay               replay an archive's events of a time window
//	tracebridge local up             the local cloud in the foreground with the app deployed
//	tracebridge local fault          add, list and clear faults in a running local cloud
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: tracebridge <command> [flags]

commands:
  test        synthesize, start the local cloud, deploy, and run the suite
              (--endpoint URL or --stack NAME: run a deployed stack's suite)
  trace       show a trace, or every trace of a correlation id, as a waterfall
  replay      replay an EventBridge archive's events of a time window
  local up    start the local cloud with the app deployed, in the foreground
  local fault add|list|clear
              inject AWS errors, latency and failed or killed invocations
              into a running local cloud (--endpoint, default 127.0.0.1:4566)

Run "tracebridge <command> -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command and returns the process exit code: 0 on
// success, 1 when the command ran and failed, 2 on a usage error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch {
	case args[0] == "local" && len(args) > 1 && args[1] == "up":
		err = localUp(ctx, args[2:], stdout, stderr)
	case args[0] == "local" && len(args) > 1 && args[1] == "fault":
		err = faultCmd(ctx, args[2:], stdout, stderr)
	case args[0] == "test":
		err = test(ctx, args[1:], stdout, stderr)
	case args[0] == "trace":
		err = traceCmd(ctx, args[1:], stdout, stderr)
	case args[0] == "replay":
		err = replayCmd(ctx, args[1:], stdout, stderr)
	case args[0] == "-h" || args[0] == "--help" || args[0] == "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "tracebridge: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errTestsFailed):
		return 1 // the results say which and why
	case errors.As(err, new(usageError)):
		fmt.Fprintf(stderr, "tracebridge: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "tracebridge: %v\n", err)
		return 1
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// replayCmd runs `tracebridge replay`: StartReplay of an archive's events
// in a time window, followed until the replay ends.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tracebridge replay --archive NAME --from TIME --to TIME [--endpoint URL] [--destination BUS_ARN]\n\n"+
			"TIME is RFC 3339 (2026-11-25T13:00:00Z), a duration ago (15m), or now.\n\n")
		fs.PrintDefaults()
	}
	archive := fs.String("archive", "", "the archive to replay from (required)")
	fromFlag := fs.String("from", "", "replay events archived at or after this time (required)")
	toFlag := fs.String("to", "", "replay events archived before this time (required)")
	endpoint := fs.String("endpoint", "", "local cloud endpoint; default $AWS_ENDPOINT_URL or AWS")
	destination := fs.String("destination", "", "ARN of the bus to replay to; default the archive's source bus")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("replay takes no arguments, got %q", fs.Args())}
	}
	if *archive == "" || *fromFlag == "" || *toFlag == "" {
		return usageError{"replay: --archive, --from and --to are required"}
	}
	now := time.Now()
	from, err := parseTime(*fromFlag, now)
	if err != nil {
		return usageError{"replay: --from: " + err.Error()}
	}
	to, err := parseTime(*toFlag, now)
	if err != nil {
		return usageError{"replay: --to: " + err.Error()}
	}
	if !from.Before(to) {
		return usageError{fmt.Sprintf("replay: --from %s is not before --to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))}
	}

	cfg, err := awsConfig(ctx, *endpoint)
	if err != nil {
		return err
	}
	client := eventbridge.NewFromConfig(cfg)
	desc, err := client.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: archive})
	if err != nil {
		return fmt.Errorf("archive %s (DescribeArchive): %w", *archive, err)
	}
	dest := *destination
	if dest == "" {
		dest = aws.ToString(desc.EventSourceArn)
	}
	// Replay names are [.\-_A-Za-z0-9]+, at most 64 characters.
	name := "tracebridge-" + now.UTC().Format("20060102T150405.000Z")
	_, err = client.StartReplay(ctx, &eventbridge.StartReplayInput{
		ReplayName:     aws.String(name),
		Description:    aws.String("tracebridge replay of " + *archive),
		EventSourceArn: desc.ArchiveArn,
		EventStartTime: aws.Time(from),
		EventEndTime:   aws.Time(to),
		Destination:    &ebtypes.ReplayDestination{Arn: aws.String(dest)},
	})
	if err != nil {
		return fmt.Errorf("start replay of %s (StartReplay): %w", *archive, err)
	}
	fmt.Fprintf(stderr, "replay %s of %s (%s … %s) to %s started\n", name, *archive,
		from.Format(time.RFC3339), to.Format(time.RFC3339), dest)

	var last *eventbridge.DescribeReplayOutput
	err = follow(ctx, func(ctx context.Context) (bool, error) {
		out, err := client.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String(name)})
		if err != nil {
			return false, fmt.Errorf("follow replay %s (DescribeReplay): %w", name, err)
		}
		last = out
		switch out.State {
		case ebtypes.ReplayStateCompleted, ebtypes.ReplayStateFailed, ebtypes.ReplayStateCancelled:
			return true, nil
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	line := fmt.Sprintf("replay %s: %s", name, last.State)
	if last.EventLastReplayedTime != nil {
		line += fmt.Sprintf(", last event replayed at %s", last.EventLastReplayedTime.UTC().Format(time.RFC3339Nano))
	}
	if reason := aws.ToString(last.StateReason); reason != "" {
		line += ": " + reason
	}
	fmt.Fprintln(stdout, line)
	if last.State != ebtypes.ReplayStateCompleted {
		return fmt.Errorf("replay %s ended %s", name, last.State)
	}
	return nil
}

// parseTime reads RFC 3339, "now", or a Go duration meaning that long
// before now.
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "now" {
		return now, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 time, a duration ago such as 15m, or now", s)
	}
	return now.Add(-d), nil
}

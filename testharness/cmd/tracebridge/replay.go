package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// replayCmd runs `tracebridge replay`: StartReplay of an archive's events
// in a time window, followed until the replay ends.
func replayCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: tracebridge replay --archive NAME --from TIME --to TIME [--endpoint URL] [--destination BUS_ARN] [--rule RULE]… [--follow [--timeout D]]\n\n"+
			"TIME is RFC 3339 (2026-11-25T13:00:00Z), a duration ago (15m), or now.\n"+
			"--follow (a local cloud only: AWS keeps no history to follow retries in) prints each hop of every\n"+
			"replayed event as it happens — rules matched, deliveries, invocations, failures, the retries\n"+
			"EventBridge and Lambda schedule and when, dead letters, the app's events that came of it — until\n"+
			"the local cloud has settled (nothing in progress or due), then a summary per event. On real time\n"+
			"that takes as long as the retries do (Lambda's come after 1 and 2 minutes); on `local up --time\n"+
			"virtual` at once. --timeout bounds the wait; Ctrl-C stops following (the replay goes on).\n\n")
		fs.PrintDefaults()
	}
	archive := fs.String("archive", "", "the archive to replay from (required)")
	fromFlag := fs.String("from", "", "replay events archived at or after this time (required)")
	toFlag := fs.String("to", "", "replay events archived before this time (required)")
	endpoint := fs.String("endpoint", "", "local cloud endpoint; default $AWS_ENDPOINT_URL or AWS")
	destination := fs.String("destination", "", "ARN of the bus to replay to; default the archive's source bus")
	var rules ruleList
	fs.Var(&rules, "rule", "replay to this rule only (name on the destination bus, or ARN); repeat for more (StartReplay's FilterArns)")
	followFlag := fs.Bool("follow", false, "print what each replayed event does, retries included, until the local cloud has settled")
	timeout := fs.Duration("timeout", 10*time.Minute, "with --follow: stop following after this long")
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
	if *followFlag && cfg.BaseEndpoint == nil {
		return usageError{"replay: --follow reads what the replayed events do, retries included, from a local cloud's history (--endpoint or $AWS_ENDPOINT_URL); AWS keeps none"}
	}
	if *timeout <= 0 {
		return usageError{fmt.Sprintf("replay: --timeout %s: want a positive duration", *timeout)}
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
	filterArns, err := ruleARNs(ctx, client, dest, rules)
	if err != nil {
		return err
	}
	var (
		h     history
		since uint64
	)
	if *followFlag {
		h = newHistory(aws.ToString(cfg.BaseEndpoint))
		if since, err = h.last(ctx); err != nil {
			return err
		}
	}
	// Replay names are [.\-_A-Za-z0-9]+, at most 64 characters.
	name := "tracebridge-" + now.UTC().Format("20060102T150405.000Z")
	_, err = client.StartReplay(ctx, &eventbridge.StartReplayInput{
		ReplayName:     aws.String(name),
		Description:    aws.String("tracebridge replay of " + *archive),
		EventSourceArn: desc.ArchiveArn,
		EventStartTime: aws.Time(from),
		EventEndTime:   aws.Time(to),
		Destination:    &ebtypes.ReplayDestination{Arn: aws.String(dest), FilterArns: filterArns},
	})
	if err != nil {
		return fmt.Errorf("start replay of %s (StartReplay): %w", *archive, err)
	}
	fmt.Fprintf(stderr, "replay %s of %s (%s … %s) to %s started\n", name, *archive,
		from.Format(time.RFC3339), to.Format(time.RFC3339), dest)

	var followed []observe.Record
	if *followFlag {
		fctx, cancel := context.WithTimeoutCause(ctx, *timeout, fmt.Errorf("--timeout %s passed", *timeout))
		defer cancel()
		followed, err = followLive(fctx, h, aws.ToString(cfg.BaseEndpoint), since, name, stdout, stderr)
		if err != nil {
			// What was seen is still worth a summary.
			printFollowed(stdout, followReplay(followed, name))
			return err
		}
	}
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
	if *followFlag {
		printFollowed(stdout, followReplay(followed, name))
	}
	if last.State != ebtypes.ReplayStateCompleted {
		return fmt.Errorf("replay %s ended %s", name, last.State)
	}
	return nil
}

// ruleList is the repeatable --rule flag.
type ruleList []string

func (r *ruleList) String() string { return strings.Join(*r, ",") }

func (r *ruleList) Set(v string) error {
	*r = append(*r, v)
	return nil
}

// ruleARNs turns rule names (on the destination bus) and ARNs into
// StartReplay's FilterArns.
func ruleARNs(ctx context.Context, client *eventbridge.Client, busARN string, rules []string) ([]string, error) {
	var arns []string
	for _, r := range rules {
		if strings.HasPrefix(r, "arn:") {
			arns = append(arns, r)
			continue
		}
		out, err := client.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String(r), EventBusName: aws.String(busARN)})
		if err != nil {
			return nil, fmt.Errorf("rule %s on %s (DescribeRule): %w", r, busARN, err)
		}
		arns = append(arns, aws.ToString(out.Arn))
	}
	return arns, nil
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

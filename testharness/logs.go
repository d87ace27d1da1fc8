package testharness

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// LogMessages returns the message of every event of a log group that
// matches a CloudWatch Logs filter pattern, oldest first (FilterLogEvents,
// all pages).
func (e *Env) LogMessages(ctx context.Context, group, pattern string) ([]string, error) {
	var out []string
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(e.CloudWatchLogs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group), FilterPattern: aws.String(pattern),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("FilterLogEvents %s %q: %w", group, pattern, err)
		}
		for _, ev := range page.Events {
			out = append(out, aws.ToString(ev.Message))
		}
	}
	return out, nil
}

// ExpectLogMessages checks that the events of group matching pattern have
// exactly the messages want, in order (byte-for-byte equality, no
// trimming). Fewer messages than wanted may be CloudWatch Logs' ingestion
// delay, so that case wraps ErrTraceIncomplete and the Assert step retries;
// a wrong or extra message fails at once. want empty asserts absence, which
// is only sound after a canary (see ProveAbsence).
func (e *Env) ExpectLogMessages(ctx context.Context, group, pattern string, want ...string) error {
	got, err := e.LogMessages(ctx, group, pattern)
	if err != nil {
		return err
	}
	if slices.Equal(got, want) {
		return nil
	}
	if len(got) < len(want) && slices.Equal(got, want[:len(got)]) {
		return fmt.Errorf("log group %s has %d message(s) matching %s, want %d: %w", group, len(got), pattern, len(want), ErrTraceIncomplete)
	}
	if len(want) == 0 {
		return fmt.Errorf("log group %s: messages matching %s are %q, want none", group, pattern, got)
	}
	return fmt.Errorf("log group %s: messages matching %s are %q, want exactly %q", group, pattern, got, want)
}

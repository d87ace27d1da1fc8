package eventbridge

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

func TestArchiveAndReplay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	busArn := busARN("default")
	arch, err := f.client.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("all"),
		EventSourceArn: aws.String(busArn), EventPattern: aws.String(`{"source":["app"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.client.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("all"), EventSourceArn: aws.String(busArn)})
	apiError(t, err, "ResourceAlreadyExistsException", "Archive all already exists.")

	main := f.rule(t, "default", "main", `{"source":["app"]}`, lambdaTarget("fn"))
	f.rule(t, "default", "side", `{"source":["app"]}`, types.Target{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:side")})

	// Three events ten minutes apart, and one the archive's pattern skips.
	for i := range 3 {
		f.put(t, entry("app", "T", fmt.Sprintf(`{"n":%d}`, i)))
		f.clock.Advance(10 * time.Minute)
	}
	f.put(t, entry("other", "T", `{}`))
	f.flush(t)
	for range 3 {
		recv(t, f.lambda.calls)
		recv(t, f.sqs.msgs)
	}

	d, err := f.client.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("all")})
	if err != nil || d.EventCount != 3 || *d.ArchiveArn != *arch.ArchiveArn {
		t.Fatalf("DescribeArchive %+v %v", d, err)
	}

	// Replay the window holding only the second event, to the main rule only.
	start, err := f.client.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("r1"),
		EventSourceArn: arch.ArchiveArn, EventStartTime: aws.Time(t0.Add(5 * time.Minute)), EventEndTime: aws.Time(t0.Add(15 * time.Minute)),
		Destination: &types.ReplayDestination{Arn: aws.String(busArn), FilterArns: []string{main}}})
	if err != nil {
		t.Fatal(err)
	}
	if start.State != types.ReplayStateStarting || *start.ReplayArn != "arn:aws:events:us-east-1:000000000000:replay/r1" {
		t.Errorf("StartReplay %+v", start)
	}
	call := recv(t, f.lambda.calls)
	var env map[string]any
	if err := json.Unmarshal([]byte(call.Payload), &env); err != nil {
		t.Fatal(err)
	}
	if env["replay-name"] != "r1" || env["detail"].(map[string]any)["n"] != 1.0 || env["time"] != "2024-05-01T12:10:00Z" {
		t.Errorf("replayed event %s", call.Payload)
	}
	f.flush(t)
	none(t, f.lambda.calls, "event outside the replay window")
	none(t, f.sqs.msgs, "replay to a rule outside FilterArns")

	r, err := f.client.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("r1")})
	if err != nil || r.State != types.ReplayStateCompleted || !aws.ToTime(r.EventLastReplayedTime).Equal(t0.Add(10*time.Minute)) {
		t.Errorf("DescribeReplay %+v %v", r, err)
	}
	d, _ = f.client.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("all")})
	if d.EventCount != 3 {
		t.Errorf("a replayed event was archived again: %d events", d.EventCount)
	}
	_, err = f.client.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("r1")})
	apiError(t, err, "IllegalStatusException", "")
	list, err := f.client.ListReplays(ctx, &eventbridge.ListReplaysInput{})
	if err != nil || len(list.Replays) != 1 {
		t.Errorf("ListReplays %+v %v", list, err)
	}

	_, err = f.client.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("r2"), EventSourceArn: arch.ArchiveArn,
		EventStartTime: aws.Time(t0.Add(time.Minute)), EventEndTime: aws.Time(t0),
		Destination: &types.ReplayDestination{Arn: aws.String(busArn)}})
	apiError(t, err, "ValidationException", "Parameter EventEndTime is not valid. Reason: EventStartTime must be before EventEndTime.")
	_, err = f.client.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("none")})
	apiError(t, err, "ResourceNotFoundException", "Archive none does not exist.")
}

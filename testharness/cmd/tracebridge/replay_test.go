package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

func TestReplaySendsTheArchivedEventsAgain(t *testing.T) {
	// A fake clock, so the events' archive time and the window around it
	// are exact (the SDK sends replay times to the millisecond).
	start := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	clk := clock.NewFake(start)
	cloud := localcloud.RunT(t, localcloud.Options{Clock: clk})
	ctx := context.Background()
	cfg, err := awsConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	client := eventbridge.NewFromConfig(cfg)
	bus, err := client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.CreateArchive(ctx, &eventbridge.CreateArchiveInput{
		ArchiveName: aws.String("completions"), EventSourceArn: bus.EventBusArn,
		EventPattern: aws.String(`{"source":["tracebridge.app"]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	var entries []ebtypes.PutEventsRequestEntry
	for _, id := range []string{"c-1", "c-2"} {
		entries = append(entries, ebtypes.PutEventsRequestEntry{EventBusName: aws.String("app"), Source: aws.String("tracebridge.app"),
			DetailType: aws.String("UserAuditLogged"), Detail: aws.String(`{"correlationId":"` + id + `"}`)})
	}
	if _, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries}); err != nil {
		t.Fatal(err)
	}

	replayed := make(chan string, 8)
	cancel := cloud.EventBridge.Subscribe("app", func(envelope []byte) {
		var e struct {
			ReplayName string                         `json:"replay-name"`
			Detail     struct{ CorrelationID string } `json:"detail"`
		}
		if json.Unmarshal(envelope, &e) == nil && e.ReplayName != "" {
			replayed <- e.Detail.CorrelationID
		}
	})
	defer cancel()
	clk.Advance(time.Minute)

	got := runCLI(t, "replay", "--archive", "completions", "--from", "2026-11-25T08:59:00Z", "--to", "2026-11-25T09:00:30Z", "--endpoint", cloud.Endpoint())
	if got.code != 0 {
		t.Fatalf("exit %d: %s", got.code, got.stderr)
	}
	if !strings.HasPrefix(got.stdout, "replay tracebridge-") || !strings.Contains(got.stdout, ": COMPLETED, last event replayed at 2026-11-25T09:00:00Z") {
		t.Errorf("stdout %q: want the replay's name and COMPLETED", got.stdout)
	}
	if !strings.Contains(got.stderr, "to "+aws.ToString(bus.EventBusArn)) {
		t.Errorf("stderr %q: want the archive's source bus as destination", got.stderr)
	}
	// The replay is COMPLETED: both events were sent again, in order.
	for _, want := range []string{"c-1", "c-2"} {
		select {
		case id := <-replayed:
			if id != want {
				t.Errorf("replayed %s, want %s", id, want)
			}
		default:
			t.Fatalf("replay COMPLETED, but %s was not replayed (stdout %q, stderr %q)", want, got.stdout, got.stderr)
		}
	}
}

func TestReplayOfAnUnknownArchiveFails(t *testing.T) {
	cloud := emptyCloud(t)
	got := runCLI(t, "replay", "--archive", "nope", "--from", "1h", "--to", "now", "--endpoint", cloud.Endpoint())
	if got.code != 1 || !strings.Contains(got.stderr, "archive nope (DescribeArchive)") || !strings.Contains(got.stderr, "ResourceNotFoundException") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

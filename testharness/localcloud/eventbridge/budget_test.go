package eventbridge

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
)

// TestArchivePastItsBudgetDropsItsOldestEvents: an archive over
// MaxArchiveBytes drops its oldest events; DescribeArchive counts what
// it keeps.
func TestArchivePastItsBudgetDropsItsOldestEvents(t *testing.T) {
	// Each entry is source "app" + detail-type "T" + an 11-byte detail +
	// 14 bytes of time: 29 bytes.
	f := newFixtureWith(t, Options{MaxArchiveBytes: 60})
	ctx := context.Background()
	if _, err := f.client.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("all"),
		EventSourceArn: aws.String(busARN("default"))}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		f.put(t, entry("app", "T", fmt.Sprintf(`{"n":"%03d"}`, i)))
	}
	f.flush(t)
	d, err := f.client.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("all")})
	if err != nil {
		t.Fatal(err)
	}
	if d.EventCount != 2 || d.SizeBytes != 58 {
		t.Fatalf("archive keeps %d events of %d bytes, want the newest 2 of 58", d.EventCount, d.SizeBytes)
	}
	events := f.svc.archives["all"].store.snapshot(f.clock.Now(), 0)
	if got := string(events[0].entry.Detail); got != `{"n":"003"}` {
		t.Errorf("oldest kept event %s, want n 3", got)
	}
}

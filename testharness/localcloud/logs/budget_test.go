package logs_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// TestGroupOverItsBudgetDropsItsOldestEvents: a group past
// MaxGroupBytes drops its oldest events across its streams, as retention
// would, and keeps the newest.
func TestGroupOverItsBudgetDropsItsOldestEvents(t *testing.T) {
	e := newEnv(t, logs.Options{MaxGroupBytes: 100})
	e.mustGroupStream(t, "g", "a", "b")
	msg := func(name string) string { return name + strings.Repeat(".", 20-len(name)) } // 20 bytes each
	e.put(t, "g", "a", ev(-5*time.Minute, msg("a1")), ev(-3*time.Minute, msg("a2")))
	e.put(t, "g", "b", ev(-4*time.Minute, msg("b1")), ev(-2*time.Minute, msg("b2")))
	e.put(t, "g", "a", ev(-time.Minute, msg("a3")), ev(0, msg("a4"))) // 120 bytes: over 100, trimmed to 90

	got := strings.Join(filteredMessages(e.filter(t, cwl.FilterLogEventsInput{})), ",")
	want := strings.Join([]string{msg("a2"), msg("b2"), msg("a3"), msg("a4")}, ",")
	if got != want {
		t.Errorf("kept %s, want %s", got, want)
	}
	out, err := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if stored := aws.ToInt64(out.LogGroups[0].StoredBytes); stored != 80 {
		t.Errorf("storedBytes %d, want 80", stored)
	}
}

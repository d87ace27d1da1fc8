package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
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

// deployedApp is a local cloud, on the wall clock as `local up` runs
// one, with the app deployed; its deploy-time run has uploaded, traced,
// images whose S3 events the bucket's archive holds.
func deployedApp(t *testing.T) *localcloud.Cloud {
	t.Helper()
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot, Time: localcloud.TimeReal})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cloud.Deploy(ctx, assemblyDir); err != nil {
		t.Fatal(err)
	}
	return cloud
}

// bucketArchive is the archive of the default bus (the bucket's events).
func bucketArchive(t *testing.T, cloud *localcloud.Cloud) string {
	t.Helper()
	cfg, err := awsConfig(context.Background(), cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	out, err := eventbridge.NewFromConfig(cfg).ListArchives(context.Background(), &eventbridge.ListArchivesInput{
		EventSourceArn: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")})
	if err != nil || len(out.Archives) != 1 {
		t.Fatalf("the default bus's archives: %+v, %v", out, err)
	}
	return aws.ToString(out.Archives[0].ArchiveName)
}

// uploadForReplay puts a PNG and a text file into the app's bucket, as
// someone outside the app would (untraced), and waits for the cloud to
// have handled them: the PNG gets its dimensions (written by a copy, whose
// own event comes too), the text file a failure event.
func uploadForReplay(t *testing.T, cloud *localcloud.Cloud) {
	t.Helper()
	ctx := context.Background()
	outputs, err := cloud.CloudFormation.Outputs(defaultStackName)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := awsConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	var img bytes.Buffer
	if err := png.Encode(&img, image.NewGray(image.Rect(0, 0, 3, 2))); err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	for key, body := range map[string][]byte{"replay/kept.png": img.Bytes(), "replay/notes.txt": []byte("not an image")} {
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(outputs[schemas.OutputBucketName]),
			Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// otherDefaultBusRule is a rule on the default bus that no S3 event
// matches.
func otherDefaultBusRule(t *testing.T, cloud *localcloud.Cloud) string {
	t.Helper()
	cfg, err := awsConfig(context.Background(), cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	out, err := eventbridge.NewFromConfig(cfg).ListRules(context.Background(), &eventbridge.ListRulesInput{EventBusName: aws.String("default")})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range out.Rules {
		if !strings.Contains(aws.ToString(r.EventPattern), "aws.s3") {
			return aws.ToString(r.Name)
		}
	}
	t.Fatalf("no rule on the default bus but the bucket's: %+v", out.Rules)
	return ""
}

func TestReplayFollowSaysWhatEachEventDid(t *testing.T) {
	cloud := deployedApp(t)
	archive := bucketArchive(t, cloud)
	// The window holds these uploads alone, not the deploy-time run's.
	from := time.Now().UTC()
	uploadForReplay(t, cloud)
	replay := func(t *testing.T, extra ...string) invocation {
		t.Helper()
		got := runCLI(t, append([]string{"replay", "--archive", archive, "--from", from.Format(time.RFC3339Nano), "--to", "now",
			"--endpoint", cloud.Endpoint(), "--follow"}, extra...)...)
		if got.code != 0 {
			t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
		}
		return got
	}

	t.Run("every rule", func(t *testing.T) {
		got := replay(t)
		blocks := strings.Split(got.stdout, "\nevent ")
		if len(blocks) != 4 {
			t.Fatalf("want the status line and three events (the PNG's put and copy, the text file's put):\n%s", got.stdout)
		}
		for _, b := range blocks[1:] {
			for _, want := range []string{"Object Created from aws.s3", "rules matched      Tracebridge-ImagesObjectCreatedRule",
				"target             Tracebridge-ImagesImageMetadataHandlerFunction", "): delivered",
				"invoked            Tracebridge-ImagesImageMetadataHandlerFunction", ": ok in "} {
				if !strings.Contains(b, want) {
					t.Errorf("event %s\nlacks %q", b, want)
				}
			}
		}
		// The PNG's put announces its dimensions again (they are already
		// there), the copy's event does nothing, the text file fails again;
		// each outcome with the trace the function started.
		outcome := regexp.MustCompile(`came of it         (\w+) \(event [0-9a-f-]+, trace (1-[0-9a-f]{8}-[0-9a-f]{24})\)`)
		if n := len(outcome.FindAllString(got.stdout, -1)); n != 2 {
			t.Errorf("%d outcomes with a trace, want 2:\n%s", n, got.stdout)
		}
		if !strings.HasSuffix(got.stdout, "3 events replayed; outcomes: ImageMetadataFailed 1, ImageMetadataWritten 1, none 1; deliveries: delivered 3\n") {
			t.Errorf("summary:\n%s", got.stdout)
		}
	})

	t.Run("one rule", func(t *testing.T) {
		rule := otherDefaultBusRule(t, cloud)
		got := replay(t, "--rule", rule)
		if n := strings.Count(got.stdout, ": matched no rule (not "+rule+")\n"); n != 3 {
			t.Errorf("%d hops say the event matched no rule, want 3:\n%s", n, got.stdout)
		}
		if !strings.HasSuffix(got.stderr, "the local cloud has settled: nothing is in progress or due in it\n") {
			t.Errorf("stderr %q: want the follow to end on the settled cloud", got.stderr)
		}
		if strings.Count(got.stdout, "rules matched      none\n  rules not matched  "+rule+"\n") != 3 {
			t.Errorf("want three events matched against %s alone:\n%s", rule, got.stdout)
		}
		if !strings.HasSuffix(got.stdout, "3 events replayed; outcomes: none 3; deliveries: none\n") {
			t.Errorf("summary:\n%s", got.stdout)
		}
	})

	// On real time a Lambda retry comes a minute after the failure: the
	// follow says which retry it waits for and when, and --timeout (the
	// deadline under test here) ends it naming what was still to come.
	t.Run("waiting for a retry on real time", func(t *testing.T) {
		if _, err := cloud.Faults().Add(faults.Spec{Service: "lambda", Resource: "Tracebridge-ImagesImageMetadataHandler*", Action: faults.Fail}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cloud.Faults().Clear)
		got := runCLI(t, "replay", "--archive", archive, "--from", from.Format(time.RFC3339Nano), "--to", "now",
			"--endpoint", cloud.Endpoint(), "--follow", "--timeout", "3s")
		waiting := regexp.MustCompile(`(?m)^waiting for Lambda retry 1 of 2 of event \d to Tracebridge-ImagesImageMetadataHandler\S* at \d\d:\d\d:\d\d\.\d{3} \(in (1m0s|[0-9.]+s)\)$`)
		if got.code != 1 || !waiting.MatchString(got.stderr) ||
			!strings.Contains(got.stderr, "(--timeout 3s passed) while waiting for Lambda retry 1 of 2 of event ") ||
			!strings.Contains(got.stderr, "the replay goes on in the local cloud") {
			t.Fatalf("exit %d, want 1 after saying which retry it waited for\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
		}
	})
}

// TestReplayFollowPlaysTheRetryPathsOut replays the bucket's events to
// a target that fails, on virtual time: the follow prints each attempt,
// each retry EventBridge or Lambda schedules and when, and how it ended,
// and returns once the cloud has settled — minutes of retries on the
// cloud's clock, no wait on the wall clock.
func TestReplayFollowPlaysTheRetryPathsOut(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot, Time: localcloud.TimeVirtual})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := cloud.Deploy(ctx, assemblyDir); err != nil {
		t.Fatal(err)
	}
	archive := bucketArchive(t, cloud)
	from := cloud.Now()
	uploadForReplay(t, cloud) // three events: the PNG's put and copy, the text file's put
	to := cloud.Now().Add(time.Millisecond)
	const function = "Tracebridge-ImagesImageMetadataHandler*"

	for _, tt := range []struct {
		name  string
		fault faults.Spec
		// hops are what each event's lines say, in order.
		hops []string
		// covers is the least cloud time the retries take.
		covers time.Duration
	}{
		{
			name:  "target throttled every attempt is dead-lettered",
			fault: faults.Spec{Service: "lambda", Resource: function, Action: faults.Error},
			hops: []string{": rules matched Tracebridge-ImagesObjectCreatedRule",
				"the first attempt failed THROTTLING: Rate Exceeded.; retry 1 of 3 scheduled at ",
				"retry 1 failed THROTTLING: Rate Exceeded.; retry 2 of 3 scheduled at ",
				"retry 2 failed THROTTLING: Rate Exceeded.; retry 3 of 3 scheduled at ",
				"retry 3 failed THROTTLING: Rate Exceeded.\n",
				"dead-lettered to Tracebridge-ImagesRuleDeadLetterQueue", "with ERROR_CODE THROTTLING after 4 attempts: Rate Exceeded.\n"},
			covers: 7 * time.Second, // 1, 2 and 4 s of backoff
		},
		{
			name:  "target throttled twice is delivered on retry 2",
			fault: faults.Spec{Service: "lambda", Resource: function, Action: faults.Error, Count: 6},
			hops: []string{"the first attempt failed THROTTLING: Rate Exceeded.; retry 1 of 3 scheduled at ",
				"retry 1 failed THROTTLING: Rate Exceeded.; retry 2 of 3 scheduled at ",
				"): delivered on retry 2\n", "Tracebridge-ImagesImageMetadataHandler"},
			covers: 3 * time.Second,
		},
		{
			name:  "function failing every attempt is dropped after Lambda's two retries",
			fault: faults.Spec{Service: "lambda", Resource: function, Action: faults.Fail},
			hops: []string{"): delivered\n",
				"ran: failed FaultInjected; Lambda retry 1 of 2 scheduled at ",
				"ran on Lambda's retry 1: failed FaultInjected; Lambda retry 2 of 2 scheduled at ",
				"ran on Lambda's retry 2: failed FaultInjected; Lambda gave up after 3 attempts and dropped the event (the function has no on-failure destination)\n"},
			covers: 3 * time.Minute,
		},
		{
			name:  "function failing once succeeds on Lambda's retry",
			fault: faults.Spec{Service: "lambda", Resource: function, Action: faults.Fail, Count: 3},
			hops: []string{"): delivered\n", "ran: failed FaultInjected; Lambda retry 1 of 2 scheduled at ",
				"ran on Lambda's retry 1: ok in "},
			covers: time.Minute,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := cloud.Faults().Add(tt.fault); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(cloud.Faults().Clear)
			began := cloud.Now()
			got := runCLI(t, "replay", "--archive", archive, "--from", from.Format(time.RFC3339Nano), "--to", to.Format(time.RFC3339Nano),
				"--endpoint", cloud.Endpoint(), "--follow")
			if got.code != 0 {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", got.code, got.stdout, got.stderr)
			}
			for n := 1; n <= 3; n++ {
				var lines strings.Builder
				for _, l := range strings.SplitAfter(got.stdout, "\n") {
					if strings.Contains(l, fmt.Sprintf("  event %d  ", n)) {
						lines.WriteString(l)
					}
				}
				rest := lines.String()
				for _, want := range tt.hops {
					i := strings.Index(rest, want)
					if i < 0 {
						t.Fatalf("event %d's hops lack %q after what came before:\n%s\nstderr:\n%s", n, want, lines.String(), got.stderr)
					}
					rest = rest[i+len(want):]
				}
			}
			// It ended on the cloud's settled answer, with nothing left,
			// after the retries' minutes had passed on the cloud's clock.
			if pending := cloud.Pending(); len(pending) > 0 {
				t.Errorf("the follow ended with the cloud busy: %v", pending)
			}
			if !strings.HasSuffix(got.stderr, "the local cloud has settled: nothing is in progress or due in it\n") {
				t.Errorf("stderr %q: want the follow to end on the settled cloud", got.stderr)
			}
			if covered := cloud.Now().Sub(began); covered < tt.covers {
				t.Errorf("the cloud's clock moved %s during the follow, want at least %s", covered, tt.covers)
			}
		})
	}
}

func TestReplayFollowNeedsALocalCloud(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL", "")
	got := runCLI(t, "replay", "--archive", "a", "--from", "1h", "--to", "now", "--follow")
	if got.code != 2 || !strings.Contains(got.stderr, "--follow reads what the replayed events do, retries included, from a local cloud's history") {
		t.Errorf("exit %d, stderr %q", got.code, got.stderr)
	}
}

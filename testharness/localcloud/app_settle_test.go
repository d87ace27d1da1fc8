package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
)

// Settled means done: once WaitSettled returns, every effect of what was
// done before is there, and nothing more can happen before the deadline.

// drain returns the envelopes already on ch, without waiting.
func drain(ch <-chan []byte) []envelope {
	var out []envelope
	for {
		select {
		case raw := <-ch:
			var e envelope
			if json.Unmarshal(raw, &e) == nil {
				out = append(out, e)
			}
		default:
			return out
		}
	}
}

func waitSettled(t *testing.T, c *localcloud.Cloud) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.WaitSettled(ctx, time.Now().Add(30*time.Second)); err != nil {
		t.Fatalf("the cloud did not settle: %v", err)
	}
}

func TestSettledAfterAnUploadMeansTheMetadataIsWritten(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	bucket := a.output(t, schemas.OutputBucketName)
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))

	for i, key := range []string{"settle/one.png", "settle/two.png", "settle/three.png"} {
		a.putPNG(t, key)
		waitSettled(t, a.cloud)
		head, err := a.s3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		if head.Metadata[schemas.S3UserMetadataImageWidth] != "8" {
			t.Fatalf("upload %d: settled before the metadata was written: %v", i, head.Metadata)
		}
		var written int
		for _, e := range drain(completions) {
			if e.DetailType == schemas.DetailTypeImageMetadataWritten && bytes.Contains(e.Detail, []byte(key)) {
				written++
			}
		}
		if written != 1 {
			t.Fatalf("upload %d: %d ImageMetadataWritten events when settled, want 1", i, written)
		}
	}
}

func TestSettledAfterAnInsertMeansTheAuditEntryIsWritten(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	group := a.output(t, schemas.OutputAuditLogGroupName)
	a.putItem(t, "USER#settle", "PROFILE", "corr-settle", nil)
	waitSettled(t, a.cloud)
	out, err := cloudwatchlogs.NewFromConfig(a.cfg).FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: &group, FilterPattern: aws.String(auditPattern("USER#settle")),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 {
		t.Fatalf("settled with %d audit entries for USER#settle, want 1", len(out.Events))
	}
}

func TestSettledAtOnceWhenTheRuleMatchesNothing(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	ctx := context.Background()
	eb := eventbridge.NewFromConfig(a.cfg)
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rules.Rules {
		if r.EventPattern == nil || !strings.Contains(*r.EventPattern, schemas.S3EventSource) {
			continue
		}
		_, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: r.Name, EventPattern: aws.String(`{"source":["aws.s3"],"detail":{"bucket":{"name":["another-bucket"]}}}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	completions := a.awaitEvents(t, a.output(t, schemas.OutputEventBusName))
	a.putPNG(t, "unmatched.png")
	waitSettled(t, a.cloud)
	if got := drain(completions); len(got) != 0 {
		t.Fatalf("the app announced %d events for an upload no rule matches", len(got))
	}
	if starts := a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"START RequestId:"`); len(starts) != 0 {
		t.Fatalf("the metadata function ran %d times", len(starts))
	}
}

func TestSettledEndpointAnswersOverHTTP(t *testing.T) {
	if testharness.SettledPath != localcloud.SettledPath {
		t.Fatalf("the harness asks %s, the cloud answers %s", testharness.SettledPath, localcloud.SettledPath)
	}
	a := deployApp(t, appAssemblyDir)
	a.putPNG(t, "http.png")
	// The harness's client of the GET form, as a test of your own uses it.
	settled, err := testharness.WaitSettled(context.Background(), nil, a.cloud.Endpoint(), time.Now().Add(30*time.Second))
	if err != nil || !settled {
		t.Fatalf("GET %s: settled %v, %v", localcloud.SettledPath, settled, err)
	}
	bucket := a.output(t, schemas.OutputBucketName)
	head, err := a.s3Client().HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("http.png")})
	if err != nil || head.Metadata[schemas.S3UserMetadataImageWidth] != "8" {
		t.Fatalf("settled over HTTP before the metadata was written: %v %v", head, err)
	}

	bad, err := http.Get(a.cloud.Endpoint() + localcloud.SettledPath + "?until=tomorrow")
	if err != nil {
		t.Fatal(err)
	}
	bad.Body.Close()
	if bad.StatusCode != http.StatusBadRequest {
		t.Fatalf("until=tomorrow: status %d, want 400", bad.StatusCode)
	}
}

package localcloud_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
)

// A wrong configuration fails locally as it would on AWS: what the
// template does not configure does not happen.

func (a *app) putPNG(t *testing.T, key string) {
	t.Helper()
	bucket := a.output(t, schemas.OutputBucketName)
	_, err := a.s3Client().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &bucket, Key: &key, Body: bytes.NewReader(pngOf(t, 8, 8)), ContentType: aws.String("image/png"),
	})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
}

func TestBucketWithoutEventBridgeNotificationsEmitsNothing(t *testing.T) {
	dir := assemblyedit.Copy(t, appAssemblyDir, func(tmpl assemblyedit.Template) {
		for _, b := range tmpl.ResourcesOfType(t, "AWS::S3::Bucket") {
			delete(b["Properties"].(map[string]any), "NotificationConfiguration")
		}
	})
	a := deployApp(t, dir)
	defaultBus := a.awaitEvents(t, "default")

	a.putPNG(t, "silent.png")
	// The canary, put on the default bus after the upload: the first
	// event the bus sees must be it.
	_, err := eventbridge.NewFromConfig(a.cfg).PutEvents(context.Background(), &eventbridge.PutEventsInput{
		Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("tracebridge.canary"), DetailType: aws.String("Canary"), Detail: aws.String(`{}`)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	first := nextEvent(t, defaultBus, "any event on the default bus", func(envelope) bool { return true })
	if first.Source != "tracebridge.canary" {
		t.Fatalf("the default bus saw %s %q before the canary: a bucket without EventBridge notifications must emit nothing", first.Source, first.DetailType)
	}
}

func TestRuleForAnotherBucketInvokesNothing(t *testing.T) {
	dir := assemblyedit.Copy(t, appAssemblyDir, func(tmpl assemblyedit.Template) {
		for _, r := range tmpl.ResourcesOfType(t, "AWS::Events::Rule") {
			pattern := r["Properties"].(map[string]any)["EventPattern"].(map[string]any)
			pattern["detail"] = map[string]any{"bucket": map[string]any{"name": []any{"some-other-bucket"}}}
		}
	})
	a := deployApp(t, dir)
	defaultBus := a.awaitEvents(t, "default")

	a.putPNG(t, "ignored.png")
	nextEvent(t, defaultBus, "the S3 Object Created event", func(e envelope) bool { return e.Source == schemas.S3EventSource })
	// Every delivery the event could cause has been tried, and every
	// invocation those queued has run: nothing may have started.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.cloud.EventBridge.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := a.cloud.Lambda.WaitAsyncIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if starts := a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"START RequestId:"`); len(starts) != 0 {
		t.Fatalf("the metadata function ran %d times for a rule that names another bucket", len(starts))
	}
}

func TestFunctionWithoutPermissionIsNotInvoked(t *testing.T) {
	dir := assemblyedit.Copy(t, appAssemblyDir, func(tmpl assemblyedit.Template) {
		for id := range tmpl.ResourcesOfType(t, "AWS::Lambda::Permission") {
			delete(tmpl.Resources(), id)
		}
	})
	a := deployApp(t, dir)

	a.putPNG(t, "denied.png")
	// EventBridge gives up on a target it may not invoke and sends the
	// event to the target's dead-letter queue, saying why.
	dlq := a.ruleDeadLetterQueueURL(t)
	out, err := sqs.NewFromConfig(a.cfg).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: &dlq, WaitTimeSeconds: 20, MessageAttributeNames: []string{"All"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Messages) != 1 {
		t.Fatalf("dead-letter queue got %d messages, want the one undeliverable event", len(out.Messages))
	}
	m := out.Messages[0]
	code := aws.ToString(m.MessageAttributes["ERROR_CODE"].StringValue)
	if code != "NO_PERMISSIONS" || !strings.Contains(aws.ToString(m.Body), `"key":"denied.png"`) {
		t.Fatalf("dead letter: ERROR_CODE %q body %s", code, aws.ToString(m.Body))
	}
	if starts := a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"START RequestId:"`); len(starts) != 0 {
		t.Fatalf("the metadata function ran %d times without permission to be invoked by the rule", len(starts))
	}
}

// ruleDeadLetterQueueURL finds the dead-letter queue of the target of the
// rule for the bucket's S3 events.
func (a *app) ruleDeadLetterQueueURL(t *testing.T) string {
	t.Helper()
	tmpl := assemblyedit.Read(t, appAssemblyDir)
	for _, r := range tmpl.ResourcesOfType(t, "AWS::Events::Rule") {
		props := r["Properties"].(map[string]any)
		pattern, _ := props["EventPattern"].(map[string]any)
		if sources, _ := pattern["source"].([]any); len(sources) != 1 || sources[0] != schemas.S3EventSource {
			continue // another rule, such as the harness's completion rule
		}
		targets := props["Targets"].([]any)
		getAtt := targets[0].(map[string]any)["DeadLetterConfig"].(map[string]any)["Arn"].(map[string]any)["Fn::GetAtt"].([]any)
		url, ok := a.stack.PhysicalIDs[getAtt[0].(string)]
		if !ok {
			t.Fatalf("no deployed queue %v", getAtt[0])
		}
		return url
	}
	t.Fatal("the template has no rule for S3 events")
	return ""
}

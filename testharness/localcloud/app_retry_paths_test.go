package localcloud_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// The retry paths AWS takes minutes over — Lambda's asynchronous retries
// (after 1 and 2 minutes), EventBridge's retries of an undeliverable
// event, a pipe's retries of a failing batch — played out on virtual
// time: each test ends once the cloud has settled with no timer left,
// and logs the cloud's time it covered against the wall time it took.

// The scenarios share one deployment and run one after the other: each
// waits until everything has settled, so none sees another's retries, and
// each counts only its own subjects.
func TestRetryPathsOnVirtualTime(t *testing.T) {
	a := deployApp(t, appAssemblyDir)
	for _, tt := range []struct {
		name string
		run  func(*testing.T, *app)
	}{
		{"killed function process is retried and announces once", killedProcessIsRetriedAndAnnouncesOnce},
		{"Lambda's asynchronous retry path of three minutes", lambdaAsyncRetryPathOfThreeMinutes},
		{"poison event lands in the rule's dead-letter queue", poisonEventLandsInTheRuleDeadLetterQueue},
		{"poison record lands in the pipe's dead-letter queue", poisonRecordLandsInThePipeDeadLetterQueue},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, a) })
	}
}

// awaitEverythingSettled waits until nothing is in progress and no timer
// is pending at all: every retry has run.
func (a *app) awaitEverythingSettled(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := a.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// functionName is the deployed name of the function built from goPackage.
func (a *app) functionName(t *testing.T, goPackage string) string {
	t.Helper()
	return a.stack.PhysicalIDs[functionLogicalID(t, goPackage)]
}

// timeTaken is when a test began, on the cloud's clock and the wall clock.
type timeTaken struct{ cloud, wall time.Time }

func (a *app) startTimer() timeTaken { return timeTaken{a.cloud.Now(), time.Now()} }

// covered is the cloud's time and the wall time since tt.
func (a *app) covered(tt timeTaken) (cloud, wall time.Duration) {
	return a.cloud.Now().Sub(tt.cloud).Round(time.Second), time.Since(tt.wall).Round(time.Millisecond)
}

// imageRetriedPast uploads key while count invocations of the image
// function meet an action fault, waits until everything has settled, and
// checks that Lambda's retries got the upload through: metadata written
// once, announced once, no earlier than after of cloud time.
func imageRetriedPast(t *testing.T, a *app, action faults.Action, count int, key string, after time.Duration) {
	t.Helper()
	tally := a.tallyCompletions(t)
	fn := a.functionName(t, imageFunctionPackage)
	f := addFault(t, a.cloud, faults.Spec{Service: "lambda", Resource: fn, Action: action, Count: count})
	began := a.startTimer()
	a.putPNG(t, key)
	a.awaitEverythingSettled(t)

	if n := fired(a.cloud, f); n != count {
		t.Fatalf("the %s fault fired %d times, want %d", action, n, count)
	}
	lost, dups := exactlyOnce(t, "ImageMetadataWritten", tally.of(schemas.DetailTypeImageMetadataWritten), []string{key})
	exactlyOnce(t, "metadata write", a.metadataWrites(t, []string{key}), []string{key})
	tally.expectNoFailures(t)
	cloud, wall := a.covered(began)
	if cloud < after {
		t.Errorf("the last attempt came after %v of cloud time, want Lambda's %v", cloud, after)
	}
	t.Logf("faults fired %d, outcomes lost %d, duplicates %d, cloud time %v in wall %v", count, lost, dups, cloud, wall)
}

// A killed process fails its invocation (Runtime.ExitError); Lambda
// retries the event a minute later.
func killedProcessIsRetriedAndAnnouncesOnce(t *testing.T, a *app) {
	imageRetriedPast(t, a, faults.Kill, 1, "killed.png", time.Minute)
	if exits := a.logMessages(t, a.functionLogGroup(t, imageFunctionPackage), `"Runtime.ExitError"`); len(exits) == 0 {
		t.Error("the function's log has no Runtime.ExitError for the killed invocation")
	}
}

// Lambda's whole asynchronous retry path: the first attempt and the retry
// a minute later fail, the last retry, two minutes after that, succeeds —
// 3 minutes of AWS's timings.
func lambdaAsyncRetryPathOfThreeMinutes(t *testing.T, a *app) {
	imageRetriedPast(t, a, faults.Fail, 2, "retried-twice.png", 3*time.Minute)
}

func poisonEventLandsInTheRuleDeadLetterQueue(t *testing.T, a *app) {
	fn := a.functionName(t, imageFunctionPackage)
	// Every invocation of the function is throttled: EventBridge retries
	// the event (the target's RetryAttempts: 3), then dead-letters it.
	throttle := addFault(t, a.cloud, faults.Spec{Service: "lambda", Resource: fn, Action: faults.Error})
	defer a.cloud.Faults().Remove(throttle.ID)
	began := a.startTimer()
	key := "poison.png"
	a.putPNG(t, key)
	a.awaitEverythingSettled(t)

	if n := fired(a.cloud, throttle); n != 4 {
		t.Errorf("the function was tried %d times, want 4 (the delivery and its 3 retries)", n)
	}
	out, err := sqs.NewFromConfig(a.cfg).ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(a.ruleDeadLetterQueueURL(t)), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"}})
	if err != nil || len(out.Messages) != 1 {
		t.Fatalf("rule dead-letter queue: %v, %d messages, want the poison event", err, len(out.Messages))
	}
	m := out.Messages[0]
	if !strings.Contains(aws.ToString(m.Body), `"key":"`+key+`"`) {
		t.Errorf("dead letter body %s, want the upload's event", aws.ToString(m.Body))
	}
	// EventBridge's attributes on a dead letter (EventBridge User Guide,
	// "Using dead-letter queues to process undelivered events").
	attrs := map[string]string{}
	for k, v := range m.MessageAttributes {
		attrs[k] = aws.ToString(v.StringValue)
	}
	for _, name := range []string{"ERROR_CODE", "ERROR_MESSAGE", "RULE_ARN", "TARGET_ARN"} {
		if attrs[name] == "" {
			t.Errorf("dead letter lacks %s: %v", name, attrs)
		}
	}
	if !strings.Contains(attrs["ERROR_MESSAGE"], "TooManyRequestsException") && !strings.Contains(attrs["ERROR_MESSAGE"], "Rate Exceeded") {
		t.Errorf("ERROR_MESSAGE %q does not say the invocation was throttled", attrs["ERROR_MESSAGE"])
	}
	if !strings.HasSuffix(attrs["TARGET_ARN"], ":function:"+fn) {
		t.Errorf("TARGET_ARN %q, want the image function", attrs["TARGET_ARN"])
	}
	cloud, wall := a.covered(began)
	t.Logf("faults fired %d, dead-lettered 1 (%s), cloud time %v in wall %v", fired(a.cloud, throttle), attrs["ERROR_CODE"], cloud, wall)
}

func poisonRecordLandsInThePipeDeadLetterQueue(t *testing.T, a *app) {
	fn := a.functionName(t, auditFunctionPackage)
	// Every invocation fails: the pipe retries the batch (its
	// MaximumRetryAttempts), then sends where the records are to its
	// dead-letter queue.
	fail := addFault(t, a.cloud, faults.Spec{Service: "lambda", Resource: fn, Action: faults.Fail})
	defer a.cloud.Faults().Remove(fail.ID)
	began := a.startTimer()
	a.putItem(t, "USER#poison", "PROFILE", "corr-poison", nil)
	a.awaitEverythingSettled(t)

	if n := fired(a.cloud, fail); n < 2 {
		t.Errorf("the batch was tried %d times, want it retried", n)
	}
	var letter struct {
		Context struct {
			PartnerResourceArn string `json:"partnerResourceArn"`
			Condition          string `json:"condition"`
		} `json:"context"`
		Batch struct {
			BatchSize           int    `json:"batchSize"`
			StartSequenceNumber string `json:"startSequenceNumber"`
			StreamArn           string `json:"streamArn"`
		} `json:"DDBStreamBatchInfo"`
	}
	if err := json.Unmarshal([]byte(a.receiveOne(t, a.pipeDeadLetterQueueURL(t))), &letter); err != nil {
		t.Fatal(err)
	}
	if letter.Context.Condition != "RetryAttemptsExhausted" || letter.Batch.BatchSize != 1 ||
		letter.Batch.StartSequenceNumber == "" || letter.Batch.StreamArn == "" ||
		!strings.Contains(letter.Context.PartnerResourceArn, ":pipe/") {
		t.Errorf("dead letter %+v, want the one record's batch after its retries", letter)
	}
	if entries := a.auditEntries(t); entries["USER#poison"] != 0 {
		t.Errorf("the poison record was audited %d times", entries["USER#poison"])
	}
	cloud, wall := a.covered(began)
	t.Logf("faults fired %d, dead-lettered 1 batch, cloud time %v in wall %v", fired(a.cloud, fail), cloud, wall)
}

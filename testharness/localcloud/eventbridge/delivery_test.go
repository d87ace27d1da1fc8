package eventbridge

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

const dlqARN = "arn:aws:sqs:us-east-1:000000000000:dlq"

func failingTarget(id string, retries, age int32) types.Target {
	t := lambdaTarget(id)
	t.RetryPolicy = &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(retries)}
	if age > 0 {
		t.RetryPolicy.MaximumEventAgeInSeconds = aws.Int32(age)
	}
	t.DeadLetterConfig = &types.DeadLetterConfig{Arn: aws.String(dlqARN)}
	return t
}

// advanceWhenWaiting moves the fake clock once a retry waits on it.
func (f *fixture) advanceWhenWaiting(t *testing.T, d time.Duration) {
	t.Helper()
	eventually(t, "a retry waiting on the clock", func() bool { return f.clock.Waiters() > 0 })
	f.clock.Advance(d)
}

func TestRetryThenDeadLetterQueue(t *testing.T) {
	f := newFixture(t)
	f.lambda.failWith(func(string) error {
		return awsproto.NewError("ServiceException", http.StatusInternalServerError, "the function's service failed")
	})
	ruleArn := f.rule(t, "default", "r", `{"source":["app"]}`, failingTarget("fn", 2, 0))
	out := f.put(t, entry("app", "T", `{"n":1}`))

	recv(t, f.lambda.calls)
	f.advanceWhenWaiting(t, time.Second) // first retry after 1 s
	recv(t, f.lambda.calls)
	f.advanceWhenWaiting(t, 2*time.Second) // second after 2 s more
	recv(t, f.lambda.calls)

	dl := recv(t, f.sqs.msgs)
	if dl.ARN != dlqARN {
		t.Fatalf("dead letter sent to %s", dl.ARN)
	}
	want := map[string]string{"RULE_ARN": ruleArn, "TARGET_ARN": fnARN, "ERROR_CODE": "ERROR_FROM_TARGET",
		"ERROR_MESSAGE": "the function's service failed", "RETRY_ATTEMPTS": "2", "EXHAUSTED_RETRY_CONDITION": "MaximumRetryAttempts"}
	for k, v := range want {
		if dl.Msg.Attributes[k] != v {
			t.Errorf("attribute %s = %q, want %q", k, dl.Msg.Attributes[k], v)
		}
	}
	if id := *out.Entries[0].EventId; !strings.Contains(dl.Msg.Body, `"id":"`+id+`"`) {
		t.Errorf("dead letter body is not the event: %s", dl.Msg.Body)
	}
	fail := recv(t, f.failures)
	if fail.Attempts != 3 || fail.DeadLetterARN != dlqARN || fail.DeadLetterErr != nil {
		t.Errorf("failure %+v", fail)
	}
	f.flush(t)
	none(t, f.lambda.calls, "attempt after the retries ran out")
}

func TestPermissionDeniedGoesStraightToDeadLetterQueue(t *testing.T) {
	f := newFixture(t)
	f.lambda.failWith(func(arn string) error {
		return awsproto.NewError("AccessDeniedException", http.StatusForbidden,
			"events.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: "+arn)
	})
	f.rule(t, "default", "r", `{"source":["app"]}`, failingTarget("fn", 185, 0))
	f.put(t, entry("app", "T", `{}`))
	recv(t, f.lambda.calls)
	dl := recv(t, f.sqs.msgs)
	if dl.Msg.Attributes["ERROR_CODE"] != "NO_PERMISSIONS" || dl.Msg.Attributes["RETRY_ATTEMPTS"] != "0" {
		t.Errorf("attributes %+v", dl.Msg.Attributes)
	}
	if _, ok := dl.Msg.Attributes["EXHAUSTED_RETRY_CONDITION"]; ok {
		t.Error("a permission error has no exhausted retry condition")
	}
	f.flush(t)
	if f.clock.Waiters() != 0 {
		t.Error("a permission error was scheduled for retry")
	}
	none(t, f.lambda.calls, "retry of a permission error")
}

func TestEventAgeEndsRetries(t *testing.T) {
	f := newFixture(t)
	f.lambda.failWith(func(string) error { return errors.New("connection reset") })
	f.rule(t, "default", "r", `{"source":["app"]}`, failingTarget("fn", 185, 60))
	f.put(t, entry("app", "T", `{}`))
	recv(t, f.lambda.calls)
	f.advanceWhenWaiting(t, 2*time.Minute)
	dl := recv(t, f.sqs.msgs)
	if dl.Msg.Attributes["EXHAUSTED_RETRY_CONDITION"] != "MaximumEventAgeInSeconds" || dl.Msg.Attributes["RETRY_ATTEMPTS"] != "0" {
		t.Errorf("attributes %+v", dl.Msg.Attributes)
	}
}

func TestUndeliverableWithoutDeadLetterQueueIsDropped(t *testing.T) {
	f := newFixture(t)
	f.lambda.failWith(func(string) error {
		return awsproto.NewError("ResourceNotFoundException", http.StatusNotFound, "Function not found")
	})
	f.rule(t, "default", "r", `{"source":["app"]}`, lambdaTarget("fn"))
	f.put(t, entry("app", "T", `{}`))
	fail := recv(t, f.failures)
	if fail.ErrorCode != "NO_RESOURCE" || fail.DeadLetterARN != "" || fail.Attempts != 1 {
		t.Errorf("failure %+v", fail)
	}
	f.flush(t)
	none(t, f.sqs.msgs, "dead letter without a DLQ")
}

// TestRetrySucceeds: a target that recovers receives the event once more
// and nothing reaches the dead-letter queue.
func TestRetrySucceeds(t *testing.T) {
	f := newFixture(t)
	failures := 1
	f.lambda.failWith(func(string) error {
		if failures > 0 {
			failures--
			return awsproto.NewError("TooManyRequestsException", http.StatusTooManyRequests, "Rate Exceeded.")
		}
		return nil
	})
	f.rule(t, "default", "r", `{"source":["app"]}`, failingTarget("fn", 3, 0))
	f.put(t, entry("app", "T", `{}`))
	first, second := recv(t, f.lambda.calls), func() lambdaCall { f.advanceWhenWaiting(t, time.Second); return recv(t, f.lambda.calls) }()
	if first.Payload != second.Payload {
		t.Error("the retry carried another payload")
	}
	f.flush(t)
	none(t, f.sqs.msgs, "dead letter after a successful retry")
	none(t, f.failures, "failure after a successful retry")
}

// TestQueuesReceiveTheEventsTraceHeader: an SQS target and a dead-letter
// queue get the trace header PutEvents carried (for SQS's AWSTraceHeader),
// not inside the event.
func TestQueuesReceiveTheEventsTraceHeader(t *testing.T) {
	f := newFixture(t)
	f.lambda.failWith(func(string) error {
		return awsproto.NewError("AccessDeniedException", http.StatusForbidden, "denied")
	})
	const header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	f.rule(t, "default", "q", `{"source":["app"]}`, types.Target{Id: aws.String("q"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:q")})
	f.rule(t, "default", "fn", `{"source":["app"]}`, failingTarget("fn", 0, 0))
	e := entry("app", "T", `{}`)
	e.TraceHeader = aws.String(header)
	f.put(t, e)
	for range 2 { // the target's message and the function's dead letter
		c := recv(t, f.sqs.msgs)
		if c.Msg.TraceHeader != header || strings.Contains(c.Msg.Body, "Root=") {
			t.Errorf("message to %s: trace header %q, body %s", c.ARN, c.Msg.TraceHeader, c.Msg.Body)
		}
	}
}

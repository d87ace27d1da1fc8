package diagnose_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// setWorkerFilter replaces the filter of the worker's mapping.
func (a *app) setWorkerFilter(t *testing.T, m lambdatypes.EventSourceMappingConfiguration, pattern string) {
	t.Helper()
	_, err := lambda.NewFromConfig(a.cfg).UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: m.UUID,
		FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String(pattern)}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// sendOrder sends body to the orders queue and returns its trigger.
func (a *app) sendOrder(t *testing.T, body string) testharness.Trigger {
	t.Helper()
	url := a.output(t, orders.OutputQueueURL)
	at := time.Now()
	out, err := sqs.NewFromConfig(a.cfg).SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
	if err != nil {
		t.Fatal(err)
	}
	return testharness.Trigger{At: at, SQSMessage: &testharness.SQSMessageTrigger{Queue: url, MessageID: aws.ToString(out.MessageId), Body: body}}
}

// finding is the report's finding of this link, or nil.
func finding(r diagnose.Report, link string) *diagnose.Finding {
	for i := range r.Path {
		if r.Path[i].Link == link {
			return &r.Path[i]
		}
	}
	return nil
}

// A body that is not JSON is matched as a string (Lambda Developer Guide,
// "Using event filtering with an Amazon SQS event source").
func TestPlainBodyPassesAFilterOnTheBodyAsAString(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	a.setWorkerFilter(t, m, `{"body":[{"prefix":"ping "}]}`)
	r, err := a.d.Static(context.Background(), a.sendOrder(t, "ping 1"))
	if f := finding(r, "mapping filter"); err != nil || r.Broken != nil || f == nil || !f.OK {
		t.Fatalf("a plain body against a plain-string filter: %v %s", err, r)
	}
}

// Lambda drops a message whose body's format differs from the filter's
// body pattern: the diagnosis says so, not that a field is absent.
func TestPlainBodyAgainstAFilterOnJSONFieldsNamesTheFormat(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	a.setWorkerFilter(t, m, `{"body":{"orderId":[{"exists":true}]}}`)
	r, err := a.d.Static(context.Background(), a.sendOrder(t, "ping 1"))
	expectBroken(t, r, err, "mapping filter", "'s filter drops the message: the body is not a JSON object, and the filter names fields of a JSON body")
}

// A JSON body against a filter that matches the body as a string.
func TestJSONBodyAgainstAPlainStringFilterNamesTheFormat(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	a.setWorkerFilter(t, m, `{"body":[{"prefix":"{"}]}`)
	r, err := a.d.Static(context.Background(), a.sendOrder(t, `{"orderId":"o-1","quantity":1}`))
	expectBroken(t, r, err, "mapping filter", "the body is a JSON object, and the filter matches the body as a plain string")
}

// A trigger without the body cannot have the filter tested against it:
// left unchecked, never called broken.
func TestTriggerWithoutBodyLeavesTheFilterUnchecked(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	a.setWorkerFilter(t, m, `{"body":{"orderId":[{"prefix":"VIP-"}]}}`)
	trigger := a.sendOrder(t, `{"orderId":"o-1","quantity":1}`)
	trigger.SQSMessage.Body = ""
	r, err := a.d.Static(context.Background(), trigger)
	f := finding(r, "mapping filter")
	if err != nil || r.Broken != nil || f == nil || f.Unchecked == nil || !strings.Contains(f.Detail, "carries no message body") {
		t.Fatalf("the filter without the body: %v %s", err, r)
	}
}

// When the queue's attributes cannot be read, the queue is left unchecked
// and its mappings are still followed, by the ARN the queue's URL makes.
func TestUnreadableQueueIsUncheckedAndItsMappingsFollowed(t *testing.T) {
	a := deployOrderFlow(t)
	_, m := a.workerMapping(t)
	if _, err := lambda.NewFromConfig(a.cfg).UpdateEventSourceMapping(context.Background(), &lambda.UpdateEventSourceMappingInput{UUID: m.UUID, Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.cloud.Faults().Add(faults.Spec{Service: "sqs", Operation: "GetQueueAttributes", Action: faults.Error,
		ErrorCode: "AccessDenied", StatusCode: http.StatusForbidden, Message: "denied"}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.sendOrder(t, `{"orderId":"o-1","quantity":1}`))
	expectBroken(t, r, err, "event source mapping", ") is Disabled")
	if q := finding(r, "queue"); q == nil || q.Unchecked == nil || q.Unchecked.Operation != "SQS GetQueueAttributes" {
		t.Errorf("the queue link: %+v, want it unchecked by GetQueueAttributes", q)
	}
}

// Lambda reads an SSE-KMS queue only if the function's role may
// kms:Decrypt with its key, which the key's policy can grant too: the
// diagnosis leaves that unchecked, and says so, instead of "every link
// checks out".
func TestKMSEncryptedQueueLeavesDecryptUnchecked(t *testing.T) {
	a := deployOrderFlow(t)
	url := a.output(t, orders.OutputQueueURL)
	_, err := sqs.NewFromConfig(a.cfg).SetQueueAttributes(context.Background(), &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{string(sqstypes.QueueAttributeNameKmsMasterKeyId): "alias/orders"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.sendOrder(t, `{"orderId":"o-1","quantity":1}`))
	f := finding(r, "queue encryption")
	if err != nil || r.Broken != nil || f == nil || f.Unchecked == nil || !strings.Contains(f.Detail, "needs kms:Decrypt on it") {
		t.Fatalf("an SSE-KMS queue: %v %s", err, r)
	}
	if !strings.Contains(r.String(), "not every link could be checked") {
		t.Errorf("String() of a partial report: %s", r)
	}
}

package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

const (
	ruleARN  = "arn:aws:events:us-east-1:000000000000:rule/app-bus/on-upload"
	queueARN = "arn:aws:sqs:us-east-1:000000000000:failures"
)

// allowEvents grants events.amazonaws.com through AWS::Lambda::Permission.
func allowEvents(t *testing.T, h *harness, name, sourceARN string) {
	t.Helper()
	_, err := h.svc.Provisioners()["AWS::Lambda::Permission"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "AllowEvents", Type: "AWS::Lambda::Permission",
		Properties: map[string]any{"FunctionName": functionARN(name), "Action": "lambda:InvokeFunction",
			"Principal": "events.amazonaws.com", "SourceArn": sourceARN},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAsyncRetriesTwiceThenSendsToOnFailure(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	h := newHarness(t, fake)
	name := h.deploy(t, "Async", map[string]any{"FunctionName": "async-fn"})
	allowEvents(t, h, name, "arn:aws:events:us-east-1:000000000000:rule/app-bus/*")
	_, err := h.svc.Provisioners()["AWS::Lambda::EventInvokeConfig"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "AsyncConfig", Type: "AWS::Lambda::EventInvokeConfig",
		Properties: map[string]any{"FunctionName": name, "Qualifier": "$LATEST",
			"DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": queueARN}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	payload := `{"action":"error","message":"cannot read image"}`
	// The caller names the invocation (EventBridge does, to follow it).
	const requestID = "5b6c7d8e-0000-4000-8000-0123456789ab"
	if err := h.svc.InvokeAsync(context.Background(), functionARN(name), []byte(payload),
		AsyncOptions{Principal: "events.amazonaws.com", SourceARN: ruleARN, RequestID: requestID}); err != nil {
		t.Fatal(err)
	}
	// The first attempt fails, then the retries wait one and two minutes.
	for _, delay := range []time.Duration{time.Minute, 2 * time.Minute} {
		waitForTimers(t, fake, 1)
		select {
		case r := <-h.dests.records:
			t.Fatalf("record sent before the retries: %+v", r)
		default:
		}
		fake.Advance(delay)
	}
	var sent sentRecord
	select {
	case sent = <-h.dests.records:
	case <-time.After(10 * time.Second):
		t.Fatal("no OnFailure record")
	}
	rec := sent.record
	if sent.arn != queueARN || rec.Version != "1.0" || rec.RequestContext.Condition != "RetriesExhausted" ||
		rec.RequestContext.ApproximateInvokeCount != 3 || rec.RequestContext.FunctionARN != functionARN(name)+":$LATEST" ||
		rec.RequestContext.RequestID != requestID {
		t.Fatalf("record = %+v to %s", rec, sent.arn)
	}
	if string(rec.RequestPayload) != payload {
		t.Errorf("requestPayload = %s", rec.RequestPayload)
	}
	if rc := rec.ResponseContext; rc == nil || rc.StatusCode != 200 || rc.ExecutedVersion != "$LATEST" || rc.FunctionError != "Unhandled" {
		t.Errorf("responseContext = %+v", rc)
	}
	var resp errorDoc
	if err := json.Unmarshal(rec.ResponsePayload, &resp); err != nil || resp.ErrorMessage != "cannot read image" {
		t.Errorf("responsePayload = %s", rec.ResponsePayload)
	}
	// The documented shape, key for key.
	b, _ := json.Marshal(rec)
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"} {
		if _, ok := top[k]; !ok {
			t.Errorf("record lacks %q: %s", k, b)
		}
	}
	if len(top) != 6 {
		t.Errorf("record has extra keys: %s", b)
	}
}

func TestAsyncEventAgeExceeded(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	h := newHarness(t, fake)
	name := h.deploy(t, "Aged", nil)
	allowEvents(t, h, name, "")
	age, retries := int32(60), int32(2)
	_, err := h.client.PutFunctionEventInvokeConfig(context.Background(), &lambdasdk.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumEventAgeInSeconds: &age, MaximumRetryAttempts: &retries,
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(queueARN)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.svc.InvokeAsync(context.Background(), name, []byte(`{"action":"error","message":"x"}`),
		AsyncOptions{Principal: "events.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	waitForTimers(t, fake, 1)
	fake.Advance(time.Minute + time.Second) // past the 60 s age before the retry
	select {
	case r := <-h.dests.records:
		if r.record.RequestContext.Condition != "EventAgeExceeded" || r.record.RequestContext.ApproximateInvokeCount != 1 {
			t.Fatalf("record = %+v", r.record.RequestContext)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no record")
	}
}

func TestAsyncInvokeNeedsAResourcePolicy(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Guarded", nil)
	invokeAsync := func(source string) error {
		return h.svc.InvokeAsync(context.Background(), functionARN(name), []byte(`{}`),
			AsyncOptions{Principal: "events.amazonaws.com", SourceARN: source})
	}
	var e *awsproto.Error
	if err := invokeAsync(ruleARN); !errors.As(err, &e) || e.Code != "AccessDeniedException" {
		t.Fatalf("without a permission: %v", err)
	}
	allowEvents(t, h, name, "arn:aws:events:us-east-1:000000000000:rule/other-bus/*")
	if err := invokeAsync(ruleARN); !errors.As(err, &e) || e.Code != "AccessDeniedException" {
		t.Fatalf("with another source's permission: %v", err)
	}
	if err := h.svc.InvokeAsync(context.Background(), functionARN(name), []byte(`{}`),
		AsyncOptions{Principal: "s3.amazonaws.com", SourceARN: "arn:aws:events:us-east-1:000000000000:rule/other-bus/r"}); !errors.As(err, &e) {
		t.Fatalf("another principal: %v", err)
	}
	if err := invokeAsync("arn:aws:events:us-east-1:000000000000:rule/other-bus/r"); err != nil {
		t.Fatalf("allowed source: %v", err)
	}
}

func TestInvokeEventTypeIsQueued(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Queued", nil)
	onSuccess := "arn:aws:events:us-east-1:000000000000:event-bus/app"
	if _, err := h.client.PutFunctionEventInvokeConfig(context.Background(), &lambdasdk.PutFunctionEventInvokeConfigInput{
		FunctionName:      aws.String(name),
		DestinationConfig: &types.DestinationConfig{OnSuccess: &types.OnSuccess{Destination: aws.String(onSuccess)}},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{
		FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent, Payload: []byte(`{"message":"queued"}`)})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("status %v, err %v", out, err)
	}
	select {
	case r := <-h.dests.records:
		if r.arn != onSuccess || r.record.RequestContext.Condition != "Success" || r.record.RequestContext.ApproximateInvokeCount != 1 {
			t.Fatalf("record = %+v", r)
		}
		if decode[echo](t, r.record.ResponsePayload).Message != "queued" {
			t.Fatalf("responsePayload = %s", r.record.ResponsePayload)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no OnSuccess record")
	}
}

func TestWaitAsyncIdleReturnsAfterQueuedEventsRan(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Idle", map[string]any{"FunctionName": "idle-fn"})
	allowEvents(t, h, name, ruleARN)
	ctx := context.Background()
	if err := h.svc.WaitAsyncIdle(ctx); err != nil {
		t.Fatalf("idle service: %v", err)
	}
	for range 3 {
		if err := h.svc.InvokeAsync(ctx, functionARN(name), []byte(`{"action":"echo"}`),
			AsyncOptions{Principal: "events.amazonaws.com", SourceARN: ruleARN}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := h.svc.WaitAsyncIdle(ctx); err != nil {
		t.Fatal(err)
	}
	starts := 0
	for _, e := range h.logs.snapshot() {
		if strings.HasPrefix(e.message, "START RequestId:") {
			starts++
		}
	}
	if starts != 3 {
		t.Fatalf("START lines once idle = %d, want 3: every queued event must have run", starts)
	}
}

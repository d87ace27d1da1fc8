package starter

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
)

// The starter runs against the local cloud's Step Functions with a
// one-state machine that passes its input through, and a CloudFormation
// response URL served by the test.

type fixture struct {
	cloud   *localcloud.Cloud
	h       *Handler
	answers chan cfn.Response
	url     string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, localcloud.Options{IAM: localcloud.IAMOff})
}

func newFixtureOn(t *testing.T, opts localcloud.Options) *fixture {
	t.Helper()
	cloud := localcloud.RunT(t, opts)
	cfg, err := testharness.LocalConfig(context.Background(), cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	client := sfn.NewFromConfig(cfg)
	sm, err := client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{
		Name: aws.String("tests"), RoleArn: aws.String("arn:aws:iam::000000000000:role/tests"),
		Definition: aws.String(`{"StartAt":"Run","States":{"Run":{"Type":"Pass","End":true}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{cloud: cloud, answers: make(chan cfn.Response, 4)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var doc cfn.Response
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Errorf("response body: %v", err)
		}
		f.answers <- doc
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.h = &Handler{StateMachineArn: aws.ToString(sm.StateMachineArn), SFN: client, CloudFormation: stackStatus{types.StackStatusUpdateInProgress, nil},
		HTTP: srv.Client(), Log: slog.New(slog.DiscardHandler)}
	return f
}

func (f *fixture) event(typ cfn.RequestType) cfn.Event {
	return cfn.Event{RequestType: typ, RequestID: "6f1c2e0a-0b1d-4c8e-9a4b-1d2e3f4a5b6c", ResponseURL: f.url + "/answer",
		ResourceType: "Custom::TestRun", LogicalResourceID: "TestRun", PhysicalResourceID: "TestRun",
		StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/app/1", ResourceProperties: map[string]any{"Nonce": "42"}}
}

func TestCreateStartsTheRunWithTheRequestAndDoesNotAnswer(t *testing.T) {
	f := newFixture(t)
	done := make(chan stepfunctions.ExecutionResult, 1)
	defer f.cloud.StepFunctions.OnExecutionDone(func(r stepfunctions.ExecutionResult) { done <- r })()
	ev := f.event(cfn.RequestCreate)
	if err := f.h.HandleRequest(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	var r stepfunctions.ExecutionResult
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("no execution ended within 30s")
	}
	var in ExecutionInput
	if err := json.Unmarshal([]byte(r.Output), &in); err != nil || in.CloudFormation.RequestID != ev.RequestID || in.CloudFormation.ResponseURL != ev.ResponseURL {
		t.Fatalf("execution output (its input passed through) = %s (%v)", r.Output, err)
	}
	if !strings.HasSuffix(r.ExecutionArn, ":cfn-"+ev.RequestID) {
		t.Errorf("execution %s is not named after the request", r.ExecutionArn)
	}
	// The same request again (a Lambda retry) starts nothing new.
	if err := f.h.HandleRequest(context.Background(), ev); err != nil {
		t.Fatalf("repeated request: %v", err)
	}
	select {
	case a := <-f.answers:
		t.Fatalf("the starter answered %s itself; the report step answers", a.Status)
	default:
	}
}

func TestDeleteAnswersSuccessAtOnce(t *testing.T) {
	f := newFixture(t)
	if err := f.h.HandleRequest(context.Background(), f.event(cfn.RequestDelete)); err != nil {
		t.Fatal(err)
	}
	a := <-f.answers
	if a.Status != cfn.StatusSuccess || a.PhysicalResourceID != "TestRun" || a.RequestID != "6f1c2e0a-0b1d-4c8e-9a4b-1d2e3f4a5b6c" {
		t.Fatalf("answer = %+v", a)
	}
}

func TestStartFailureAnswersFailedWithTheReason(t *testing.T) {
	f := newFixture(t)
	f.h.StateMachineArn = "arn:aws:states:us-east-1:000000000000:stateMachine:missing"
	if err := f.h.HandleRequest(context.Background(), f.event(cfn.RequestUpdate)); err != nil {
		t.Fatal(err)
	}
	a := <-f.answers
	if a.Status != cfn.StatusFailed || !strings.Contains(a.Reason, "StateMachineDoesNotExist") || !strings.Contains(a.Reason, "stateMachine:missing") {
		t.Fatalf("answer = %+v", a)
	}
}

package cloudformation

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:provider"

func customTemplate(extra string) string {
	return `{"Resources": {
	"Before": {"Type": "Test::Thing"},
	"Run": {"Type": "Custom::TestRun", "DependsOn": "Before", "Properties": {"ServiceToken": "` + fnARN + `", "Count": 3, "Enabled": true, "Nonce": "` + extra + `"}}
	}, "Outputs": {"Answer": {"Value": {"Fn::GetAtt": ["Run", "Answer"]}}, "Id": {"Value": {"Ref": "Run"}}}}`
}

func TestCustomResourceSuccessAndUpdate(t *testing.T) {
	inv := newInvoker(t, func(req customRequest) *customResponse {
		return &customResponse{Status: "SUCCESS", PhysicalResourceID: "run-1", RequestID: req.RequestID, StackID: req.StackID,
			LogicalResourceID: req.LogicalResourceID, Data: map[string]any{"Answer": req.RequestType + "-42"}}
	})
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	res, err := h.deploy(t, "Custom", customTemplate("a"))
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	create := inv.next(t)
	if create.RequestType != "Create" || create.LogicalResourceID != "Run" || create.ResourceType != "Custom::TestRun" || create.StackID != res.StackID ||
		!strings.HasPrefix(create.ResponseURL, h.url+"/_localcloud/cloudformation/responses/") || create.PhysicalResourceID != "" {
		t.Errorf("create request = %+v", create)
	}
	wantProps := map[string]any{"ServiceToken": fnARN, "Count": "3", "Enabled": "true", "Nonce": "a"}
	if !reflect.DeepEqual(create.ResourceProperties, wantProps) {
		t.Errorf("ResourceProperties = %v, want %v (scalars as strings)", create.ResourceProperties, wantProps)
	}
	if want := map[string]string{"Answer": "Create-42", "Id": "run-1"}; !reflect.DeepEqual(res.Outputs, want) {
		t.Errorf("outputs = %v, want %v", res.Outputs, want)
	}

	// A changed property sends Update with the old properties; the
	// unchanged resource is left alone.
	res, err = h.deploy(t, "Custom", customTemplate("b"))
	if err != nil || res.Status != StatusUpdateComplete {
		t.Fatalf("update: %v %+v", err, res)
	}
	update := inv.next(t)
	if update.RequestType != "Update" || update.PhysicalResourceID != "run-1" || update.OldResourceProperties["Nonce"] != "a" || update.ResourceProperties["Nonce"] != "b" {
		t.Errorf("update request = %+v", update)
	}
	if res.Outputs["Answer"] != "Update-42" {
		t.Errorf("outputs after update = %v", res.Outputs)
	}
	if got := h.rec.entries(); !reflect.DeepEqual(got, []string{"create Before"}) {
		t.Errorf("provisioner calls = %v", got)
	}

	// The same template again changes nothing.
	if again, err := h.deploy(t, "Custom", customTemplate("b")); err != nil || again.Status != StatusUpdateComplete {
		t.Fatalf("no-op deploy: %v", err)
	}
	if err := h.engine.DeleteStack(context.Background(), "Custom"); err != nil {
		t.Fatal(err)
	}
	if del := inv.next(t); del.RequestType != "Delete" || del.PhysicalResourceID != "run-1" {
		t.Errorf("delete request = %+v", del)
	}
}

func TestCustomResourceFailedRollsBackWithDelete(t *testing.T) {
	inv := newInvoker(t, func(req customRequest) *customResponse {
		if req.RequestType == "Create" {
			return &customResponse{Status: "FAILED", Reason: "2 tests failed", PhysicalResourceID: "run-x", RequestID: req.RequestID}
		}
		return &customResponse{Status: "SUCCESS", PhysicalResourceID: req.PhysicalResourceID, RequestID: req.RequestID}
	})
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	res, err := h.deploy(t, "Custom", customTemplate("a"))
	var de *DeployError
	if !errors.As(err, &de) || res.Status != StatusRollbackComplete {
		t.Fatalf("err = %v", err)
	}
	create, del := inv.next(t), inv.next(t)
	wantReason := "Received response status [FAILED] from custom resource. Message returned: 2 tests failed (RequestId: " + create.RequestID + ")"
	if de.FailedResources["Run"] != wantReason {
		t.Errorf("reason = %q, want %q", de.FailedResources["Run"], wantReason)
	}
	if del.RequestType != "Delete" || del.PhysicalResourceID != "run-x" {
		t.Errorf("rollback request = %+v", del)
	}
	if got := h.rec.entries(); !reflect.DeepEqual(got, []string{"create Before", "delete Before before-1"}) {
		t.Errorf("provisioner calls = %v", got)
	}
	events := h.resourceEvents(t, "Custom")
	if i := indexOf(events, "Run DELETE_COMPLETE"); i < 0 || i > indexOf(events, "Before DELETE_IN_PROGRESS") {
		t.Errorf("the failed custom resource is deleted first: %v", events)
	}
}

func TestCustomResourceTimeoutOnTheClock(t *testing.T) {
	inv := newInvoker(t, func(customRequest) *customResponse { return nil })
	h := newHarness(t, func(o *Options) { o.Invoker = inv; o.CustomResourceTimeout = 5 * time.Minute })
	type outcome struct {
		res *StackResult
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := h.deploy(t, "Custom", customTemplate("a"))
		done <- outcome{res, err}
	}()
	req := inv.next(t)
	h.clk.Advance(5*time.Minute - time.Second)
	select {
	case o := <-done:
		t.Fatalf("deploy ended before the timeout: %+v", o.res)
	default:
	}
	h.clk.Advance(time.Second)
	var o outcome
	select {
	case o = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("deploy did not end at the timeout")
	}
	var de *DeployError
	if !errors.As(o.err, &de) || !strings.HasPrefix(de.FailedResources["Run"], "CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId ["+req.RequestID+"].") {
		t.Fatalf("err = %v", o.err)
	}
	if o.res.Status != StatusRollbackComplete {
		t.Errorf("status %s", o.res.Status)
	}
}

func TestCustomResourceServiceTimeoutAndBadTokens(t *testing.T) {
	inv := newInvoker(t, func(customRequest) *customResponse { return nil })
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	done := make(chan error, 1)
	go func() {
		_, err := h.deploy(t, "Short", `{"Resources": {"R": {"Type": "AWS::CloudFormation::CustomResource", "Properties": {"ServiceToken": "`+fnARN+`", "ServiceTimeout": 60}}}}`)
		done <- err
	}()
	inv.next(t)
	h.clk.Advance(time.Minute)
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "did not receive a response") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ServiceTimeout 60 was not honoured")
	}

	_, err := h.deploy(t, "Sns", `{"Resources": {"R": {"Type": "Custom::X", "Properties": {"ServiceToken": "arn:aws:sns:us-east-1:000000000000:topic"}}}}`)
	if err == nil || !strings.Contains(err.Error(), "is an SNS topic") {
		t.Errorf("SNS token: %v", err)
	}
}

func TestResponseURLRejectsUnknownTokens(t *testing.T) {
	h := newHarness(t, nil)
	req, _ := newPut(h.url+"/_localcloud/cloudformation/responses/nope", `{"Status":"SUCCESS"}`)
	if req.StatusCode != 404 {
		t.Errorf("status %d", req.StatusCode)
	}
}

// notifier is a fake S3 that records notification configurations.
type notifier struct {
	mu   sync.Mutex
	puts []string
}

func (n *notifier) PutBucketNotificationConfiguration(_ context.Context, bucket string, cfg json.RawMessage) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.puts = append(n.puts, bucket+" "+string(cfg))
	return nil
}

func (n *notifier) EmptyBucket(_ context.Context, bucket string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.puts = append(n.puts, "empty "+bucket)
	return nil
}

// A CDK-style template: the notifications handler is a Python function
// the engine never asks the Lambda provisioner to create.
const notificationsTemplate = `{"Resources": {
	"Bucket": {"Type": "AWS::S3::Bucket"},
	"HandlerRole": {"Type": "AWS::IAM::Role"},
	"BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691": {"Type": "AWS::Lambda::Function",
		"Properties": {"Runtime": "python3.13", "Handler": "index.handler", "Code": {"ZipFile": "..."}, "Role": {"Fn::GetAtt": ["HandlerRole", "Arn"]}},
		"DependsOn": ["HandlerRole"]},
	"BucketNotifications": {"Type": "Custom::S3BucketNotifications", "Properties": {
		"ServiceToken": {"Fn::GetAtt": ["BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691", "Arn"]},
		"BucketName": {"Ref": "Bucket"},
		"NotificationConfiguration": {"EventBridgeConfiguration": {}},
		"Managed": true}},
	"AutoDelete": {"Type": "Custom::S3AutoDeleteObjects", "DependsOn": ["Bucket"], "Properties": {
		"ServiceToken": {"Fn::GetAtt": ["BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691", "Arn"]},
		"BucketName": {"Ref": "Bucket"}}}
}}`

func TestNativeBucketNotifications(t *testing.T) {
	n := &notifier{}
	h := newHarness(t, func(o *Options) { o.BucketNotifier = n; o.BucketEmptier = n })
	res, err := h.deploy(t, "Native", notificationsTemplate)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	if got := h.rec.entries(); !reflect.DeepEqual(got, []string{"create Bucket", "create HandlerRole"}) {
		t.Errorf("provisioner calls = %v (the provider function is not created)", got)
	}
	handler := res.PhysicalIDs["BucketNotificationsHandler050a0587b7544547bf325f094a3db8347ECC3691"]
	if !strings.HasPrefix(handler, "Native-BucketNotificationsHandler") || len(handler) > 64 {
		t.Errorf("handler physical id %q", handler)
	}
	if err := h.engine.DeleteStack(context.Background(), "Native"); err != nil {
		t.Fatal(err)
	}
	want := []string{`bucket-1 {"EventBridgeConfiguration":{}}`, "bucket-1 {}", "empty bucket-1"}
	if !reflect.DeepEqual(n.puts, want) {
		t.Errorf("S3 calls = %v, want %v", n.puts, want)
	}
}

func TestBucketDeploymentIsRefused(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy(t, "Deploy", `{"Resources": {"D": {"Type": "Custom::CDKBucketDeployment", "Properties": {"ServiceToken": "`+fnARN+`"}}}}`)
	if err == nil || !strings.Contains(err.Error(), "Custom::CDKBucketDeployment (aws-s3-deployment BucketDeployment) is not supported by the local cloud") {
		t.Errorf("err = %v", err)
	}
}

func indexOf(list []string, s string) int {
	for i, e := range list {
		if e == s {
			return i
		}
	}
	return -1
}

func TestCloseStopsAStackCreateWaitingOnACustomResource(t *testing.T) {
	inv := newInvoker(t, func(customRequest) *customResponse { return nil }) // never answers
	h := newHarness(t, func(o *Options) { o.Invoker = inv })
	body := customTemplate("a")
	if _, err := h.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{StackName: aws.String("Waiting"), TemplateBody: &body}); err != nil {
		t.Fatal(err)
	}
	inv.next(t) // the stack now waits for the custom resource's answer
	done := make(chan struct{})
	go func() { h.engine.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the stack creation waiting for its custom resource")
	}
}

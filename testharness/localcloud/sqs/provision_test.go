package sqs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func TestQueueProvisioners(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := e.svc.Provisioners()
	dlqReq := cfnresource.Request{StackName: "App", LogicalID: "EventsDlq1A2B", Type: "AWS::SQS::Queue",
		Properties: map[string]any{"MessageRetentionPeriod": 1209600.0, "SqsManagedSseEnabled": true}}
	dlq, err := reg["AWS::SQS::Queue"].Create(ctx, dlqReq)
	if err != nil {
		t.Fatalf("Create DLQ: %v", err)
	}
	name := dlq.Attributes["QueueName"].(string)
	if !strings.HasPrefix(name, "App-EventsDlq1A2B-") || dlq.RefValue() != "http://localhost:4566/000000000000/"+name ||
		dlq.Attributes["Arn"] != "arn:aws:sqs:us-east-1:000000000000:"+name || dlq.Attributes["QueueUrl"] != dlq.RefValue() {
		t.Errorf("DLQ resource = %+v", dlq)
	}
	srcReq := cfnresource.Request{StackName: "App", LogicalID: "Src", Type: "AWS::SQS::Queue", Properties: map[string]any{
		"QueueName": "source-queue", "VisibilityTimeout": "60", "KmsMasterKeyId": "alias/aws/sqs",
		"RedrivePolicy": map[string]any{"deadLetterTargetArn": dlq.Attributes["Arn"], "maxReceiveCount": 5.0},
		"Tags":          []any{map[string]any{"Key": "team", "Value": "tb"}}}}
	src, err := reg["AWS::SQS::Queue"].Create(ctx, srcReq)
	if err != nil {
		t.Fatalf("Create source: %v", err)
	}
	attrs, err := e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(src.RefValue()), AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["VisibilityTimeout"] != "60" || attrs.Attributes["KmsMasterKeyId"] != "alias/aws/sqs" ||
		!strings.Contains(attrs.Attributes["RedrivePolicy"], `"maxReceiveCount":5`) {
		t.Errorf("provisioned attributes = %v", attrs.Attributes)
	}

	polReq := cfnresource.Request{StackName: "App", LogicalID: "Policy", Type: "AWS::SQS::QueuePolicy", Properties: map[string]any{
		"Queues": []any{src.RefValue()}, "PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{}}}}
	pol, err := reg["AWS::SQS::QueuePolicy"].Create(ctx, polReq)
	if err != nil {
		t.Fatalf("QueuePolicy: %v", err)
	}
	attrs, _ = e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(src.RefValue()), AttributeNames: []types.QueueAttributeName{"Policy"}})
	if attrs.Attributes["Policy"] != `{"Statement":[],"Version":"2012-10-17"}` {
		t.Errorf("Policy = %q", attrs.Attributes["Policy"])
	}
	if err := reg["AWS::SQS::QueuePolicy"].Delete(ctx, polReq, pol); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		req cfnresource.Request
		res cfnresource.Resource
	}{{srcReq, src}, {dlqReq, dlq}} {
		if err := reg["AWS::SQS::Queue"].Delete(ctx, r.req, r.res); err != nil {
			t.Fatalf("Delete %s: %v", r.req.LogicalID, err)
		}
	}
	if urls := e.svc.ListQueues(ctx, ""); len(urls) != 0 {
		t.Errorf("queues left: %v", urls)
	}
	_, err = reg["AWS::SQS::Queue"].Create(ctx, cfnresource.Request{Type: "AWS::SQS::Queue", Properties: map[string]any{"QueueName": "q", "VisibilityTimeout": -1.0}})
	if err == nil {
		t.Error("a queue with VisibilityTimeout -1 was created")
	}
}

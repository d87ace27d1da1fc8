package logs_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

func TestLogGroupProvisioner(t *testing.T) {
	e := newEnv(t, logs.Options{})
	reg := e.svc.Provisioners()
	p := reg["AWS::Logs::LogGroup"]
	req := cfnresource.Request{StackName: "App", LogicalID: "AuditLog", Type: "AWS::Logs::LogGroup",
		Properties: map[string]any{"LogGroupName": "/app/audit", "RetentionInDays": float64(7), "KmsKeyId": "arn:aws:kms:us-east-1:000000000000:key/k",
			"DataProtectionPolicy": map[string]any{"Name": "ignored"}, "Tags": []any{map[string]any{"Key": "team", "Value": "a"}}}}
	res, err := p.Create(e.ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if res.RefValue() != "/app/audit" || res.Attributes["Arn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/app/audit:*" {
		t.Errorf("resource %+v", res)
	}
	out, _ := e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{})
	if g := out.LogGroups[0]; aws.ToInt32(g.RetentionInDays) != 7 || aws.ToString(g.KmsKeyId) != "arn:aws:kms:us-east-1:000000000000:key/k" {
		t.Errorf("group %+v", g)
	}

	generated, err := p.Create(e.ctx, cfnresource.Request{StackName: "App", LogicalID: "Other", Type: "AWS::Logs::LogGroup",
		Properties: map[string]any{"RetentionInDays": "30"}})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^App-Other-[A-Za-z0-9]{12}$`).MatchString(generated.PhysicalID) {
		t.Errorf("generated name %q", generated.PhysicalID)
	}
	if _, err := p.Create(e.ctx, cfnresource.Request{StackName: "App", LogicalID: "Bad", Type: "AWS::Logs::LogGroup",
		Properties: map[string]any{"RetentionInDays": float64(10)}}); err == nil {
		t.Error("RetentionInDays 10 was accepted")
	}

	streamP, mfP, subP := reg["AWS::Logs::LogStream"], reg["AWS::Logs::MetricFilter"], reg["AWS::Logs::SubscriptionFilter"]
	streamReq := cfnresource.Request{StackName: "App", LogicalID: "S", Properties: map[string]any{"LogGroupName": "/app/audit", "LogStreamName": "main"}}
	if _, err := streamP.Create(e.ctx, streamReq); err != nil {
		t.Fatal(err)
	}
	mfReq := cfnresource.Request{StackName: "App", LogicalID: "MF", Properties: map[string]any{"LogGroupName": "/app/audit", "FilterPattern": "ERROR",
		"MetricTransformations": []any{map[string]any{"MetricName": "Errors", "MetricNamespace": "App", "MetricValue": "1"}}}}
	mf, err := mfP.Create(e.ctx, mfReq)
	if err != nil {
		t.Fatal(err)
	}
	subReq := cfnresource.Request{StackName: "App", LogicalID: "Sub", Properties: map[string]any{"LogGroupName": "/app/audit", "FilterPattern": "{ $.x = 1 }",
		"DestinationArn": "arn:aws:lambda:us-east-1:000000000000:function:f"}}
	sub, err := subP.Create(e.ctx, subReq)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := subP.Create(e.ctx, cfnresource.Request{StackName: "App", LogicalID: "Bad", Properties: map[string]any{"LogGroupName": "/app/audit", "FilterPattern": "{ $.x = "}}); err == nil {
		t.Error("an invalid subscription filter pattern was accepted")
	}
	filters, _ := e.client.DescribeMetricFilters(e.ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("/app/audit")})
	if len(filters.MetricFilters) != 1 || aws.ToString(filters.MetricFilters[0].FilterName) != mf.PhysicalID {
		t.Errorf("metric filters %+v", filters.MetricFilters)
	}

	for _, step := range []struct {
		p   cfnresource.Provisioner
		req cfnresource.Request
		res cfnresource.Resource
	}{{subP, subReq, sub}, {mfP, mfReq, mf}, {streamP, streamReq, cfnresource.Resource{PhysicalID: "main"}}, {p, req, res}} {
		if err := step.p.Delete(e.ctx, step.req, step.res); err != nil {
			t.Fatalf("delete %s: %v", step.res.PhysicalID, err)
		}
	}
	if err := p.Delete(e.ctx, req, res); err != nil {
		t.Errorf("deleting a group already gone: %v", err)
	}
	out, _ = e.client.DescribeLogGroups(e.ctx, &cwl.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/app/")})
	if len(out.LogGroups) != 0 {
		t.Errorf("groups left: %+v", out.LogGroups)
	}
}

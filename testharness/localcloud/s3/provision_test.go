package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func TestBucketProvisioner(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	reg := e.svc.Provisioners()
	req := cfnresource.Request{StackName: "TracebridgeApp", LogicalID: "ImagesBucket3F2A1C", Type: "AWS::S3::Bucket",
		Properties: map[string]any{
			"NotificationConfiguration":      map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}},
			"BucketEncryption":               map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "aws:kms"}}}},
			"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
			"VersioningConfiguration":        map[string]any{"Status": "Suspended"},
			"LifecycleConfiguration":         map[string]any{"Rules": []any{map[string]any{"Status": "Enabled", "ExpirationInDays": 1}}},
		}}
	res, err := reg["AWS::S3::Bucket"].Create(ctx, req)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	name := res.RefValue()
	if !strings.HasPrefix(name, "tracebridgeapp-imagesbucket3f2a1c-") || len(name) > 63 {
		t.Errorf("generated name %q; want stack-logicalid-suffix, lowercased", name)
	}
	if res.Attributes["Arn"] != "arn:aws:s3:::"+name || res.Attributes["RegionalDomainName"] != name+".s3.us-east-1.amazonaws.com" {
		t.Errorf("attributes = %v", res.Attributes)
	}
	enc, err := e.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: aws.String(name)})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != "aws:kms" {
		t.Errorf("encryption from the template: %+v %v", enc, err)
	}
	ver, err := e.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: aws.String(name)})
	if err != nil || ver.Status != "Suspended" {
		t.Errorf("versioning from the template: %q %v", ver.Status, err)
	}
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(name), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if got := e.events.take(); len(got) != 1 {
		t.Errorf("EventBridgeEnabled bucket sent %d events, want 1", len(got))
	}

	polReq := cfnresource.Request{LogicalID: "Policy", Type: "AWS::S3::BucketPolicy", Properties: map[string]any{
		"Bucket": name, "PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{}}}}
	polRes, err := reg["AWS::S3::BucketPolicy"].Create(ctx, polReq)
	if err != nil {
		t.Fatalf("BucketPolicy Create: %v", err)
	}
	pol, err := e.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String(name)})
	if err != nil || aws.ToString(pol.Policy) != `{"Statement":[],"Version":"2012-10-17"}` {
		t.Errorf("policy from the template = %q %v", aws.ToString(pol.Policy), err)
	}
	if err := reg["AWS::S3::BucketPolicy"].Delete(ctx, polReq, polRes); err != nil {
		t.Fatalf("BucketPolicy Delete: %v", err)
	}

	err = reg["AWS::S3::Bucket"].Delete(ctx, req, res)
	wantCode(t, err, "BucketNotEmpty")
	if err := e.svc.DeleteObject(ctx, name, "k"); err != nil {
		t.Fatal(err)
	}
	if err := reg["AWS::S3::Bucket"].Delete(ctx, req, res); err != nil {
		t.Fatalf("Delete of the emptied bucket: %v", err)
	}

	named, err := reg["AWS::S3::Bucket"].Create(ctx, cfnresource.Request{StackName: "s", LogicalID: "B", Type: "AWS::S3::Bucket",
		Properties: map[string]any{"BucketName": "explicit-name"}})
	if err != nil || named.RefValue() != "explicit-name" {
		t.Fatalf("named bucket: %v %v", named, err)
	}
	_, err = reg["AWS::S3::Bucket"].Create(ctx, cfnresource.Request{Type: "AWS::S3::Bucket", Properties: map[string]any{"BucketName": "explicit-name"}})
	wantCode(t, err, "BucketAlreadyOwnedByYou")
}

// TestCDKNotificationShape feeds the JSON that CDK's
// Custom::S3BucketNotifications passes to PutBucketNotificationConfiguration.
func TestCDKNotificationShape(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "cdk-bucket")
	cfg, err := decodeCDKNotification(`{"EventBridgeConfiguration":{},"QueueConfigurations":[{"Events":["s3:ObjectCreated:*"],"QueueArn":"arn:aws:sqs:us-east-1:000000000000:q","Filter":{"Key":{"FilterRules":[{"Name":"suffix","Value":".png"}]}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.PutBucketNotificationConfiguration(ctx, "cdk-bucket", cfg); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: aws.String("cdk-bucket")})
	if err != nil {
		t.Fatal(err)
	}
	if out.EventBridgeConfiguration == nil || len(out.QueueConfigurations) != 1 || aws.ToString(out.QueueConfigurations[0].Filter.Key.FilterRules[0].Value) != ".png" {
		t.Errorf("configuration from CDK's JSON = %+v", out)
	}
}

package s3_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "alpha")
	e.bucket(t, "beta")

	_, err := e.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketAlreadyOwnedByYou")
	_, err = e.client.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	wantCode(t, err, "InvalidBucketName")

	if _, err := e.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("HeadBucket: %v", err)
	}
	list, err := e.client.ListBuckets(ctx, &awss3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets: %v", err)
	}
	var names []string
	for _, b := range list.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || !b.CreationDate.Equal(start) {
			t.Errorf("bucket %s created %v, want %v", aws.ToString(b.Name), b.CreationDate, start)
		}
	}
	if strings.Join(names, ",") != "alpha,beta" {
		t.Errorf("ListBuckets = %v, want alpha,beta", names)
	}

	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	_, err = e.client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "BucketNotEmpty")
	if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("alpha"), Key: aws.String("k")}); err != nil {
		t.Fatalf("DeleteObject: %v", err)
	}
	if _, err := e.client.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String("alpha")}); err != nil {
		t.Fatalf("DeleteBucket: %v", err)
	}
	_, err = e.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("alpha")})
	wantCode(t, err, "NotFound") // a HEAD error has no body, so the SDK names it by status
	_, err = e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("alpha")})
	wantCode(t, err, "NoSuchBucket")
}

func TestBucketSubresources(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "conf")
	b := aws.String("conf")

	_, err := e.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: b})
	wantCode(t, err, "NoSuchBucketPolicy")
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::conf/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
	if _, err := e.client.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(policy)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
	got, err := e.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: b})
	if err != nil || aws.ToString(got.Policy) != policy {
		t.Fatalf("GetBucketPolicy = %v, %v; want the policy put", aws.ToString(got.Policy), err)
	}
	_, err = e.client.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("not json")})
	wantCode(t, err, "MalformedPolicy")
	// 20 KB at most, counted without whitespace: a policy padded to exactly
	// 20 KiB fits however it is indented; one byte more does not.
	sized := func(n int, indent string) string {
		pad := strings.Repeat("x", n-len(policy)+len(`}`)-len(`,"Id":""}`))
		return strings.TrimSuffix(policy, "}") + "," + indent + `"Id":"` + pad + `"}`
	}
	if _, err := e.client.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: b,
		Policy: aws.String(sized(20<<10, strings.Repeat(" ", 4096)))}); err != nil {
		t.Errorf("PutBucketPolicy of 20 KiB (and 4 KiB of indentation): %v", err)
	}
	_, err = e.client.PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: b, Policy: aws.String(sized(20<<10+1, ""))})
	wantCode(t, err, "MalformedPolicy")
	if msg := err.Error(); !strings.Contains(msg, "Policy exceeds the maximum allowed document size.") {
		t.Errorf("PutBucketPolicy of 20 KiB + 1: %v; want the size error", err)
	}
	if _, err := e.client.DeleteBucketPolicy(ctx, &awss3.DeleteBucketPolicyInput{Bucket: b}); err != nil {
		t.Fatalf("DeleteBucketPolicy: %v", err)
	}
	_, err = e.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: b})
	wantCode(t, err, "NoSuchBucketPolicy")

	enc, err := e.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: b})
	if err != nil || enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("default GetBucketEncryption = %+v, %v; want AES256", enc, err)
	}
	_, err = e.client.PutBucketEncryption(ctx, &awss3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
		Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String("alias/k")}, BucketKeyEnabled: aws.Bool(true)}}}})
	if err != nil {
		t.Fatalf("PutBucketEncryption: %v", err)
	}
	enc, err = e.client.GetBucketEncryption(ctx, &awss3.GetBucketEncryptionInput{Bucket: b})
	if err != nil {
		t.Fatalf("GetBucketEncryption: %v", err)
	}
	if r := enc.ServerSideEncryptionConfiguration.Rules[0]; r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAwsKms ||
		aws.ToString(r.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != "alias/k" || !aws.ToBool(r.BucketKeyEnabled) {
		t.Errorf("GetBucketEncryption rule = %+v, want the KMS rule put", r)
	}

	_, err = e.client.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: b})
	wantCode(t, err, "NoSuchPublicAccessBlockConfiguration")
	_, err = e.client.PutPublicAccessBlock(ctx, &awss3.PutPublicAccessBlockInput{Bucket: b, PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{
		BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(false), RestrictPublicBuckets: aws.Bool(true)}})
	if err != nil {
		t.Fatalf("PutPublicAccessBlock: %v", err)
	}
	pab, err := e.client.GetPublicAccessBlock(ctx, &awss3.GetPublicAccessBlockInput{Bucket: b})
	if err != nil {
		t.Fatalf("GetPublicAccessBlock: %v", err)
	}
	if c := pab.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("GetPublicAccessBlock = %+v, want what was put", c)
	}

	v, err := e.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: b})
	if err != nil || v.Status != "" {
		t.Fatalf("GetBucketVersioning of a new bucket = %q, %v; want no status", v.Status, err)
	}
	if _, err := e.client.PutBucketVersioning(ctx, &awss3.PutBucketVersioningInput{Bucket: b, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	if v, err = e.client.GetBucketVersioning(ctx, &awss3.GetBucketVersioningInput{Bucket: b}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("GetBucketVersioning = %q, %v; want Enabled", v.Status, err)
	}
	put, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: b, Key: aws.String("v"), Body: strings.NewReader("x")})
	if err != nil || aws.ToString(put.VersionId) == "" {
		t.Fatalf("PutObject in a versioned bucket: version %q, %v; want a version id", aws.ToString(put.VersionId), err)
	}

	loc, err := e.client.GetBucketLocation(ctx, &awss3.GetBucketLocationInput{Bucket: b})
	if err != nil || loc.LocationConstraint != "" {
		t.Fatalf("GetBucketLocation = %q, %v; want empty (us-east-1)", loc.LocationConstraint, err)
	}

	_, err = e.client.GetBucketAcl(ctx, &awss3.GetBucketAclInput{Bucket: b})
	wantCode(t, err, "NotImplemented")
}

func TestNotificationConfigurationRoundTrip(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "notes")
	in := &types.NotificationConfiguration{
		EventBridgeConfiguration: &types.EventBridgeConfiguration{},
		QueueConfigurations: []types.QueueConfiguration{{Id: aws.String("q1"), QueueArn: aws.String("arn:aws:sqs:us-east-1:000000000000:q"),
			Events: []types.Event{"s3:ObjectCreated:*"},
			Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{FilterRules: []types.FilterRule{{Name: "prefix", Value: aws.String("in/")}}}}}},
		LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"), Events: []types.Event{"s3:ObjectRemoved:*"}}},
	}
	if _, err := e.client.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: aws.String("notes"), NotificationConfiguration: in}); err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
	out, err := e.client.GetBucketNotificationConfiguration(ctx, &awss3.GetBucketNotificationConfigurationInput{Bucket: aws.String("notes")})
	if err != nil {
		t.Fatalf("GetBucketNotificationConfiguration: %v", err)
	}
	if out.EventBridgeConfiguration == nil {
		t.Error("EventBridgeConfiguration lost")
	}
	if len(out.QueueConfigurations) != 1 || aws.ToString(out.QueueConfigurations[0].QueueArn) != "arn:aws:sqs:us-east-1:000000000000:q" ||
		aws.ToString(out.QueueConfigurations[0].Filter.Key.FilterRules[0].Value) != "in/" || out.QueueConfigurations[0].Events[0] != "s3:ObjectCreated:*" {
		t.Errorf("QueueConfigurations = %+v, want the one put", out.QueueConfigurations)
	}
	if len(out.LambdaFunctionConfigurations) != 1 || aws.ToString(out.LambdaFunctionConfigurations[0].LambdaFunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:f" {
		t.Errorf("LambdaFunctionConfigurations = %+v, want the one put", out.LambdaFunctionConfigurations)
	}

	// A body that is not XML is MalformedXML, not a 500.
	req, _ := http.NewRequest(http.MethodPut, e.url+"/notes?notification", strings.NewReader("<NotificationConfiguration><oops"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
		t.Errorf("malformed notification XML: %d %s; want 400 MalformedXML", resp.StatusCode, body)
	}
}

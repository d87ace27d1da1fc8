package suite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

func TestSuitePassesOnTheApp(t *testing.T) {
	a := deploy(t, withoutDeployTimeRun(t, nil))
	tests := suite.Tests()
	if len(tests) != 4 {
		t.Fatalf("suite has %d tests, want the 4 of issue 7", len(tests))
	}
	start := time.Now()
	results := a.runAll(t, tests)
	t.Logf("suite verdict in %s", time.Since(start).Round(time.Millisecond))
	wantPassed(t, results, "s3_png_metadata", "ddb_user_audit_log", "pipe_filter_ignores_non_users", "image_rejects_non_images")
	a.wantNothingLeftBehind(t)
}

// wantNothingLeftBehind checks that the tests' cleanups removed every
// object and item they made.
func (a *localApp) wantNothingLeftBehind(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	bucket, _ := a.env.Output(schemas.OutputBucketName)
	objs, err := a.env.S3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs.Contents {
		t.Errorf("object left behind: %s", aws.ToString(o.Key))
	}
	table, _ := a.env.Output(schemas.OutputTableName)
	items, err := a.env.DynamoDB.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	if len(items.Items) != 0 {
		t.Errorf("%d items left behind: %v", len(items.Items), items.Items)
	}
}

// Broken configurations make the test that covers them fail, saying why.

func TestSuiteCatchesARemovedPipeFilter(t *testing.T) {
	a := deploy(t, withoutDeployTimeRun(t, func(tmpl assemblyedit.Template) {
		for _, p := range tmpl.ResourcesOfType(t, "AWS::Pipes::Pipe") {
			delete(p["Properties"].(map[string]any)["SourceParameters"].(map[string]any), "FilterCriteria")
		}
	}))
	results := a.runAll(t, suite.Tests())
	wantFailed(t, results, "pipe_filter_ignores_non_users", "the pipe let an ORDER insert through", "ORDER#")
	wantPassed(t, results, "s3_png_metadata", "ddb_user_audit_log", "image_rejects_non_images")
}

func TestSuiteCatchesABucketWithoutEventBridgeNotifications(t *testing.T) {
	a := deploy(t, withoutDeployTimeRun(t, func(tmpl assemblyedit.Template) {
		for _, b := range tmpl.ResourcesOfType(t, "AWS::S3::Bucket") {
			delete(b["Properties"].(map[string]any), "NotificationConfiguration")
		}
	}))
	// Nothing will happen at all: the deadline is the verdict, and locally
	// the app answers well within a second when it answers.
	results := a.runAll(t, withDeadline(suite.Tests(), 3*time.Second))
	for _, name := range []string{"s3_png_metadata", "image_rejects_non_images"} {
		wantFailed(t, results, name, "no completion event", "within 3s")
	}
	wantPassed(t, results, "ddb_user_audit_log", "pipe_filter_ignores_non_users")
}

func TestSuiteCatchesAnS3RuleForAnotherBucket(t *testing.T) {
	a := deploy(t, withoutDeployTimeRun(t, func(tmpl assemblyedit.Template) {
		for _, r := range tmpl.ResourcesOfType(t, "AWS::Events::Rule") {
			pattern := r["Properties"].(map[string]any)["EventPattern"].(map[string]any)
			if fmt.Sprint(pattern["source"]) == fmt.Sprint([]any{schemas.S3EventSource}) {
				pattern["detail"] = map[string]any{"bucket": map[string]any{"name": []any{"some-other-bucket"}}}
			}
		}
	}))
	results := a.runAll(t, withDeadline(suite.Tests(), 3*time.Second))
	for _, name := range []string{"s3_png_metadata", "image_rejects_non_images"} {
		wantFailed(t, results, name, "no completion event", "within 3s")
	}
	wantPassed(t, results, "ddb_user_audit_log", "pipe_filter_ignores_non_users")
}

// The trace expectations fail readably when the function's S3 calls are
// not what the test expects.
func TestTraceExpectationNamesWhatIsMissing(t *testing.T) {
	a := deploy(t, withoutDeployTimeRun(t, nil))
	png := suite.Tests()[0]
	ctx := context.Background()
	run, err := png.Act(ctx, a.env)
	if err != nil {
		t.Fatal(err)
	}
	defer png.Cleanup(ctx, a.env, run)
	done, err := a.completion(ctx, png, run.CorrelationID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.assert(ctx, png, run, done); err != nil {
		t.Fatalf("the real expectation: %v", err)
	}
	_, err = a.env.ExpectTrace(ctx, run.CorrelationID, testharness.SegmentExpectation{
		Origin: testharness.OriginLambdaFunction,
		Calls:  []testharness.AWSCall{{Service: "S3", Operation: "PutObjectTagging"}},
	})
	if err == nil || !strings.Contains(err.Error(), "missing S3 PutObjectTagging") || !errors.Is(err, testharness.ErrTraceIncomplete) {
		t.Fatalf("err = %v, want an incomplete trace naming S3 PutObjectTagging", err)
	}
}

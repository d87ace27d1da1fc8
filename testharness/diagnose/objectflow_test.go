package diagnose_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/logs"
)

// The image flow's rule on the default bus, as deployed.
func (a *app) imageRule(t *testing.T) ebtypes.Rule {
	t.Helper()
	out, err := eventbridge.NewFromConfig(a.cfg).ListRules(context.Background(), &eventbridge.ListRulesInput{NamePrefix: aws.String("Tracebridge-Images")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rules) != 1 {
		t.Fatalf("rules %+v, want the image rule", out.Rules)
	}
	return out.Rules[0]
}

// putImagePattern replaces the image rule's pattern.
func (a *app) putImagePattern(t *testing.T, pattern string) ebtypes.Rule {
	t.Helper()
	rule := a.imageRule(t)
	_, err := eventbridge.NewFromConfig(a.cfg).PutRule(context.Background(), &eventbridge.PutRuleInput{Name: rule.Name, EventPattern: aws.String(pattern)})
	if err != nil {
		t.Fatalf("PutRule %s: %v", aws.ToString(rule.Name), err)
	}
	return rule
}

func TestBucketWithoutEventBridgeIsNamed(t *testing.T) {
	a := deployApp(t)
	bucket := a.output(t, schemas.OutputBucketName)
	_, err := a.env.S3.PutBucketNotificationConfiguration(context.Background(), &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String(bucket), NotificationConfiguration: &s3types.NotificationConfiguration{},
	})
	if err != nil {
		t.Fatal(err)
	}
	trigger := a.putObject(t, "silent.png", "corr-silent")
	r, err := a.d.Static(context.Background(), trigger)
	expectBroken(t, r, err, "bucket notifications",
		"bucket "+bucket+" does not send events to EventBridge: its notification configuration has no EventBridgeConfiguration")
}

func TestRulePatternNamesTheRejectedField(t *testing.T) {
	a := deployApp(t)
	bucket := a.output(t, schemas.OutputBucketName)
	for _, c := range []struct {
		name, pattern, want string
	}{
		{"another bucket", `{"source":["aws.s3"],"detail-type":["Object Created"],"detail":{"bucket":{"name":["other"]}}}`,
			`detail.bucket.name is "` + bucket + `", the pattern wants ["other"]`},
		{"another source", fmt.Sprintf(`{"source":["aws.s3.test"],"detail-type":["Object Created"],"detail":{"bucket":{"name":[%q]}}}`, bucket),
			`source is "aws.s3", the pattern wants ["aws.s3.test"]`},
		{"a prefix under $or", fmt.Sprintf(`{"source":["aws.s3"],"detail":{"bucket":{"name":[%q]},"$or":[{"object":{"key":[{"prefix":"uploads/"}]}},{"reason":["CopyObject"]}]}}`, bucket),
			`the event matches none of the alternatives [{"object":{"key":[{"prefix":"uploads/"}]}},{"reason":["CopyObject"]}] the pattern wants under detail.$or`},
	} {
		t.Run(c.name, func(t *testing.T) {
			rule := a.putImagePattern(t, c.pattern)
			trigger := a.putObject(t, "ignored.png", "corr-"+strings.ReplaceAll(c.name, " ", "-"))
			r, err := a.d.Static(context.Background(), trigger)
			expectBroken(t, r, err, "rule", "rule "+aws.ToString(rule.Name)+": "+c.want)
			if strings.Count(r.Broken.Detail, ", the pattern wants")+strings.Count(r.Broken.Detail, "alternatives") != 1 {
				t.Errorf("the diagnosis names more than the one rejected field: %s", r)
			}
		})
	}
}

func TestDisabledRuleIsNamed(t *testing.T) {
	a := deployApp(t)
	rule := a.imageRule(t)
	if _, err := eventbridge.NewFromConfig(a.cfg).DisableRule(context.Background(), &eventbridge.DisableRuleInput{Name: rule.Name}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.putObject(t, "off.png", "corr-off"))
	expectBroken(t, r, err, "rule", "rule "+aws.ToString(rule.Name)+" matches the event but is DISABLED")
}

func TestRuleWithoutTargetIsNamed(t *testing.T) {
	a := deployApp(t)
	events := eventbridge.NewFromConfig(a.cfg)
	rule := a.imageRule(t)
	targets, err := events.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: rule.Name})
	if err != nil {
		t.Fatal(err)
	}
	_, err = events.RemoveTargets(context.Background(), &eventbridge.RemoveTargetsInput{Rule: rule.Name, Ids: []string{aws.ToString(targets.Targets[0].Id)}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.putObject(t, "nowhere.png", "corr-nowhere"))
	expectBroken(t, r, err, "rule target", "rule "+aws.ToString(rule.Name)+" matches the event but has no target")
}

// removeInvokePermission takes the rule's permission off the metadata
// function and returns the function's name.
func (a *app) removeInvokePermission(t *testing.T, rule ebtypes.Rule) (function, statement string) {
	t.Helper()
	ctx := context.Background()
	fn := a.physicalID(t, "ImagesImageMetadataHandlerFunction")
	policy, err := lambda.NewFromConfig(a.cfg).GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	sid := between(aws.ToString(policy.Policy), `"Sid":"`, `"`)
	if _, err := lambda.NewFromConfig(a.cfg).RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String(fn), StatementId: aws.String(sid)}); err != nil {
		t.Fatalf("RemovePermission %s: %v", sid, err)
	}
	return fn, sid
}

func between(s, start, end string) string {
	_, rest, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(rest, end)
	return v
}

func TestFunctionPolicyWithoutTheRuleIsNamed(t *testing.T) {
	a := deployApp(t)
	rule := a.imageRule(t)
	fn, _ := a.removeInvokePermission(t, rule)
	r, err := a.d.Static(context.Background(), a.putObject(t, "denied.png", "corr-denied"))
	expectBroken(t, r, err, "invoke permission",
		"function "+fn+"'s resource policy does not allow rule "+aws.ToString(rule.Name)+" (events.amazonaws.com) to invoke it")
}

// Deliveries that failed while the permission was missing stay in the
// dead-letter queue after it is restored: Full finds them, with the
// attributes EventBridge put on them.
func TestDeadLettersOfTheEventAreNamed(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	rule := a.imageRule(t)
	fn, sid := a.removeInvokePermission(t, rule)
	trigger := a.putObject(t, "lost.png", "corr-lost")
	if err := a.cloud.EventBridge.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := lambda.NewFromConfig(a.cfg).AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String(fn), StatementId: aws.String(sid),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com"), SourceArn: rule.Arn})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := a.d.Static(ctx, trigger); err != nil || r.Broken != nil {
		t.Fatalf("with the permission back, Static finds %v %s", err, r)
	}
	r, err := a.d.Full(ctx, trigger, "corr-lost")
	expectBroken(t, r, err, "dead-letter queue",
		"deliveries of rule "+aws.ToString(rule.Name)+" to "+fn+" land in its dead-letter queue", "ERROR_CODE NO_PERMISSIONS, ERROR_MESSAGE ")
	// Full leaves the dead letters for others to read.
	again, err := a.d.Full(ctx, trigger, "corr-lost")
	if err != nil || again.Broken == nil || again.Broken.Link != "dead-letter queue" {
		t.Errorf("a second Full: %v %s", err, again)
	}
}

// A function whose role lost its S3 read grant logs AWS's denial; Full
// names the function and quotes its error for the object.
func TestFunctionErrorForTheObjectIsNamed(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	fn := a.physicalID(t, "ImagesImageMetadataHandlerFunction")
	cfg, err := lambda.NewFromConfig(a.cfg).GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(fn)})
	if err != nil {
		t.Fatal(err)
	}
	roleName := aws.ToString(cfg.Role)[strings.LastIndex(aws.ToString(cfg.Role), "/")+1:]
	// The function's own policy without s3:GetObject.
	_, err = iam.NewFromConfig(a.cfg).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("Function"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents","xray:PutTraceSegments","xray:PutTelemetryRecords","events:PutEvents","s3:PutObject"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	logged := make(chan string, 64)
	cancel := a.cloud.Logs.Subscribe(aws.ToString(cfg.LoggingConfig.LogGroup), func(e logs.Event) {
		select {
		case logged <- e.Message:
		default:
		}
	})
	defer cancel()

	trigger := a.putObject(t, "unreadable.png", "corr-unreadable")
	guard := time.After(time.Minute) // only if the function never logs its error
	for waiting := true; waiting; {
		select {
		case line := <-logged:
			waiting = !strings.Contains(line, "ERROR")
		case <-guard:
			t.Fatal("the function logged no error within a minute")
		}
	}
	r, err := a.d.Full(ctx, trigger, "corr-unreadable")
	expectBroken(t, r, err, "function log", "function "+fn+" failed on the event: ", "unreadable.png", "s3:GetObject")
}

// A Lambda fault with no operation throttles every call about the image
// function, the diagnosis's own GetPolicy and GetFunctionConfiguration
// too. The invoke permission is left unchecked, naming the read and AWS's
// error, and the diagnosis goes on to the evidence: EventBridge's
// throttled deliveries in the rule's dead-letter queue.
func TestThrottledReadLeavesItsLinkUncheckedAndGoesOn(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	rule := a.imageRule(t)
	fn := a.physicalID(t, "ImagesImageMetadataHandlerFunction")
	if _, err := a.cloud.Faults().Add(faults.Spec{Service: "lambda", Resource: "*ImageMetadataHandler*", Action: faults.Error}); err != nil {
		t.Fatal(err)
	}
	trigger := a.putObject(t, "throttled.png", "corr-throttled")
	if err := a.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Full(ctx, trigger, "corr-throttled")
	expectBroken(t, r, err, "dead-letter queue",
		"deliveries of rule "+aws.ToString(rule.Name)+" to "+fn+" land in its dead-letter queue", "ERROR_CODE THROTTLING")
	var permission *diagnose.Finding
	for i, f := range r.Path {
		if f.Link == "invoke permission" {
			permission = &r.Path[i]
		}
	}
	want := diagnose.FailedRead{Operation: "Lambda GetPolicy", Code: "TooManyRequestsException", StatusCode: http.StatusTooManyRequests, Message: "Rate Exceeded."}
	if permission == nil || permission.OK || permission.Unchecked == nil || *permission.Unchecked != want {
		t.Fatalf("the invoke permission link: %+v, want it unchecked by %+v", permission, want)
	}
	if says := "could not check: invoke permission " + permission.Resource + ": Lambda GetPolicy failed: TooManyRequestsException (HTTP 429): Rate Exceeded."; !strings.Contains(r.String(), says) {
		t.Errorf("String() does not say %q: %s", says, r)
	}
}

// When no read at all succeeds, nothing is concluded: the diagnosis is an
// error that says which reads failed.
func TestNothingCheckedIsAnError(t *testing.T) {
	a := deployApp(t)
	if _, err := a.cloud.Faults().Add(faults.Spec{Service: "dynamodb", Operation: "DescribeTable", Action: faults.Error,
		ErrorCode: "AccessDeniedException", StatusCode: http.StatusBadRequest, Message: "no"}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.putItem(t, "USER#unseen", "corr-unseen"))
	if err == nil || !strings.Contains(err.Error(), "nothing could be checked") || !strings.Contains(err.Error(), "DynamoDB DescribeTable failed: AccessDeniedException (HTTP 400): no") {
		t.Errorf("diagnosis with every read failing: %v, %s", err, r)
	}
}

// A diagnosis whose context ends stops at once with the context's error,
// without recording the cut-off reads as unchecked links.
func TestCanceledDiagnosisEndsWithTheContextError(t *testing.T) {
	a := deployApp(t)
	trigger := a.putObject(t, "canceled.png", "corr-canceled")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r, err := a.d.Full(ctx, trigger, "corr-canceled")
	if !errors.Is(err, context.Canceled) || len(r.Path) != 0 {
		t.Errorf("canceled diagnosis: %v, %s", err, r)
	}
}

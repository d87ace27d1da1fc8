package main

import (
	"testing"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

func TestBucketSendsEventsToEventBridge(t *testing.T) {
	b := resourceOf(t, synthStack.Images.Bucket).Properties
	assertJSON(t, "NotificationConfiguration", b["NotificationConfiguration"],
		map[string]any{"EventBridgeConfiguration": map[string]any{"EventBridgeEnabled": true}})
	assertJSON(t, "PublicAccessBlockConfiguration", b["PublicAccessBlockConfiguration"], map[string]any{
		"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
	})
	assertJSON(t, "BucketEncryption", b["BucketEncryption"], map[string]any{
		"ServerSideEncryptionConfiguration": []any{map[string]any{
			"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"},
		}},
	})
	policy := onlyBucketPolicy(t)
	assertDeniesInsecureTransport(t, "bucket policy", policy["PolicyDocument"])
}

func onlyBucketPolicy(t *testing.T) map[string]any {
	return onlyResource(t, "AWS::S3::BucketPolicy").Properties
}

// assertDeniesInsecureTransport checks a resource policy has a statement
// denying every request made without TLS.
func assertDeniesInsecureTransport(t *testing.T, what string, doc any) {
	t.Helper()
	for _, s := range doc.(map[string]any)["Statement"].([]any) {
		stmt := s.(map[string]any)
		cond, _ := stmt["Condition"].(map[string]any)
		if stmt["Effect"] == "Deny" && cond != nil {
			if b, ok := cond["Bool"].(map[string]any); ok && b["aws:SecureTransport"] == "false" {
				return
			}
		}
	}
	t.Errorf("%s does not deny aws:SecureTransport false: %v", what, doc)
}

func TestObjectCreatedRuleTargetsTheMetadataFunction(t *testing.T) {
	img := synthStack.Images
	rule := resourceOf(t, img.Rule).Properties
	assertJSON(t, "EventPattern", rule["EventPattern"],
		resolved(t, schemas.S3ObjectCreatedPattern(*img.Bucket.BucketName())))
	if bus, ok := rule["EventBusName"]; ok {
		t.Errorf("rule is on bus %v, want the default bus", bus)
	}
	assertJSON(t, "State", rule["State"], "ENABLED")
	targets := rule["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("rule has %d targets, want 1", len(targets))
	}
	target := targets[0].(map[string]any)
	assertJSON(t, "target Arn", target["Arn"], resolved(t, img.Function.Function.FunctionArn()))
	assertJSON(t, "target RetryPolicy", target["RetryPolicy"],
		map[string]any{"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3})
	assertJSON(t, "target DeadLetterConfig", target["DeadLetterConfig"],
		map[string]any{"Arn": resolved(t, img.DeadLetterQueue.QueueArn())})
}

func TestRuleMayInvokeTheMetadataFunction(t *testing.T) {
	img := synthStack.Images
	p := permissionFor(t, img.Function).Properties
	assertJSON(t, "permission", p, map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": resolved(t, img.Function.Function.FunctionArn()),
		"Principal":    "events.amazonaws.com",
		"SourceArn":    resolved(t, img.Rule.RuleArn()),
	})
}

// Every dead-letter queue (the image rule's, the pipe's, the harness
// rule's) is encrypted and TLS-only; the image rule's lets EventBridge
// deliver to it for that rule only.
func TestDeadLetterQueues(t *testing.T) {
	queues := resourcesOfType("AWS::SQS::Queue")
	if len(queues) != 3 {
		t.Errorf("template has %d queues, want the 3 dead-letter queues", len(queues))
	}
	for id, q := range queues {
		assertJSON(t, id+" SqsManagedSseEnabled", q.Properties["SqsManagedSseEnabled"], true)
		assertJSON(t, id+" MessageRetentionPeriod", q.Properties["MessageRetentionPeriod"], 14*24*3600)
	}
	ruleDLQ := resolved(t, synthStack.Images.DeadLetterQueue.QueueUrl())
	ruleDLQArn := resolved(t, synthStack.Images.DeadLetterQueue.QueueArn())
	var sawEventsGrant bool
	for id, p := range resourcesOfType("AWS::SQS::QueuePolicy") {
		assertDeniesInsecureTransport(t, id, p.Properties["PolicyDocument"])
		if !containsJSON(t, p.Properties["Queues"], ruleDLQ) {
			continue
		}
		for _, s := range p.Properties["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			stmt := s.(map[string]any)
			if stmt["Effect"] == "Allow" {
				sawEventsGrant = true
				delete(stmt, "Sid") // CDK's generated name, not a contract
				assertJSON(t, "rule DLQ grant", stmt, map[string]any{
					"Action":    "sqs:SendMessage",
					"Effect":    "Allow",
					"Principal": map[string]any{"Service": "events.amazonaws.com"},
					"Resource":  ruleDLQArn,
					"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": resolved(t, synthStack.Images.Rule.RuleArn())}},
				})
			}
		}
	}
	if !sawEventsGrant {
		t.Error("no queue policy lets EventBridge send to the rule's dead-letter queue")
	}
}

// permissionFor returns the one AWS::Lambda::Permission on fn.
func permissionFor(t *testing.T, fn *cdkgo.Function) resource {
	t.Helper()
	arn := resolved(t, fn.Function.FunctionArn())
	var found []resource
	for _, p := range resourcesOfType("AWS::Lambda::Permission") {
		if equalJSON(t, p.Properties["FunctionName"], arn) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want exactly one Lambda permission on %s, got %d", cdkgo.LogicalID(fn.Function), len(found))
	}
	return found[0]
}

func containsJSON(t *testing.T, list any, v any) bool {
	for _, e := range list.([]any) {
		if equalJSON(t, e, v) {
			return true
		}
	}
	return false
}

package main

import (
	"reflect"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// grants is every action a role is allowed, with the resources it applies
// to, gathered from the role's inline policies and any AWS::IAM::Policy
// attached to it, so an extra statement anywhere shows up.
func grants(t *testing.T, role awsiam.Role) map[string][]any {
	t.Helper()
	id := cdkgo.LogicalID(role)
	r := resourceByID(t, id)
	if arns, ok := r.Properties["ManagedPolicyArns"]; ok {
		t.Errorf("role %s has managed policies %v; want inline statements only", id, arns)
	}
	var docs []any
	policies, _ := r.Properties["Policies"].([]any)
	for _, p := range policies {
		docs = append(docs, p.(map[string]any)["PolicyDocument"])
	}
	ref := normalize(t, map[string]any{"Ref": id})
	for pid, p := range resourcesOfType("AWS::IAM::Policy") {
		for _, attached := range p.Properties["Roles"].([]any) {
			if reflect.DeepEqual(attached, ref) {
				t.Logf("policy %s is attached to role %s", pid, id)
				docs = append(docs, p.Properties["PolicyDocument"])
			}
		}
	}
	out := map[string][]any{}
	for _, doc := range docs {
		for _, s := range doc.(map[string]any)["Statement"].([]any) {
			stmt := s.(map[string]any)
			for _, key := range []string{"NotAction", "NotResource", "Condition", "Principal"} {
				if _, ok := stmt[key]; ok {
					t.Errorf("role %s: statement %v has %s", id, stmt, key)
				}
			}
			if stmt["Effect"] != "Allow" {
				t.Errorf("role %s: statement %v: effect %v", id, stmt, stmt["Effect"])
			}
			for _, action := range list(stmt["Action"]) {
				out[action.(string)] = append(out[action.(string)], list(stmt["Resource"])...)
			}
		}
	}
	return out
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func assertGrants(t *testing.T, role awsiam.Role, want map[string][]any) {
	t.Helper()
	got := grants(t, role)
	actions := func(m map[string][]any) []string {
		var a []string
		for k := range m {
			a = append(a, k)
		}
		sort.Strings(a)
		return a
	}
	if !reflect.DeepEqual(actions(got), actions(want)) {
		t.Errorf("role %s actions:\n got %v\nwant %v", cdkgo.LogicalID(role), actions(got), actions(want))
	}
	for action, resources := range want {
		assertJSON(t, "resources of "+action, got[action], resources)
	}
}

// ownLogsAndTraces is what every Go function may do besides its own work.
func ownLogsAndTraces(t *testing.T, fn *cdkgo.Function) map[string][]any {
	logs := []any{resolved(t, fn.LogGroup.LogGroupArn())}
	return map[string][]any{
		"logs:CreateLogStream":     logs,
		"logs:PutLogEvents":        logs,
		"xray:PutTraceSegments":    {"*"},
		"xray:PutTelemetryRecords": {"*"},
	}
}

func TestImageMetadataFunctionPermissions(t *testing.T) {
	fn := synthStack.Images.Function
	want := ownLogsAndTraces(t, fn)
	objects := []any{resolved(t, synthStack.Images.Bucket.ArnForObjects(jsii.String("*")))}
	want["s3:GetObject"] = objects
	want["s3:PutObject"] = objects
	want["events:PutEvents"] = []any{resolved(t, synthStack.Events.AppBus.EventBusArn())}
	assertGrants(t, fn.Role, want)
	assertAssumedBy(t, fn.Role, "lambda.amazonaws.com")
}

func TestAuditFunctionPermissions(t *testing.T) {
	fn := synthStack.Users.Function
	want := ownLogsAndTraces(t, fn)
	audit := []any{resolved(t, synthStack.Users.AuditLogGroup.LogGroupArn())}
	want["logs:CreateLogStream"] = append(want["logs:CreateLogStream"], audit...)
	want["logs:PutLogEvents"] = append(want["logs:PutLogEvents"], audit...)
	want["events:PutEvents"] = []any{resolved(t, synthStack.Events.AppBus.EventBusArn())}
	assertGrants(t, fn.Role, want)
	assertAssumedBy(t, fn.Role, "lambda.amazonaws.com")
}

func TestPipePermissions(t *testing.T) {
	u := synthStack.Users
	stream := []any{resolved(t, u.Table.TableStreamArn())}
	assertGrants(t, u.PipeRole, map[string][]any{
		"dynamodb:DescribeStream":   stream,
		"dynamodb:GetRecords":       stream,
		"dynamodb:GetShardIterator": stream,
		"dynamodb:ListStreams":      stream,
		"lambda:InvokeFunction":     {resolved(t, u.Function.Function.FunctionArn())},
		"sqs:SendMessage":           {resolved(t, u.DeadLetterQueue.QueueArn())},
	})
	assertAssumedBy(t, u.PipeRole, "pipes.amazonaws.com")
}

func assertAssumedBy(t *testing.T, role awsiam.Role, service string) {
	t.Helper()
	doc := resourceOf(t, role).Properties["AssumeRolePolicyDocument"]
	assertJSON(t, "trust policy of "+cdkgo.LogicalID(role), doc, map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Action":    "sts:AssumeRole",
			"Effect":    "Allow",
			"Principal": map[string]any{"Service": service},
		}},
	})
}

func TestFunctionsSeeTheirConfiguration(t *testing.T) {
	bus := synthStack.Events.AppBus.EventBusName()
	tests := []struct {
		fn   *cdkgo.Function
		pkg  string
		want map[string]any
	}{
		{synthStack.Images.Function, "./handlers/imagemetadata", map[string]any{
			schemas.EnvEventBusName: bus,
		}},
		{synthStack.Users.Function, "./handlers/auditlog", map[string]any{
			schemas.EnvEventBusName:      bus,
			schemas.EnvAuditLogGroupName: synthStack.Users.AuditLogGroup.LogGroupName(),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			r := resourceOf(t, tt.fn.Function)
			assertJSON(t, "environment", r.Properties["Environment"], map[string]any{"Variables": resolved(t, tt.want)})
			assertJSON(t, "metadata "+cdkgo.GoPackageMetadataKey, r.Metadata[cdkgo.GoPackageMetadataKey], tt.pkg)
		})
	}
}

package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
)

func TestOutputs(t *testing.T) {
	want := map[string]any{
		schemas.OutputBucketName:          synthStack.Images.Bucket.BucketName(),
		schemas.OutputTableName:           synthStack.Users.Table.TableName(),
		schemas.OutputAuditLogGroupName:   synthStack.Users.AuditLogGroup.LogGroupName(),
		schemas.OutputEventBusName:        synthStack.Events.AppBus.EventBusName(),
		schemas.OutputTestStateMachineArn: synthStack.Harness.StateMachine.AttrArn(),
	}
	got := map[string]any{}
	for name, out := range synthTemplate.Outputs {
		got[name] = out["Value"]
	}
	assertJSON(t, "outputs", got, resolved(t, want))
}

func TestArchives(t *testing.T) {
	ev := synthStack.Events
	want := []any{
		map[string]any{
			"SourceArn":    ev.AppBus.EventBusArn(),
			"EventPattern": schemas.CompletionEventsPattern(),
		},
		map[string]any{
			"SourceArn":    ev.DefaultBus.EventBusArn(),
			"EventPattern": schemas.S3BucketEventsPattern(*synthStack.Images.Bucket.BucketName()),
		},
	}
	var got []any
	for _, a := range []awscdk.Resource{ev.AppBusArchive, synthStack.Images.BucketArchive} {
		p := resourceOf(t, a).Properties
		assertJSON(t, "RetentionDays", p["RetentionDays"], 30)
		if key, ok := p["KmsKeyIdentifier"]; ok {
			t.Errorf("archive has KmsKeyIdentifier %q; want it absent (aws/aws-cdk#37847)", key)
		}
		got = append(got, map[string]any{"SourceArn": p["SourceArn"], "EventPattern": p["EventPattern"]})
	}
	assertJSON(t, "archives", got, resolved(t, want))
	if n := len(resourcesOfType("AWS::Events::Archive")); n != 2 {
		t.Errorf("template has %d archives, want 2", n)
	}
}

func TestSchemaRegistryPublishesEveryContract(t *testing.T) {
	registry := resolved(t, synthStack.Registry.AttrRegistryName())
	got := map[string]any{}
	for id, s := range resourcesOfType("AWS::EventSchemas::Schema") {
		assertJSON(t, id+" RegistryName", s.Properties["RegistryName"], registry)
		assertJSON(t, id+" Type", s.Properties["Type"], "JSONSchemaDraft4")
		got[s.Properties["SchemaName"].(string)] = s.Properties["Content"]
	}
	want := map[string]any{}
	for name, doc := range schemas.JSONSchemas() {
		if !json.Valid([]byte(doc)) {
			t.Errorf("schema %s is not JSON", name)
		}
		want[name] = doc
	}
	assertJSON(t, "published schemas", got, want)
}

// cdk-nag reports findings as annotations and never fails synthesis, so
// this is where an unsuppressed AwsSolutions error fails the build.
func TestCompliance(t *testing.T) {
	a := assertions.Annotations_FromStack(synthStack.Stack)
	for _, m := range *a.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
		//lint:ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage, whose fields jsii marks deprecated; the Go binding has no other type
		t.Errorf("%s: %v", *m.Id, m.Entry.Data)
	}
	for _, m := range *a.FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
		//lint:ignore SA1019 assertions.Annotations returns cxapi.SynthesisMessage, whose fields jsii marks deprecated; the Go binding has no other type
		t.Logf("warning %s: %v", *m.Id, m.Entry.Data)
	}
}

// The pack's report proves it ran (no annotations would also mean no
// checks) and lists every suppression with its reason.
func TestComplianceReport(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(*synthAssembly.Directory(), "AwsSolutions-*-NagReport.csv"))
	if err != nil || len(paths) != 1 {
		t.Fatalf("want one AwsSolutions report in the assembly, got %v (%v)", paths, err)
	}
	f, err := os.Open(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("read %s: %v", paths[0], err)
	}
	if len(rows) < 2 {
		t.Fatalf("report %s has no findings: cdk-nag did not check the stack", paths[0])
	}
	// Rule ID, Resource ID, Compliance, Exception Reason, Rule Level, Rule Info
	for _, row := range rows[1:] {
		switch row[2] {
		case "Compliant":
		case "Suppressed":
			if strings.TrimSpace(row[3]) == "" {
				t.Errorf("%s on %s is suppressed without a reason", row[0], row[1])
			}
			t.Logf("suppressed %s on %s: %s", row[0], row[1], row[3])
		default:
			t.Errorf("%s on %s: %s (%s)", row[0], row[1], row[2], row[5])
		}
	}
}

// TestResourceInventory lists every resource type in the template, so a
// construct that quietly adds resources (a second policy, a CDK helper Lambda
// behind a Custom:: resource that the local cloud would have to fake) is
// noticed, and the local cloud's support matrix stays in step.
func TestResourceInventory(t *testing.T) {
	got := map[string]int{}
	for _, r := range synthTemplate.Resources {
		got[r.Type]++
	}
	// The app, then the harness: its table, its three functions (each with
	// a role and a log group), the state machine (role, log group), the
	// completion rule (Lambda permission, dead-letter queue and its
	// policy), the rule that hands the starter runs that ended without a
	// report (Lambda permission), the await function's diagnosis grants
	// (a policy of their own) and the deploy-time test run.
	want := map[string]int{
		"AWS::IAM::Policy":                 1,
		"AWS::DynamoDB::Table":             1 + 1,
		"AWS::EventSchemas::Registry":      1,
		"AWS::EventSchemas::Schema":        len(schemas.JSONSchemas()),
		"AWS::Events::Archive":             2,
		"AWS::Events::EventBus":            1,
		"AWS::Events::Rule":                1 + 2,
		"AWS::IAM::Role":                   3 + 4,
		"AWS::Lambda::Function":            2 + 3,
		"AWS::Lambda::Permission":          1 + 2,
		"AWS::Logs::LogGroup":              3 + 4,
		"AWS::Pipes::Pipe":                 1,
		"AWS::S3::Bucket":                  1,
		"AWS::S3::BucketPolicy":            1,
		"AWS::SQS::Queue":                  2 + 1,
		"AWS::SQS::QueuePolicy":            2 + 1,
		"AWS::StepFunctions::StateMachine": 1,
		testharness.TestRunResourceType:    1,
	}
	assertJSON(t, "resource types", got, want)
	if t.Failed() {
		types := make([]string, 0, len(got))
		for typ := range got {
			types = append(types, typ)
		}
		sort.Strings(types)
		t.Logf("types: %v", types)
	}
}

package main

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// asl is the part of an Amazon States Language document these tests read.
type asl struct {
	StartAt string
	States  map[string]aslState
}

type aslState struct {
	Type           string
	Resource       string
	TimeoutSeconds float64
	Branches       []asl
}

// stateMachineResource is the template's AWS::StepFunctions::StateMachine
// (an L1 construct: it is its own CloudFormation element).
func stateMachineResource(t *testing.T) resource {
	t.Helper()
	return resourceByID(t, *synthStack.GetLogicalId(synthStack.Harness.StateMachine))
}

func stateMachineDefinition(t *testing.T) (string, asl) {
	t.Helper()
	raw, ok := stateMachineResource(t).Properties["DefinitionString"].(string)
	if !ok {
		t.Fatalf("DefinitionString is not a plain string: %v", stateMachineResource(t).Properties["DefinitionString"])
	}
	var def asl
	if err := json.Unmarshal([]byte(raw), &def); err != nil {
		t.Fatalf("definition is not JSON: %v", err)
	}
	return raw, def
}

// The definition is the one the harness library generates from the suite,
// with one Parallel branch per test, each awaiting its completion event for
// the test's own deadline.
func TestStateMachineRunsEveryTestOfTheSuite(t *testing.T) {
	raw, def := stateMachineDefinition(t)
	tests := suite.Tests()
	want, err := testharness.Definition(tests)
	if err != nil {
		t.Fatal(err)
	}
	if raw != want {
		t.Errorf("definition differs from testharness.Definition(suite.Tests())")
	}
	var parallel *aslState
	for _, s := range def.States {
		if s.Type == "Parallel" {
			if parallel != nil {
				t.Fatal("more than one Parallel state")
			}
			parallel = &s
		}
	}
	if parallel == nil {
		t.Fatal("no Parallel state")
	}
	if len(parallel.Branches) != len(tests) {
		t.Fatalf("%d branches for %d tests", len(parallel.Branches), len(tests))
	}
	for i, test := range tests {
		b := parallel.Branches[i]
		var waits []aslState
		for _, s := range b.States {
			if s.Resource == "arn:aws:states:::lambda:invoke.waitForTaskToken" {
				waits = append(waits, s)
			}
		}
		if len(waits) != 1 {
			t.Errorf("branch %d (%s): %d waitForTaskToken tasks, want 1", i, b.StartAt, len(waits))
			continue
		}
		if got, want := waits[0].TimeoutSeconds, math.Ceil(test.Deadline.Seconds()); got != want {
			t.Errorf("test %s: await TimeoutSeconds = %v, want %v (deadline %s)", test.Name, got, want, test.Deadline)
		}
	}
}

func TestStateMachineSubstitutesTheFunctionArns(t *testing.T) {
	h := synthStack.Harness
	p := stateMachineResource(t).Properties
	subs := resolved(t, map[string]any{
		testharness.SubstitutionRunnerFunctionArn: h.Runner.Function.FunctionArn(),
		testharness.SubstitutionAwaitFunctionArn:  h.Await.Function.FunctionArn(),
	})
	assertJSON(t, "DefinitionSubstitutions", p["DefinitionSubstitutions"], subs)
	raw, _ := stateMachineDefinition(t)
	for _, m := range regexp.MustCompile(`\$\{([^}]+)\}`).FindAllStringSubmatch(raw, -1) {
		if _, ok := subs.(map[string]any)[m[1]]; !ok {
			t.Errorf("definition uses ${%s}, which no substitution provides", m[1])
		}
	}
	assertJSON(t, "TracingConfiguration", p["TracingConfiguration"], map[string]any{"Enabled": true})
	assertJSON(t, "LoggingConfiguration", p["LoggingConfiguration"], resolved(t, map[string]any{
		"Level": "ALL", "IncludeExecutionData": true,
		"Destinations": []any{map[string]any{"CloudWatchLogsLogGroup": map[string]any{"LogGroupArn": h.LogGroup.LogGroupArn()}}},
	}))
	assertJSON(t, "RoleArn", p["RoleArn"], resolved(t, h.Role.RoleArn()))
	assertJSON(t, "StateMachineType", p["StateMachineType"], "STANDARD")
}

func TestHarnessTable(t *testing.T) {
	p := resourceOf(t, synthStack.Harness.Table).Properties
	assertJSON(t, "KeySchema", p["KeySchema"], []any{map[string]any{"AttributeName": testharness.HarnessTablePartitionKey, "KeyType": "HASH"}})
	assertJSON(t, "AttributeDefinitions", p["AttributeDefinitions"], []any{map[string]any{"AttributeName": testharness.HarnessTablePartitionKey, "AttributeType": "S"}})
	assertJSON(t, "BillingMode", p["BillingMode"], "PAY_PER_REQUEST")
	assertJSON(t, "TimeToLiveSpecification", p["TimeToLiveSpecification"], map[string]any{"AttributeName": testharness.HarnessTableTTLAttribute, "Enabled": true})
	assertJSON(t, "PointInTimeRecoverySpecification", p["PointInTimeRecoverySpecification"], map[string]any{"PointInTimeRecoveryEnabled": true})
}

// The harness functions are built from mains generated for the suite,
// which the local cloud builds again from the metadata; the runner sees
// the app's outputs the suite reads, and the bus.
func TestHarnessFunctionsSeeTheirConfiguration(t *testing.T) {
	h := synthStack.Harness
	mains, err := cdkharness.SuiteMains(synthStack.Builder, SuitePackage)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fn   *cdkgo.Function
		pkg  string
		want map[string]any
	}{
		{h.Runner, mains.Runner, map[string]any{
			"BUCKET_NAME":               synthStack.Images.Bucket.BucketName(),
			"TABLE_NAME":                synthStack.Users.Table.TableName(),
			"AUDIT_LOG_GROUP_NAME":      synthStack.Users.AuditLogGroup.LogGroupName(),
			testharness.EnvEventBusName: synthStack.Events.AppBus.EventBusName(),
			testharness.EnvOutputNames:  "AuditLogGroupName,BucketName,EventBusName,TableName",
		}},
		{h.Await, mains.Await, map[string]any{testharness.EnvHarnessTable: h.Table.TableName()}},
		{h.Starter, mains.Starter, map[string]any{testharness.EnvStateMachineArn: h.StateMachine.AttrArn()}},
	}
	for _, tt := range tests {
		t.Run(tt.pkg, func(t *testing.T) {
			r := resourceOf(t, tt.fn.Function)
			assertJSON(t, "environment", r.Properties["Environment"], map[string]any{"Variables": resolved(t, tt.want)})
			assertJSON(t, "metadata "+cdkgo.GoPackageMetadataKey, r.Metadata[cdkgo.GoPackageMetadataKey], tt.pkg)
			source, _ := synthStack.Builder.MainSource(tt.pkg)
			if got, _ := r.Metadata[cdkgo.GoMainMetadataKey].(string); got == "" || got != source {
				t.Errorf("metadata %s = %q, want the generated main %q", cdkgo.GoMainMetadataKey, got, source)
			}
		})
	}
}

func TestHarnessPermissions(t *testing.T) {
	h := synthStack.Harness
	stateMachine := []any{resolved(t, h.StateMachine.AttrArn())}

	runner := ownLogsAndTraces(t, h.Runner)
	objects := []any{resolved(t, synthStack.Images.Bucket.ArnForObjects(jsii.String("*")))}
	table := []any{resolved(t, synthStack.Users.Table.TableArn())}
	for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
		runner[a] = objects
	}
	for _, a := range []string{"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"} {
		runner[a] = table
	}
	runner["logs:FilterLogEvents"] = []any{resolved(t, synthStack.Users.AuditLogGroup.LogGroupArn())}
	runner["xray:GetTraceSummaries"] = []any{"*"}
	runner["xray:BatchGetTraces"] = []any{"*"}
	runner["events:PutEvents"] = []any{resolved(t, synthStack.Events.AppBus.EventBusArn())}
	t.Run("runner", func(t *testing.T) { assertGrants(t, h.Runner.Role, runner) })

	await := ownLogsAndTraces(t, h.Await)
	harnessTable := []any{resolved(t, h.Table.TableArn())}
	await["dynamodb:UpdateItem"] = harnessTable
	await["dynamodb:GetItem"] = harnessTable
	await["states:SendTaskSuccess"] = []any{"*"}
	await["states:SendTaskFailure"] = []any{"*"}
	for action, resources := range diagnosisGrants(t) {
		await[action] = resources
	}
	t.Run("await", func(t *testing.T) { assertGrants(t, h.Await.Role, await) })

	starter := ownLogsAndTraces(t, h.Starter)
	starter["states:StartExecution"] = stateMachine
	starter["states:GetExecutionHistory"] = []any{resolved(t, synthStack.Stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("states"),
		Resource: jsii.String("execution"), ResourceName: jsii.String(*h.StateMachine.AttrName() + ":*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME}))}
	starter["cloudformation:DescribeStacks"] = []any{resolved(t, synthStack.Stack.StackId())}
	t.Run("starter", func(t *testing.T) { assertGrants(t, h.Starter.Role, starter) })

	functions := []any{resolved(t, h.Runner.Function.FunctionArn()), resolved(t, h.Await.Function.FunctionArn())}
	sm := map[string][]any{"lambda:InvokeFunction": functions}
	for _, a := range []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
		"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
		"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"} {
		sm[a] = []any{"*"}
	}
	t.Run("state machine", func(t *testing.T) {
		assertGrants(t, h.Role, sm)
		assertAssumedBy(t, h.Role, "states.amazonaws.com")
	})
}

func TestCompletionRuleFeedsTheAwaitFunction(t *testing.T) {
	h := synthStack.Harness
	rule := resourceOf(t, h.Rule).Properties
	assertJSON(t, "EventBusName", rule["EventBusName"], resolved(t, synthStack.Events.AppBus.EventBusName()))
	var detailTypes []any
	for _, dt := range []string{schemas.DetailTypeImageMetadataWritten, schemas.DetailTypeImageMetadataFailed, schemas.DetailTypeUserAuditLogged, schemas.DetailTypeUserAuditFailed} {
		detailTypes = append(detailTypes, dt)
	}
	sort.Slice(detailTypes, func(i, j int) bool { return detailTypes[i].(string) < detailTypes[j].(string) })
	assertJSON(t, "EventPattern", rule["EventPattern"], map[string]any{
		"source": []any{schemas.AppEventSource}, "detail-type": detailTypes,
	})
	targets := rule["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("rule has %d targets, want 1", len(targets))
	}
	target := targets[0].(map[string]any)
	assertJSON(t, "target Arn", target["Arn"], resolved(t, h.Await.Function.FunctionArn()))
	assertJSON(t, "target RetryPolicy", target["RetryPolicy"], map[string]any{"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3})
	assertJSON(t, "target DeadLetterConfig", target["DeadLetterConfig"], map[string]any{"Arn": resolved(t, h.DeadLetterQueue.QueueArn())})
	assertJSON(t, "permission", permissionFor(t, h.Await).Properties, map[string]any{
		"Action":       "lambda:InvokeFunction",
		"FunctionName": resolved(t, h.Await.Function.FunctionArn()),
		"Principal":    "events.amazonaws.com",
		"SourceArn":    resolved(t, h.Rule.RuleArn()),
	})
}

// A run that ends without its report reaches the starter, from the
// default bus where Step Functions puts its status changes.
func TestRunEndedRuleFeedsTheStarter(t *testing.T) {
	h := synthStack.Harness
	rule := resourceOf(t, h.RunEndedRule).Properties
	if _, ok := rule["EventBusName"]; ok {
		t.Errorf("the rule is on bus %v, want the default bus", rule["EventBusName"])
	}
	assertJSON(t, "EventPattern", rule["EventPattern"], map[string]any{
		"source": []any{"aws.states"}, "detail-type": []any{"Step Functions Execution Status Change"},
		"detail": map[string]any{"stateMachineArn": []any{resolved(t, h.StateMachine.AttrArn())}, "status": []any{"TIMED_OUT", "ABORTED", "FAILED"}},
	})
	targets := rule["Targets"].([]any)
	if len(targets) != 1 {
		t.Fatalf("rule has %d targets, want 1", len(targets))
	}
	assertJSON(t, "target Arn", targets[0].(map[string]any)["Arn"], resolved(t, h.Starter.Function.FunctionArn()))
}

// The deploy-time check: the starter is its service token, its RunId
// changes with every synthesis, and it waits for everything the tests
// touch.
func TestTestRunRunsAfterEverythingItTests(t *testing.T) {
	h := synthStack.Harness
	id := cdkgo.LogicalID(h.TestRun)
	raw := synthTemplate.Resources[id]
	if raw.Type != testharness.TestRunResourceType {
		t.Fatalf("test run %s has type %q, want %s", id, raw.Type, testharness.TestRunResourceType)
	}
	assertJSON(t, "ServiceToken", raw.Properties["ServiceToken"], resolved(t, h.Starter.Function.FunctionArn()))
	runID, _ := raw.Properties["RunId"].(string)
	if _, err := time.Parse(time.RFC3339Nano, runID); err != nil {
		t.Errorf("RunId %q is not the synthesis time: %v", runID, err)
	}
	deps := dependsOn(t, id)
	for what, c := range map[string]string{
		"the pipe":                    *synthStack.Stack.GetLogicalId(synthStack.Users.Pipe),
		"the image rule":              cdkgo.LogicalID(synthStack.Images.Rule),
		"the image rule's permission": permissionID(t, synthStack.Images.Function),
		"the image function":          cdkgo.LogicalID(synthStack.Images.Function.Function),
		"the audit function":          cdkgo.LogicalID(synthStack.Users.Function.Function),
		"the app bus":                 cdkgo.LogicalID(synthStack.Events.AppBus),
		"the completion rule":         cdkgo.LogicalID(h.Rule),
		"the completion permission":   permissionID(t, h.Await),
		"the state machine":           *synthStack.Stack.GetLogicalId(h.StateMachine),
		"the runner":                  cdkgo.LogicalID(h.Runner.Function),
		"the runner's role":           cdkgo.LogicalID(h.Runner.Role),
		"the harness table":           cdkgo.LogicalID(h.Table),
		"the pipe's role":             cdkgo.LogicalID(synthStack.Users.PipeRole),
	} {
		if !deps[c] {
			t.Errorf("the test run does not depend on %s (%s)", what, c)
		}
	}
}

func dependsOn(t *testing.T, id string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, d := range resourceByID(t, id).DependsOn {
		out[d] = true
	}
	return out
}

func permissionID(t *testing.T, fn *cdkgo.Function) string {
	t.Helper()
	arn := resolved(t, fn.Function.FunctionArn())
	for id, p := range resourcesOfType("AWS::Lambda::Permission") {
		if equalJSON(t, p.Properties["FunctionName"], arn) {
			return id
		}
	}
	t.Fatalf("no permission on %s", cdkgo.LogicalID(fn.Function))
	return ""
}

// With the context flag the stack keeps the state machine (and its
// output) for `tracebridge test --stack`, but no deploy-time test run.
// The stack is defined in a second app with the same builder (the handlers
// are not rebuilt) and only its template is rendered.
func TestSkipTestsContextLeavesTheTestRunOut(t *testing.T) {
	app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{cdkharness.SkipTestsContextKey: "true"}})
	stack, err := NewAppStack(app, StackName, &AppStackProps{Builder: synthStack.Builder})
	if err != nil {
		t.Fatal(err)
	}
	if stack.Harness.TestRun != nil {
		t.Error("Harness.TestRun is set with " + cdkharness.SkipTestsContextKey + "=true")
	}
	tmpl := assertions.Template_FromStack(stack.Stack, nil)
	tmpl.ResourceCountIs(jsii.String(testharness.TestRunResourceType), jsii.Number(0))
	tmpl.ResourceCountIs(jsii.String("AWS::StepFunctions::StateMachine"), jsii.Number(1))
	tmpl.HasOutput(jsii.String(schemas.OutputTestStateMachineArn), map[string]any{})
}

package main

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// Packages of the harness's functions.
const (
	TestRunnerPackage  = "./handlers/testrunner"
	TestAwaitPackage   = "./handlers/testawait"
	TestStarterPackage = "./handlers/teststarter"
)

// SkipTestsContextKey is the CDK context flag that leaves the deploy-time
// test run out of the stack (`cdk deploy -c tracebridge:skipTests=true`).
// The state machine stays, so `tracebridge test --stack` can still run it.
const SkipTestsContextKey = "tracebridge:skipTests"

// Harness is the integration-test harness added to the app's stack: the
// state machine generated from the suite (one Parallel branch per test),
// the runner it invokes for each test's act, assert, cleanup and report
// steps, the await function that pairs task tokens with completion events
// (through Table, fed by Rule on the app bus), and the deploy-time check —
// TestRun, a custom resource whose service token, Starter, starts the state
// machine with the CloudFormation request.
type Harness struct {
	constructs.Construct
	Table        awsdynamodb.Table
	Runner       *cdkgo.Function
	Await        *cdkgo.Function
	Starter      *cdkgo.Function
	StateMachine awsstepfunctions.CfnStateMachine
	Role         awsiam.Role
	LogGroup     awslogs.LogGroup
	Rule         awsevents.Rule
	// RunEndedRule sends the starter the status changes of test runs
	// that end without a report (timed out, stopped, failed), so that
	// CloudFormation still gets its answer.
	RunEndedRule    awsevents.Rule
	DeadLetterQueue awssqs.Queue
	// TestRun is nil when the stack was synthesized with SkipTestsContextKey.
	TestRun awscdk.CustomResource
	// Tests are the suite the state machine was generated from.
	Tests []testharness.Test
}

// NewHarness adds the harness to app's stack. runID changes on every
// synthesis (the synthesis time), so CloudFormation updates the TestRun
// resource, and the suite runs, on every deployment.
func NewHarness(scope constructs.Construct, id string, builder *cdkgo.Builder, app *AppStack, runID string) (*Harness, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	h := &Harness{Construct: c, Tests: suite.Tests()}
	definition, err := testharness.Definition(h.Tests)
	if err != nil {
		return nil, fmt.Errorf("harness: state machine definition: %w", err)
	}

	h.Table = awsdynamodb.NewTable(c, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey:        &awsdynamodb.Attribute{Name: jsii.String(testharness.HarnessTablePartitionKey), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:         awsdynamodb.BillingMode_PAY_PER_REQUEST,
		TimeToLiveAttribute: jsii.String(testharness.HarnessTableTTLAttribute),
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		// Tokens and events of finished runs only: nothing to keep.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	if h.Runner, err = newRunner(c, builder, app); err != nil {
		return nil, err
	}
	if h.Await, err = newAwait(c, builder, h.Table); err != nil {
		return nil, err
	}
	grantDiagnosis(h.Await, app)
	h.newStateMachine(c, definition)
	if h.Starter, err = newStarter(c, builder, h.StateMachine); err != nil {
		return nil, err
	}
	if err := h.newRunEndedRule(c); err != nil {
		return nil, err
	}
	if err := h.newCompletionRule(c, app.Events.AppBus); err != nil {
		return nil, err
	}
	if !cdkgo.ContextTrue(c.Node().TryGetContext(jsii.String(SkipTestsContextKey))) {
		h.newTestRun(c, app, runID)
	}
	return h, nil
}

// newRunner defines the function that runs each test's act, assert and
// cleanup phases and the report: it needs what the suite does to the app.
func newRunner(scope constructs.Construct, builder *cdkgo.Builder, app *AppStack) (*cdkgo.Function, error) {
	bucket := app.Images.Bucket
	objects := bucket.ArnForObjects(jsii.String("*"))
	fn, err := cdkgo.NewFunction(scope, "Runner", builder, cdkgo.FunctionProps{
		Package:     TestRunnerPackage,
		Description: "Runs the integration tests' act, assert, cleanup and report steps",
		Environment: map[string]*string{
			testharness.EnvBucketName:        bucket.BucketName(),
			testharness.EnvTableName:         app.Users.Table.TableName(),
			testharness.EnvAuditLogGroupName: app.Users.AuditLogGroup.LogGroupName(),
			testharness.EnvEventBusName:      app.Events.AppBus.EventBusName(),
		},
		MemoryMiB: 256,
		Timeout:   awscdk.Duration_Seconds(jsii.Number(60)),
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("UploadInspectAndRemoveFixtures"),
				Actions:   jsii.Strings("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
				Resources: &[]*string{objects},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("WriteReadAndRemoveItems"),
				Actions:   jsii.Strings("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"),
				Resources: jsii.Strings(*app.Users.Table.TableArn()),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadAuditEntries"),
				Actions:   jsii.Strings("logs:FilterLogEvents"),
				Resources: jsii.Strings(*app.Users.AuditLogGroup.LogGroupArn()),
			}),
			// GetTraceSummaries and BatchGetTraces have no resource types
			// (Service Authorization Reference, AWS X-Ray).
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadTraces"),
				Actions:   jsii.Strings("xray:GetTraceSummaries", "xray:BatchGetTraces"),
				Resources: jsii.Strings("*"),
			}),
			cdkgo.PutEventsStatement(app.Events.AppBus),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("harness runner: %w", err)
	}
	cdkgo.Suppress(fn.Role, "AwsSolutions-IAM5",
		"The tests upload, inspect and delete objects under keys unique to each run, so the runner needs "+
			"every key of the app's one bucket; X-Ray's trace queries support no resource-level permissions.",
		"Resource::<"+cdkgo.LogicalID(bucket)+".Arn>/*", "Resource::*")
	return fn, nil
}

// newAwait defines the function that pairs a waiting task's token with
// the completion event of its run, whichever arrives second completing the
// task.
func newAwait(scope constructs.Construct, builder *cdkgo.Builder, table awsdynamodb.Table) (*cdkgo.Function, error) {
	fn, err := cdkgo.NewFunction(scope, "Await", builder, cdkgo.FunctionProps{
		Package:     TestAwaitPackage,
		Description: "Pairs integration test task tokens with completion events and completes the waiting task",
		Environment: map[string]*string{testharness.EnvHarnessTable: table.TableName()},
		Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("PairTokensWithEvents"),
				Actions:   jsii.Strings("dynamodb:UpdateItem", "dynamodb:GetItem"),
				Resources: jsii.Strings(*table.TableArn()),
			}),
			// The Service Authorization Reference lists no resource type for
			// SendTaskSuccess and SendTaskFailure, so the documented policy is
			// Resource "*" (the local cloud authorizes them so). AWS has been
			// seen to name the state machine in their AccessDenied messages
			// (aws/aws-cdk#8486, NOAA-OWP/hydrovis#837): "*" works either way,
			// and the token itself names the one task it completes.
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("CompleteWaitingTasks"),
				Actions:   jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure"),
				Resources: jsii.Strings("*"),
			}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("harness await: %w", err)
	}
	cdkgo.Suppress(fn.Role, "AwsSolutions-IAM5",
		"SendTaskSuccess and SendTaskFailure support no resource-level permissions (Service Authorization "+
			"Reference, AWS Step Functions); the task token names the one waiting task.",
		"Resource::*")
	return fn, nil
}

// newStarter defines the deploy-time check's service token: it starts the
// state machine with the CloudFormation request and leaves the answer to
// the report step. It reads its own stack's status, to answer a
// rollback's request without running the tests, and the history of a run
// that timed out, to name the tests that had not finished.
func newStarter(scope constructs.Construct, builder *cdkgo.Builder, sm awsstepfunctions.CfnStateMachine) (*cdkgo.Function, error) {
	executions := awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{Service: jsii.String("states"), Resource: jsii.String("execution"),
		ResourceName: jsii.String(*sm.AttrName() + ":*"), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})
	fn, err := cdkgo.NewFunction(scope, "Starter", builder, cdkgo.FunctionProps{
		Package:     TestStarterPackage,
		Description: "Starts the integration tests for a CloudFormation deployment",
		Environment: map[string]*string{testharness.EnvStateMachineArn: sm.AttrArn()},
		Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("StartTests"),
				Actions:   jsii.Strings("states:StartExecution"),
				Resources: jsii.Strings(*sm.AttrArn()),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadTestRunHistory"),
				Actions:   jsii.Strings("states:GetExecutionHistory"),
				Resources: jsii.Strings(*executions),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("RecogniseRollbacks"),
				Actions:   jsii.Strings("cloudformation:DescribeStacks"),
				Resources: jsii.Strings(*awscdk.Stack_Of(scope).StackId()),
			}),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("harness starter: %w", err)
	}
	cdkgo.Suppress(fn.Role, "AwsSolutions-IAM5",
		"An execution's ARN ends in its name, which is the CloudFormation request's id: the starter reads the "+
			"history of any execution of the one test state machine.",
		"Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<"+*awscdk.Stack_Of(scope).GetLogicalId(sm)+".Name>:*")
	return fn, nil
}

// newRunEndedRule routes the test state machine's status changes to
// TIMED_OUT, ABORTED or FAILED (on the default bus, where Step Functions
// sends them) to the starter, which answers CloudFormation for a run that
// ended without its report.
func (h *Harness) newRunEndedRule(scope constructs.Construct) error {
	statuses := make([]any, len(testharness.RunEndedWithoutReport))
	for i, s := range testharness.RunEndedWithoutReport {
		statuses[i] = s
	}
	pattern, err := cdkgo.EventPattern(map[string]any{
		"source":      []any{"aws.states"},
		"detail-type": []any{testharness.ExecutionStatusChangeDetailType},
		"detail":      map[string]any{"stateMachineArn": []any{*h.StateMachine.AttrArn()}, "status": statuses},
	})
	if err != nil {
		return fmt.Errorf("harness run-ended rule: %w", err)
	}
	h.RunEndedRule = awsevents.NewRule(scope, jsii.String("RunEndedRule"), &awsevents.RuleProps{
		Description:  jsii.String("Test runs that ended without a report → starter, which answers CloudFormation"),
		EventPattern: pattern,
		Targets:      &[]awsevents.IRuleTarget{cdkgo.NewFunctionTarget(h.Starter.Function, nil, awscdk.Duration_Hours(jsii.Number(1)), 3)},
	})
	return nil
}

// newStateMachine defines the state machine with its role, traced, logging
// every event with execution data to its own log group.
func (h *Harness) newStateMachine(scope constructs.Construct, definition string) {
	h.LogGroup = awslogs.NewLogGroup(scope, jsii.String("StateMachineLogGroup"), &awslogs.LogGroupProps{
		Retention:     cdkgo.LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("InvokeHarnessFunctions"),
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: jsii.Strings(*h.Runner.Function.FunctionArn(), *h.Await.Function.FunctionArn()),
		}),
		// Step Functions Developer Guide, "IAM policies for using AWS X-Ray
		// in Step Functions".
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("SendTraces"),
			Actions:   jsii.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"),
			Resources: jsii.Strings("*"),
		}),
		// Step Functions Developer Guide, "IAM policies for logging to
		// CloudWatch Logs": log delivery is set up on the account's log
		// delivery resources, which have no resource-level permissions.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("DeliverLogs"),
			Actions: jsii.Strings("logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
				"logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy",
				"logs:DescribeResourcePolicies", "logs:DescribeLogGroups"),
			Resources: jsii.Strings("*"),
		}),
	}
	h.Role = awsiam.NewRole(scope, jsii.String("StateMachineRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"StateMachine": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
	cdkgo.Suppress(h.Role, "AwsSolutions-IAM5",
		"X-Ray segment and sampling actions and CloudWatch Logs delivery actions support no resource-level "+
			"permissions; AWS requires Resource \"*\".",
		"Resource::*")

	h.StateMachine = awsstepfunctions.NewCfnStateMachine(scope, jsii.String("StateMachine"), &awsstepfunctions.CfnStateMachineProps{
		StateMachineType: jsii.String("STANDARD"),
		RoleArn:          h.Role.RoleArn(),
		DefinitionString: jsii.String(definition),
		DefinitionSubstitutions: &map[string]any{
			testharness.SubstitutionRunnerFunctionArn: h.Runner.Function.FunctionArn(),
			testharness.SubstitutionAwaitFunctionArn:  h.Await.Function.FunctionArn(),
		},
		TracingConfiguration: &awsstepfunctions.CfnStateMachine_TracingConfigurationProperty{Enabled: jsii.Bool(true)},
		LoggingConfiguration: &awsstepfunctions.CfnStateMachine_LoggingConfigurationProperty{
			Level:                jsii.String("ALL"),
			IncludeExecutionData: jsii.Bool(true),
			Destinations: &[]any{&awsstepfunctions.CfnStateMachine_LogDestinationProperty{
				CloudWatchLogsLogGroup: &awsstepfunctions.CfnStateMachine_CloudWatchLogsLogGroupProperty{
					LogGroupArn: h.LogGroup.LogGroupArn(),
				},
			}},
		},
	})
	// The role's policy must exist before Step Functions checks it.
	h.StateMachine.Node().AddDependency(h.Role)
}

// completionDetailTypes are the detail-types the suite awaits, sorted.
func completionDetailTypes(tests []testharness.Test) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range tests {
		for _, dt := range append(append([]string{}, t.Await.Success...), t.Await.Failure...) {
			if !seen[dt] {
				seen[dt] = true
				out = append(out, dt)
			}
		}
	}
	sort.Strings(out)
	return out
}

// completionPattern matches the app's completion events the suite awaits.
func completionPattern(tests []testharness.Test) map[string]any {
	types := completionDetailTypes(tests)
	detailTypes := make([]any, len(types))
	for i, t := range types {
		detailTypes[i] = t
	}
	return map[string]any{"source": []any{schemas.AppEventSource}, "detail-type": detailTypes}
}

// newCompletionRule sends the completion events the suite awaits to the
// await function, retrying like the app's own rule and keeping what it
// cannot deliver.
func (h *Harness) newCompletionRule(scope constructs.Construct, bus awsevents.IEventBus) error {
	pattern, err := cdkgo.EventPattern(completionPattern(h.Tests))
	if err != nil {
		return fmt.Errorf("harness completion rule: %w", err)
	}
	h.DeadLetterQueue = cdkgo.NewDeadLetterQueue(scope, "RuleDeadLetterQueue", "the harness completion rule's target")
	h.Rule = awsevents.NewRule(scope, jsii.String("CompletionRule"), &awsevents.RuleProps{
		Description:  jsii.String("Completion events the integration tests await → harness await function"),
		EventBus:     bus,
		EventPattern: pattern,
		Targets:      &[]awsevents.IRuleTarget{cdkgo.NewFunctionTarget(h.Await.Function, h.DeadLetterQueue, awscdk.Duration_Hours(jsii.Number(1)), 3)},
	})
	return nil
}

// newTestRun defines the deploy-time check. It depends on the whole app and
// the rest of the harness, so the tests run once everything they touch
// exists, and its RunId changes on every synthesis.
func (h *Harness) newTestRun(scope constructs.Construct, app *AppStack, runID string) {
	h.TestRun = awscdk.NewCustomResource(scope, jsii.String("TestRun"), &awscdk.CustomResourceProps{
		ServiceToken: h.Starter.Function.FunctionArn(),
		ResourceType: jsii.String(testharness.TestRunResourceType),
		Properties:   &map[string]any{"RunId": runID, "Tests": strconv.Itoa(len(h.Tests))},
		// Nothing to remove: Delete is answered at once.
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	for _, dep := range []constructs.IConstruct{
		app.Events.Construct, app.Images.Construct, app.Users.Construct,
		h.Table, h.Runner.Construct, h.Await.Construct, h.StateMachine, h.Rule, h.RunEndedRule,
	} {
		h.TestRun.Node().AddDependency(dep)
	}
}

// NewRunID is the TestRun property that changes on every synthesis.
func NewRunID(now time.Time) string { return now.UTC().Format(time.RFC3339Nano) }

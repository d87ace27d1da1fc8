package cdkharness

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

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

// completionPattern matches the completion events tests await: their
// source (schemas.AppEventSource, which testharness/completion puts; named
// here rather than through that package, which links the X-Ray SDK and
// with it gRPC into every CDK app) and every detail-type a test names,
// sorted.
func completionPattern(tests []testharness.Test) map[string]any {
	seen := map[string]bool{}
	var types []string
	for _, t := range tests {
		for _, dt := range append(append([]string{}, t.Await.Success...), t.Await.Failure...) {
			if !seen[dt] {
				seen[dt] = true
				types = append(types, dt)
			}
		}
	}
	sort.Strings(types)
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

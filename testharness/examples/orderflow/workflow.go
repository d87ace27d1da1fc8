package main

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
)

// Workflow is the fulfilment workflow and the rule that starts it: every
// OrderAccepted on the app's bus starts an execution, whose input the
// rule's input transformation makes from the event — the order's id,
// correlation id and quantity — and which puts OrderFulfilled, or
// OrderHeld for a quantity over orders.HoldQuantity, on the bus.
type Workflow struct {
	constructs.Construct
	StateMachine awsstepfunctions.CfnStateMachine
	Role         awsiam.Role
	LogGroup     awslogs.LogGroup
	Rule         awsevents.Rule
	// DeadLetters keeps the events the rule could not start an execution
	// with.
	DeadLetters awssqs.Queue
}

// busSubstitution is the definition's placeholder for the bus name.
const busSubstitution = "BusName"

// NewWorkflow defines the state machine, traced and logging to its own
// group, and the rule on bus that starts it.
func NewWorkflow(scope constructs.Construct, id string, bus awsevents.IEventBus) (*Workflow, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	w := &Workflow{Construct: c}
	definition, err := workflowDefinition()
	if err != nil {
		return nil, err
	}
	w.LogGroup = awslogs.NewLogGroup(c, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		Retention: cdkgo.LogRetention, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	statements := []awsiam.PolicyStatement{
		cdkgo.PutEventsStatement(bus),
		// Step Functions Developer Guide, "IAM policies for using AWS X-Ray
		// in Step Functions" and "IAM policies for logging to CloudWatch
		// Logs": neither has resource-level permissions.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("TraceAndLog"),
			Actions: jsii.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets",
				"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
				"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups"),
			Resources: jsii.Strings("*"),
		}),
	}
	w.Role = awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Workflow": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
	cdkgo.Suppress(w.Role, "AwsSolutions-IAM5",
		"X-Ray segment and sampling actions and CloudWatch Logs delivery actions support no resource-level permissions; AWS requires Resource \"*\".",
		"Resource::*")
	w.StateMachine = awsstepfunctions.NewCfnStateMachine(c, jsii.String("StateMachine"), &awsstepfunctions.CfnStateMachineProps{
		StateMachineType:        jsii.String("STANDARD"),
		RoleArn:                 w.Role.RoleArn(),
		DefinitionString:        jsii.String(definition),
		DefinitionSubstitutions: &map[string]any{busSubstitution: bus.EventBusName()},
		TracingConfiguration:    &awsstepfunctions.CfnStateMachine_TracingConfigurationProperty{Enabled: jsii.Bool(true)},
		LoggingConfiguration: &awsstepfunctions.CfnStateMachine_LoggingConfigurationProperty{
			Level:                jsii.String("ALL"),
			IncludeExecutionData: jsii.Bool(true),
			Destinations: &[]any{&awsstepfunctions.CfnStateMachine_LogDestinationProperty{
				CloudWatchLogsLogGroup: &awsstepfunctions.CfnStateMachine_CloudWatchLogsLogGroupProperty{LogGroupArn: w.LogGroup.LogGroupArn()},
			}},
		},
	})
	w.StateMachine.Node().AddDependency(w.Role)

	pattern, err := cdkgo.EventPattern(map[string]any{"source": []any{completion.Source}, "detail-type": []any{orders.DetailTypeOrderAccepted}})
	if err != nil {
		return nil, fmt.Errorf("workflow rule: %w", err)
	}
	w.DeadLetters = cdkgo.NewDeadLetterQueue(c, "RuleDeadLetterQueue", "the workflow rule's target")
	w.Rule = awsevents.NewRule(c, jsii.String("Rule"), &awsevents.RuleProps{
		Description:  jsii.String("OrderAccepted → the fulfilment workflow"),
		EventBus:     bus,
		EventPattern: pattern,
		Targets:      &[]awsevents.IRuleTarget{&workflowTarget{scope: c, machine: w.StateMachine, deadLetters: w.DeadLetters}},
	})
	return w, nil
}

// workflowDefinition routes on the quantity and puts the outcome on the
// bus (the events:putEvents integration), in Amazon States Language.
func workflowDefinition() (string, error) {
	outcome := func(detailType string) map[string]any {
		return map[string]any{
			"Type":     "Task",
			"Resource": "arn:aws:states:::events:putEvents",
			"Parameters": map[string]any{"Entries": []any{map[string]any{
				"EventBusName": "${" + busSubstitution + "}",
				"Source":       completion.Source,
				"DetailType":   detailType,
				"Detail":       map[string]any{"correlationId.$": "$.correlationId", "orderId.$": "$.orderId"},
			}}},
			"End": true,
		}
	}
	def, err := json.Marshal(map[string]any{
		"Comment": "Fulfils an accepted order, or holds it when its quantity is over the hold quantity",
		"StartAt": "Route",
		"States": map[string]any{
			"Route": map[string]any{"Type": "Choice", "Default": "Fulfil",
				"Choices": []any{map[string]any{"Variable": "$.quantity", "NumericGreaterThan": orders.HoldQuantity, "Next": "Hold"}}},
			"Fulfil": outcome(orders.DetailTypeOrderFulfilled),
			"Hold":   outcome(orders.DetailTypeOrderHeld),
		},
	})
	return string(def), err
}

// workflowTarget is the rule's target: the state machine, started as a
// role EventBridge assumes, which may start this state machine alone, with
// the order taken out of the event, retried for an hour, then kept in the
// rule's dead-letter queue. (awseventstargets.SfnStateMachine makes the
// same; that package imports every service a rule can target.) It holds
// constructs, not the Workflow, which jsii must not see embedded twice.
type workflowTarget struct {
	scope       constructs.Construct
	machine     awsstepfunctions.CfnStateMachine
	deadLetters awssqs.Queue
}

// Bind implements awsevents.IRuleTarget (jsii calls it on a pointer).
func (t *workflowTarget) Bind(rule interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	role := awsiam.NewRole(t.scope, jsii.String("RuleRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("StartWorkflow"), Actions: jsii.Strings("states:StartExecution"), Resources: jsii.Strings(*t.machine.AttrArn()),
	}))
	t.deadLetters.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("AllowWorkflowRule"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sqs:SendMessage"),
		Resources:  jsii.Strings(*t.deadLetters.QueueArn()),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule.RuleRef().RuleArn}},
	}))
	return &awsevents.RuleTargetConfig{
		Arn:            t.machine.AttrArn(),
		Role:           role,
		TargetResource: t.machine,
		Input: awsevents.RuleTargetInput_FromObject(map[string]any{
			"orderId":       awsevents.EventField_FromPath(jsii.String("$.detail.orderId")),
			"correlationId": awsevents.EventField_FromPath(jsii.String("$.detail.correlationId")),
			"quantity":      awsevents.EventField_FromPath(jsii.String("$.detail.quantity")),
		}),
		RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
			MaximumEventAgeInSeconds: jsii.Number(3600),
			MaximumRetryAttempts:     jsii.Number(3),
		},
		DeadLetterConfig: &awsevents.CfnRule_DeadLetterConfigProperty{Arn: t.deadLetters.QueueArn()},
	}
}

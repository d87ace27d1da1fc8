package cdkgo

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// FunctionTarget is an EventBridge rule target that invokes a Lambda
// function: the target with its retry policy and dead-letter queue, the
// function's permission for the rule and the queue's for EventBridge.
// It makes what awseventstargets.LambdaFunction makes, resource for
// resource, without compiling that package, which imports every service a
// rule can target (ECS, RDS, API Gateway, AppSync, …): 78 of the 183 CDK
// packages the reference app would otherwise compile on a first run.
type FunctionTarget struct {
	fn            awslambda.IFunction
	deadLetters   awssqs.IQueue // nil: none
	maxEventAge   awscdk.Duration
	retryAttempts float64
}

// NewFunctionTarget returns the target: EventBridge retries a failed
// delivery up to retryAttempts times within maxEventAge, then puts the
// event in deadLetters, which may be nil (the event is dropped).
func NewFunctionTarget(fn awslambda.IFunction, deadLetters awssqs.IQueue, maxEventAge awscdk.Duration, retryAttempts float64) *FunctionTarget {
	return &FunctionTarget{fn: fn, deadLetters: deadLetters, maxEventAge: maxEventAge, retryAttempts: retryAttempts}
}

// Bind implements awsevents.IRuleTarget (jsii calls it on a pointer).
func (t *FunctionTarget) Bind(rule interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	ruleArn := rule.RuleRef().RuleArn
	t.fn.AddPermission(jsii.String("AllowEventRule"+*awscdk.Names_NodeUniqueId(t.fn.Node())), &awslambda.Permission{
		Principal: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil),
		SourceArn: ruleArn,
		Scope:     rule.(constructs.Construct),
	})
	config := &awsevents.RuleTargetConfig{
		Arn:            t.fn.FunctionArn(),
		TargetResource: t.fn,
		RetryPolicy: &awsevents.CfnRule_RetryPolicyProperty{
			MaximumEventAgeInSeconds: t.maxEventAge.ToSeconds(nil),
			MaximumRetryAttempts:     jsii.Number(t.retryAttempts),
		},
	}
	if t.deadLetters != nil {
		t.deadLetters.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowEventRule" + *awscdk.Names_NodeUniqueId(rule.Node())),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)},
			Actions:    jsii.Strings("sqs:SendMessage"),
			Resources:  jsii.Strings(*t.deadLetters.QueueArn()),
			Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": ruleArn}},
		}))
		config.DeadLetterConfig = &awsevents.CfnRule_DeadLetterConfigProperty{Arn: t.deadLetters.QueueArn()}
	}
	return config
}

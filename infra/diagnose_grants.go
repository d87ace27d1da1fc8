package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// grantDiagnosis lets fn (the harness's await function) make exactly the
// read calls of package testharness/diagnose on the app's glue: the
// bucket's notification configuration and object heads, the default bus's
// rules, patterns and targets, the functions' resource policies,
// configurations and log groups, the pipe, its role (by simulation), the
// table's stream, and the dead-letter queues (read and left visible). It
// writes nothing. sts:GetCallerIdentity needs no permission.
func grantDiagnosis(fn *cdkgo.Function, app *AppStack) {
	stack := awscdk.Stack_Of(fn.Construct)
	functions := []*cdkgo.Function{app.Images.Function, app.Users.Function}
	functionArns := make([]*string, 0, len(functions))
	logGroupArns := make([]*string, 0, len(functions))
	for _, f := range functions {
		functionArns = append(functionArns, f.Function.FunctionArn())
		logGroupArns = append(logGroupArns, f.LogGroup.LogGroupArn())
	}
	defaultBusRules := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"), Resource: jsii.String("rule"), ResourceName: jsii.String("*")})
	statements := []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadBucketNotifications"),
			Actions:   jsii.Strings("s3:GetBucketNotification"),
			Resources: &[]*string{app.Images.Bucket.BucketArn()},
		}),
		// HeadObject: the size and ETag of the act's object, for the event
		// S3 puts on the bus.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadObjectHeads"),
			Actions:   jsii.Strings("s3:GetObject"),
			Resources: &[]*string{app.Images.Bucket.ArnForObjects(jsii.String("*"))},
		}),
		// ListRules and TestEventPattern have no resource types (Service
		// Authorization Reference, Amazon EventBridge).
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("MatchRules"),
			Actions:   jsii.Strings("events:ListRules", "events:TestEventPattern"),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadRuleTargets"),
			Actions:   jsii.Strings("events:ListTargetsByRule"),
			Resources: &[]*string{defaultBusRules},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadFunctionGlue"),
			Actions:   jsii.Strings("lambda:GetPolicy", "lambda:GetFunctionConfiguration"),
			Resources: &functionArns,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadFunctionErrors"),
			Actions:   jsii.Strings("logs:FilterLogEvents"),
			Resources: &logGroupArns,
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("SimulatePipeRole"),
			Actions:   jsii.Strings("iam:SimulatePrincipalPolicy"),
			Resources: &[]*string{app.Users.PipeRole.RoleArn()},
		}),
		// ListPipes has no resource types (Service Authorization Reference,
		// Amazon EventBridge Pipes).
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ListPipes"),
			Actions:   jsii.Strings("pipes:ListPipes"),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("DescribePipe"),
			Actions:   jsii.Strings("pipes:DescribePipe"),
			Resources: &[]*string{app.Users.Pipe.AttrArn()},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadTableStream"),
			Actions:   jsii.Strings("dynamodb:DescribeTable", "dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"),
			Resources: &[]*string{app.Users.Table.TableArn(), app.Users.Table.TableStreamArn()},
		}),
		// Dead letters are received and made visible again at once
		// (ChangeMessageVisibilityBatch asks sqs:ChangeMessageVisibility),
		// never deleted.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("PeekDeadLetters"),
			Actions:   jsii.Strings("sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"),
			Resources: &[]*string{app.Images.DeadLetterQueue.QueueArn(), app.Users.DeadLetterQueue.QueueArn()},
		}),
	}
	policy := awsiam.NewPolicy(fn.Construct, jsii.String("Diagnosis"), &awsiam.PolicyProps{
		Roles:    &[]awsiam.IRole{fn.Role},
		Document: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
	})
	cdkgo.Suppress(policy, "AwsSolutions-IAM5",
		"The diagnosis reads the head of the test's object under any key of the app's one bucket, the targets of "+
			"whichever default-bus rule matches the test's event, and the function log groups' streams; ListRules, "+
			"TestEventPattern and ListPipes support no resource-level permissions.",
		"Resource::<"+cdkgo.LogicalID(app.Images.Bucket)+".Arn>/*",
		"Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/*",
		"Resource::*")
}

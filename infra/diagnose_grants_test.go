package main

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// diagnosisGrants are the read calls the reference app's Glue lets the await
// function make, each on the app's resources it reads.
func diagnosisGrants(t *testing.T) map[string][]any {
	t.Helper()
	app := synthStack
	functions := []any{resolved(t, app.Images.Function.Function.FunctionArn()), resolved(t, app.Users.Function.Function.FunctionArn())}
	logGroups := []any{resolved(t, app.Images.Function.LogGroup.LogGroupArn()), resolved(t, app.Users.Function.LogGroup.LogGroupArn())}
	stream := []any{resolved(t, app.Users.Table.TableArn()), resolved(t, app.Users.Table.TableStreamArn())}
	queues := []any{resolved(t, app.Images.DeadLetterQueue.QueueArn()), resolved(t, app.Users.DeadLetterQueue.QueueArn())}
	rules := resolved(t, awscdk.Stack_Of(app.Images.Rule).FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"),
		Resource: jsii.String("rule"), ResourceName: jsii.String("*")}))
	return map[string][]any{
		"s3:GetBucketNotification":        {resolved(t, app.Images.Bucket.BucketArn())},
		"s3:GetObject":                    {resolved(t, app.Images.Bucket.ArnForObjects(jsii.String("*")))},
		"events:ListRules":                {"*"},
		"events:TestEventPattern":         {"*"},
		"events:ListTargetsByRule":        {rules},
		"lambda:GetPolicy":                functions,
		"lambda:GetFunctionConfiguration": functions,
		"logs:FilterLogEvents":            logGroups,
		"iam:SimulatePrincipalPolicy":     {resolved(t, app.Users.PipeRole.RoleArn())},
		"pipes:ListPipes":                 {"*"},
		"pipes:DescribePipe":              {resolved(t, app.Users.Pipe.AttrArn())},
		"dynamodb:DescribeTable":          stream,
		"dynamodb:DescribeStream":         stream,
		"dynamodb:GetShardIterator":       stream,
		"dynamodb:GetRecords":             stream,
		"sqs:GetQueueUrl":                 queues,
		"sqs:ReceiveMessage":              queues,
		"sqs:ChangeMessageVisibility":     queues,
	}
}

package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
	"github.com/tracebridge/tracebridge/testharness/suite"
)

// SuitePackage is the reference app's integration suite, which the
// harness functions are built from.
const SuitePackage = "./testharness/suite"

// newHarness adds the integration-test harness for the reference suite
// to the app's stack: what the tests read (outputs), do (the runner's
// access) and what the diagnosis of a missing completion event follows
// (the glue of both flows).
func newHarness(app *AppStack, outputs map[string]*string, runID string) (*cdkharness.Harness, error) {
	bucket, table, auditLogs := app.Images.Bucket, app.Users.Table, app.Users.AuditLogGroup
	return cdkharness.New(app.Stack, "Harness", &cdkharness.Props{
		Builder:      app.Builder,
		Tests:        suite.Tests(),
		SuitePackage: SuitePackage,
		EventBus:     app.Events.AppBus,
		Outputs:      outputs,
		Access: cdkharness.Access{
			Statements: []awsiam.PolicyStatement{
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("UploadInspectAndRemoveFixtures"),
					Actions:   jsii.Strings("s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
					Resources: &[]*string{bucket.ArnForObjects(jsii.String("*"))},
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("WriteReadAndRemoveItems"),
					Actions:   jsii.Strings("dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:DeleteItem"),
					Resources: jsii.Strings(*table.TableArn()),
				}),
				awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:       jsii.String("ReadAuditEntries"),
					Actions:   jsii.Strings("logs:FilterLogEvents"),
					Resources: jsii.Strings(*auditLogs.LogGroupArn()),
				}),
			},
			Wildcards: []string{"Resource::<" + cdkgo.LogicalID(bucket) + ".Arn>/*"},
			WildcardReason: "The tests upload, inspect and delete objects under keys unique to each run, so the runner " +
				"needs every key of the app's one bucket",
		},
		Glue: cdkharness.Glue{
			Buckets:           []awss3.IBucket{bucket},
			Functions:         []awslambda.IFunction{app.Images.Function.Function, app.Users.Function.Function},
			FunctionLogGroups: []awslogs.ILogGroup{app.Images.Function.LogGroup, app.Users.Function.LogGroup},
			Pipes:             []awspipes.CfnPipe{app.Users.Pipe},
			PipeRoles:         []awsiam.IRole{app.Users.PipeRole},
			Tables:            []awsdynamodb.ITable{table},
			DeadLetterQueues:  []awssqs.IQueue{app.Images.DeadLetterQueue, app.Users.DeadLetterQueue},
		},
		TestRunAfter: []constructs.IConstruct{app.Events.Construct, app.Images.Construct, app.Users.Construct},
		RunID:        runID,
	})
}

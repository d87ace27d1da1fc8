package cdkharness

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awspipes"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// Access is what the runner may do to the app's resources when the tests
// arrange, act, assert and clean up: least privilege, written out by the
// app, since only it knows what its tests do.
type Access struct {
	// Statements are the runner role's statements on the app's resources.
	// The harness adds its own: X-Ray trace queries and PutEvents on the
	// app's bus.
	Statements []awsiam.PolicyStatement
	// Wildcards are the findings cdk-nag's AwsSolutions-IAM5 raises for
	// wildcard resources of Statements, such as
	// "Resource::<Bucket83908E77.Arn>/*" (cdkgo.LogicalID names the
	// resource), and WildcardReason is why the tests need them.
	Wildcards      []string
	WildcardReason string
}

// xrayReason is why the runner's X-Ray statement names every resource.
const xrayReason = "X-Ray's trace queries support no resource-level permissions."

// suppress records the runner role's IAM5 suppression: the app's
// wildcards with its reason, and X-Ray's.
func (a Access) suppress(role awsiam.Role) {
	reason := xrayReason
	if a.WildcardReason != "" {
		reason = a.WildcardReason + "; " + reason
	}
	cdkgo.Suppress(role, "AwsSolutions-IAM5", reason, append(append([]string{}, a.Wildcards...), "Resource::*")...)
}

// Glue is the app's glue that the diagnosis (testharness/diagnose) reads
// when a test's completion event does not come, to name the link that
// broke: the await function may make exactly these reads, and writes
// nothing. A kind the app does not have stays empty and grants nothing.
type Glue struct {
	// Buckets whose event notifications start a flow: their notification
	// configuration, and the head of the test's object (its size and ETag,
	// for the event S3 would put on the bus). Buckets of this stack.
	Buckets []awss3.IBucket
	// Functions the flows invoke, and the log groups they log to: their
	// resource policies and configurations, and their logged errors.
	Functions         []awslambda.IFunction
	FunctionLogGroups []awslogs.ILogGroup
	// Pipes of the flows and the roles they assume: their state and
	// filter, and the role's permissions by simulation.
	Pipes     []awspipes.CfnPipe
	PipeRoles []awsiam.IRole
	// Tables whose streams feed the pipes: the stream's records.
	Tables []awsdynamodb.ITable
	// DeadLetterQueues the flows' deliveries give up into (rule targets',
	// pipes', and the redrive policies' of Queues): received and made
	// visible again at once, never deleted.
	DeadLetterQueues []awssqs.IQueue
	// Queues whose messages start a flow through event source mappings:
	// their attributes (ARN, redrive policy) and their mappings. The
	// functions reading them go in Functions, their execution roles in
	// FunctionRoles.
	Queues []awssqs.IQueue
	// FunctionRoles are the execution roles of the functions reading
	// Queues: their permissions on the queue by simulation.
	FunctionRoles []awsiam.IRole
}

// grant attaches the diagnosis's policy to fn's role. Rules have no list:
// the diagnosis reads the default bus's rules, where AWS services deliver.
// ListRules, TestEventPattern, ListPipes and ListEventSourceMappings have
// no resource types (Service Authorization Reference, Amazon EventBridge,
// EventBridge Pipes and AWS Lambda); sts:GetCallerIdentity needs no
// permission.
func (g Glue) grant(fn *cdkgo.Function) awsiam.Policy {
	stack := awscdk.Stack_Of(fn.Construct)
	var statements []awsiam.PolicyStatement
	add := func(sid string, actions []string, resources []*string) {
		if len(resources) == 0 {
			return
		}
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String(sid), Actions: jsii.Strings(actions...), Resources: &resources,
		}))
	}
	var buckets, objects, functions, logGroups, pipes, roles, streams, queues, sources, functionRoles []*string
	wildcards := []string{}
	for _, b := range g.Buckets {
		buckets = append(buckets, b.BucketArn())
		objects = append(objects, b.ArnForObjects(jsii.String("*")))
		wildcards = append(wildcards, "Resource::<"+cdkgo.LogicalID(b)+".Arn>/*")
	}
	for _, f := range g.Functions {
		functions = append(functions, f.FunctionArn())
	}
	for _, l := range g.FunctionLogGroups {
		logGroups = append(logGroups, l.LogGroupArn())
	}
	for _, p := range g.Pipes {
		pipes = append(pipes, p.AttrArn())
	}
	for _, r := range g.PipeRoles {
		roles = append(roles, r.RoleArn())
	}
	for _, t := range g.Tables {
		streams = append(streams, t.TableArn(), t.TableStreamArn())
	}
	for _, q := range g.DeadLetterQueues {
		queues = append(queues, q.QueueArn())
	}
	for _, q := range g.Queues {
		sources = append(sources, q.QueueArn())
	}
	for _, r := range g.FunctionRoles {
		functionRoles = append(functionRoles, r.RoleArn())
	}
	defaultBusRules := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("events"), Resource: jsii.String("rule"), ResourceName: jsii.String("*")})
	everything := []*string{jsii.String("*")}

	add("ReadBucketNotifications", []string{"s3:GetBucketNotification"}, buckets)
	add("ReadObjectHeads", []string{"s3:GetObject"}, objects)
	add("MatchRules", []string{"events:ListRules", "events:TestEventPattern"}, everything)
	add("ReadRuleTargets", []string{"events:ListTargetsByRule"}, []*string{defaultBusRules})
	add("ReadFunctionGlue", []string{"lambda:GetPolicy", "lambda:GetFunctionConfiguration"}, functions)
	add("ReadFunctionErrors", []string{"logs:FilterLogEvents"}, logGroups)
	add("SimulatePipeRole", []string{"iam:SimulatePrincipalPolicy"}, roles)
	if len(pipes) > 0 {
		add("ListPipes", []string{"pipes:ListPipes"}, everything)
	}
	add("DescribePipe", []string{"pipes:DescribePipe"}, pipes)
	add("ReadTableStream", []string{"dynamodb:DescribeTable", "dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"}, streams)
	// ChangeMessageVisibilityBatch asks sqs:ChangeMessageVisibility.
	add("PeekDeadLetters", []string{"sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"}, queues)
	// GetQueueUrl for a trigger that names its queue by ARN.
	add("ReadQueues", []string{"sqs:GetQueueUrl", "sqs:GetQueueAttributes"}, sources)
	if len(sources) > 0 {
		add("ListEventSourceMappings", []string{"lambda:ListEventSourceMappings"}, everything)
	}
	add("SimulateFunctionRoles", []string{"iam:SimulatePrincipalPolicy"}, functionRoles)

	policy := awsiam.NewPolicy(fn.Construct, jsii.String("Diagnosis"), &awsiam.PolicyProps{
		Roles:    &[]awsiam.IRole{fn.Role},
		Document: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
	})
	cdkgo.Suppress(policy, "AwsSolutions-IAM5",
		"The diagnosis reads the head of the test's object under any key of the app's buckets, the targets of "+
			"whichever default-bus rule matches the test's event, and the function log groups' streams; ListRules, "+
			"TestEventPattern, ListPipes and ListEventSourceMappings support no resource-level permissions.",
		append(wildcards, "Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:rule/*", "Resource::*")...)
	return policy
}

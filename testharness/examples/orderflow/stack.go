package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/orders"
	"github.com/tracebridge/tracebridge/testharness/examples/orderflow/suite"
)

// The flows' timings. A queue's visibility timeout must not be shorter
// than its consumer's timeout (Lambda refuses the mapping otherwise).
const (
	functionTimeoutSeconds   = 10
	visibilityTimeoutSeconds = 30
	// maxReceiveCount is how often a message may fail before the redrive
	// policy moves it to the dead-letter queue.
	maxReceiveCount = 2
)

// OrderFlowStack is the example app: orders on a queue feed the worker
// through an event source mapping (batches, partial batch responses); the
// queue's redrive policy moves what keeps failing to a dead-letter queue,
// whose own mapping feeds the dead-letter function; the worker's
// OrderAccepted events start the fulfilment workflow through a rule; and
// the harness runs the suite at deploy time.
type OrderFlowStack struct {
	awscdk.Stack
	Bus         awsevents.EventBus
	Queue       awssqs.Queue
	DeadLetters awssqs.Queue
	Table       awsdynamodb.Table
	Worker      *cdkgo.Function
	DeadLetter  *cdkgo.Function
	Workflow    *Workflow
	Harness     *cdkharness.Harness
}

// Packages are the example's Go packages, relative to the module root,
// for the builder.
type Packages struct {
	Worker, DeadLetter, Suite string
}

// NewOrderFlowStack defines the app's stack; builder builds its functions.
func NewOrderFlowStack(scope constructs.Construct, id string, builder *cdkgo.Builder, pkgs Packages) (*OrderFlowStack, error) {
	stack := awscdk.NewStack(scope, jsii.String(id), nil)
	s := &OrderFlowStack{Stack: stack}
	s.Bus = awsevents.NewEventBus(stack, jsii.String("Bus"), &awsevents.EventBusProps{EventBusName: jsii.String("orderflow-app")})
	s.DeadLetters = cdkgo.NewDeadLetterQueue(stack, "DeadLetterQueue", "the orders queue")
	s.Queue = awssqs.NewQueue(stack, jsii.String("Queue"), &awssqs.QueueProps{
		Encryption:        awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(visibilityTimeoutSeconds)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: s.DeadLetters, MaxReceiveCount: jsii.Number(maxReceiveCount)},
	})
	s.Table = awsdynamodb.NewTable(stack, jsii.String("Table"), &awsdynamodb.TableProps{
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String(orders.TableKey), Type: awsdynamodb.AttributeType_STRING},
		BillingMode:  awsdynamodb.BillingMode_PAY_PER_REQUEST,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	var err error
	s.Worker, err = cdkgo.NewFunction(stack, "Worker", builder, cdkgo.FunctionProps{
		Package:     pkgs.Worker,
		Description: "Stores the orders of the orders queue and announces them",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(functionTimeoutSeconds)),
		Environment: map[string]*string{orders.EnvEventBusName: s.Bus.EventBusName(), orders.EnvTableName: s.Table.TableName()},
		Statements: []awsiam.PolicyStatement{
			consumeStatement(s.Queue),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("StoreOrders"),
				Actions:   jsii.Strings("dynamodb:PutItem"),
				Resources: jsii.Strings(*s.Table.TableArn()),
			}),
			cdkgo.PutEventsStatement(s.Bus),
		},
	})
	if err != nil {
		return nil, err
	}
	// Up to ten orders a batch, gathered for a second; a failed order
	// alone goes back to the queue.
	awslambda.NewEventSourceMapping(stack, jsii.String("WorkerQueueMapping"), &awslambda.EventSourceMappingProps{
		Target:                  s.Worker.Function,
		EventSourceArn:          s.Queue.QueueArn(),
		BatchSize:               jsii.Number(10),
		MaxBatchingWindow:       awscdk.Duration_Seconds(jsii.Number(1)),
		ReportBatchItemFailures: jsii.Bool(true),
	})
	s.DeadLetter, err = cdkgo.NewFunction(stack, "DeadLetter", builder, cdkgo.FunctionProps{
		Package:     pkgs.DeadLetter,
		Description: "Announces the orders that reached the dead-letter queue",
		Timeout:     awscdk.Duration_Seconds(jsii.Number(functionTimeoutSeconds)),
		Environment: map[string]*string{orders.EnvEventBusName: s.Bus.EventBusName()},
		Statements:  []awsiam.PolicyStatement{consumeStatement(s.DeadLetters), cdkgo.PutEventsStatement(s.Bus)},
	})
	if err != nil {
		return nil, err
	}
	awslambda.NewEventSourceMapping(stack, jsii.String("DeadLetterQueueMapping"), &awslambda.EventSourceMappingProps{
		Target:         s.DeadLetter.Function,
		EventSourceArn: s.DeadLetters.QueueArn(),
		BatchSize:      jsii.Number(1),
	})
	if s.Workflow, err = NewWorkflow(stack, "Workflow", s.Bus); err != nil {
		return nil, err
	}

	outputs := map[string]*string{orders.OutputQueueURL: s.Queue.QueueUrl(), orders.OutputTableName: s.Table.TableName()}
	for name, value := range outputs {
		awscdk.NewCfnOutput(stack, jsii.String(name), &awscdk.CfnOutputProps{Value: value})
	}
	s.Harness, err = cdkharness.New(stack, "Harness", &cdkharness.Props{
		Builder:      builder,
		Tests:        suite.Tests(),
		SuitePackage: pkgs.Suite,
		EventBus:     s.Bus,
		Outputs:      outputs,
		Access: cdkharness.Access{Statements: []awsiam.PolicyStatement{
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("SendOrders"), Actions: jsii.Strings("sqs:SendMessage"), Resources: jsii.Strings(*s.Queue.QueueArn()),
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("ReadAndRemoveOrders"), Actions: jsii.Strings("dynamodb:GetItem", "dynamodb:DeleteItem"),
				Resources: jsii.Strings(*s.Table.TableArn()),
			}),
		}},
		Glue: cdkharness.Glue{
			Functions:         []awslambda.IFunction{s.Worker.Function, s.DeadLetter.Function},
			FunctionLogGroups: []awslogs.ILogGroup{s.Worker.LogGroup, s.DeadLetter.LogGroup},
			DeadLetterQueues:  []awssqs.IQueue{s.Workflow.DeadLetters, s.DeadLetters},
			Queues:            []awssqs.IQueue{s.Queue, s.DeadLetters},
			FunctionRoles:     []awsiam.IRole{s.Worker.Role, s.DeadLetter.Role},
		},
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// consumeStatement lets a function's event source mapping poll a queue:
// what Lambda checks when the mapping is made (ReceiveMessage,
// DeleteMessage, GetQueueAttributes) and ChangeMessageVisibility.
func consumeStatement(q awssqs.IQueue) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ConsumeQueue"),
		Actions: jsii.Strings("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
			"sqs:ChangeMessageVisibility"),
		Resources: jsii.Strings(*q.QueueArn()),
	})
}

package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventschemas"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
	"github.com/tracebridge/tracebridge/testharness/cdkharness"
)

// StackName is the CloudFormation stack the CDK app deploys.
const StackName = "Tracebridge"

// AppStackProps configures the reference app's stack. The zero value (and
// nil) is valid.
type AppStackProps struct {
	awscdk.StackProps
	// Builder builds the Go handlers. Nil means DefaultBuilder: build from
	// the module root into infra/build.
	Builder *cdkgo.Builder
	// RunID is the deploy-time test run's property that makes the suite run
	// on every deployment; "" means cdkharness.NewRunID(time.Now()).
	RunID string
}

// AppStack is the reference application. Its parts are exported so that
// constructs added to the same stack (the test harness) and the tests can
// reach the bus, bucket, table, audit log group and functions.
type AppStack struct {
	awscdk.Stack
	Builder  *cdkgo.Builder
	Events   *Events
	Registry awseventschemas.CfnRegistry
	Images   *Images
	Users    *Users
	Harness  *cdkharness.Harness
}

// NewAppStack defines the reference app — the image metadata flow, the user
// audit flow, their event plumbing — the integration-test harness that
// checks it on every deployment, and the stack outputs outside code reads.
func NewAppStack(scope constructs.Construct, id string, props *AppStackProps) (*AppStack, error) {
	if props == nil {
		props = &AppStackProps{}
	}
	builder := props.Builder
	if builder == nil {
		var err error
		if builder, err = DefaultBuilder(); err != nil {
			return nil, err
		}
	}
	stackProps := props.StackProps
	if stackProps.Description == nil {
		stackProps.Description = jsii.String("Tracebridge reference app: S3 → EventBridge → Lambda image metadata and DynamoDB → Pipe → Lambda user audit")
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &stackProps)

	events, err := NewEvents(stack, "Events")
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	registry := NewSchemaRegistry(stack, "Schemas")
	images, err := NewImages(stack, "Images", builder, events)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	users, err := NewUsers(stack, "Users", builder, events)
	if err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}

	app := &AppStack{Stack: stack, Builder: builder, Events: events, Registry: registry, Images: images, Users: users}
	outputs := map[string]*string{
		schemas.OutputBucketName:        images.Bucket.BucketName(),
		schemas.OutputTableName:         users.Table.TableName(),
		schemas.OutputAuditLogGroupName: users.AuditLogGroup.LogGroupName(),
		schemas.OutputEventBusName:      events.AppBus.EventBusName(),
	}
	for name, value := range outputs {
		awscdk.NewCfnOutput(stack, jsii.String(name), &awscdk.CfnOutputProps{Value: value})
	}
	if app.Harness, err = newHarness(app, outputs, props.RunID); err != nil {
		return nil, fmt.Errorf("stack %s: %w", id, err)
	}
	return app, nil
}

package cdkgo

import (
	"fmt"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GoPackageMetadataKey is the resource metadata key on every Go function's
// AWS::Lambda::Function naming the package it was built from, relative to the
// module root. The local cloud reads it to rebuild the same package for the
// host architecture instead of running the arm64 asset.
const GoPackageMetadataKey = "tracebridge:go-package"

// GoMainMetadataKey accompanies GoPackageMetadataKey on a function built
// from a generated main package (Builder.AddMain): the source of its
// main.go, which the local cloud builds the package with (go build
// -overlay), since the package's directory does not exist.
const GoMainMetadataKey = "tracebridge:go-main"

// LocalCodeDirMetadataKey takes GoPackageMetadataKey's place in an assembly
// synthesized for the local cloud (Builder.ForLocalCloud): the asset
// directory, relative to the module root, whose bootstrap was built for
// this machine, which the local cloud runs without building anything.
const LocalCodeDirMetadataKey = "tracebridge:code-dir"

// LogRetention is how long the log groups of NewFunction keep events:
// long enough to investigate a failed deployment-time test run, short
// enough to cost nothing.
const LogRetention = awslogs.RetentionDays_ONE_MONTH

// FunctionProps describes one Go Lambda function.
type FunctionProps struct {
	// Package is the handler's package path relative to the module root,
	// such as "./handlers/imagemetadata", or a generated main package
	// (Builder.AddMain).
	Package     string
	Description string
	Environment map[string]*string
	MemoryMiB   float64 // 128 when zero
	Timeout     awscdk.Duration
	// Statements are the function's own permissions. Writing to its log
	// group and sending X-Ray segments are added by NewFunction.
	Statements []awsiam.PolicyStatement
}

// Function is a Go Lambda function with its own log group and a role whose
// every permission is written out explicitly.
type Function struct {
	constructs.Construct
	Function awslambda.Function
	// Role is the function's execution role. The function itself sees it as
	// immutable so CDK cannot widen it behind our back; add permissions here.
	Role     awsiam.Role
	LogGroup awslogs.LogGroup
}

// NewFunction builds props.Package with builder and defines the function:
// provided.al2023 on arm64, handler "bootstrap", active X-Ray tracing, and
// the metadata the local cloud finds its code by (GoPackageMetadataKey,
// or LocalCodeDirMetadataKey for the local cloud's own assembly).
func NewFunction(scope constructs.Construct, id string, builder *Builder, props FunctionProps) (*Function, error) {
	assetDir, err := builder.Build(props.Package)
	if err != nil {
		return nil, err
	}
	c := constructs.NewConstruct(scope, jsii.String(id))

	// An explicit log group instead of the legacy LogRetention custom
	// resource, which would add a Node.js helper Lambda to the stack.
	// It goes with the function: deleting the stack deletes it too, instead
	// of leaving one orphaned group per deployment behind.
	logGroup := awslogs.NewLogGroup(c, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	statements := append([]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("WriteOwnLogs"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: jsii.Strings(*logGroup.LogGroupArn()),
		}),
		xrayStatement(),
	}, props.Statements...)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"Function": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})

	Suppress(role, "AwsSolutions-IAM5",
		"X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; AWS requires Resource \"*\".",
		"Resource::*")

	memory := props.MemoryMiB
	if memory == 0 {
		memory = 128
	}
	var description *string
	if props.Description != "" {
		description = jsii.String(props.Description)
	}
	fn := awslambda.NewFunction(c, jsii.String("Function"), &awslambda.FunctionProps{
		Description:  description,
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Architecture: awslambda.Architecture_ARM_64(),
		Handler:      jsii.String("bootstrap"),
		Code:         awslambda.Code_FromAsset(jsii.String(assetDir), nil),
		MemorySize:   jsii.Number(memory),
		Timeout:      props.Timeout,
		Tracing:      awslambda.Tracing_ACTIVE,
		Environment:  &props.Environment,
		LogGroup:     logGroup,
		// Immutable: tracing would otherwise append its own X-Ray statement
		// in a second policy, and nothing else may add one unseen.
		Role: role.WithoutPolicyUpdates(nil),
	})
	cfn, ok := fn.Node().DefaultChild().(awslambda.CfnFunction)
	if !ok {
		return nil, fmt.Errorf("function %s: default child is not an AWS::Lambda::Function", id)
	}
	if builder.ForLocalCloud {
		rel, err := filepath.Rel(builder.ModuleRoot, assetDir)
		if err != nil {
			return nil, fmt.Errorf("function %s: asset directory %s: %w", id, assetDir, err)
		}
		cfn.AddMetadata(jsii.String(LocalCodeDirMetadataKey), filepath.ToSlash(rel))
	} else {
		cfn.AddMetadata(jsii.String(GoPackageMetadataKey), props.Package)
		if source, ok := builder.MainSource(props.Package); ok {
			cfn.AddMetadata(jsii.String(GoMainMetadataKey), source)
		}
	}
	return &Function{Construct: c, Function: fn, Role: role, LogGroup: logGroup}, nil
}

// PutEventsStatement lets a function put events on bus: an app's handlers
// their completion events, the harness's runner its TestRunCompleted.
func PutEventsStatement(bus awsevents.IEventBus) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("PutCompletionEvents"),
		Actions:   jsii.Strings("events:PutEvents"),
		Resources: jsii.Strings(*bus.EventBusArn()),
	})
}

// xrayStatement lets a function send trace segments. X-Ray has no resource
// types for these actions, so the resource must be "*".
func xrayStatement() awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("SendTraces"),
		Actions:   jsii.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords"),
		Resources: jsii.Strings("*"),
	})
}

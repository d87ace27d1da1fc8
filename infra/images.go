package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// ImageMetadataPackage is the image metadata handler's package.
const ImageMetadataPackage = "./handlers/imagemetadata"

// Images is the image metadata flow: uploads to Bucket reach the default
// bus as "Object Created" events, Rule sends them to Function, and events
// the rule cannot deliver land in DeadLetterQueue. BucketArchive keeps the
// bucket's events for replay.
type Images struct {
	constructs.Construct
	Bucket          awss3.Bucket
	Rule            awsevents.Rule
	DeadLetterQueue awssqs.Queue
	Function        *cdkgo.Function
	BucketArchive   awsevents.Archive
}

// NewImages defines the image metadata flow; completion events go to events.AppBus.
func NewImages(scope constructs.Construct, id string, builder *cdkgo.Builder, events *Events) (*Images, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
	})
	// EventBridge notifications as the bucket's own CloudFormation property.
	// The L2 prop EventBridgeEnabled would install CDK's
	// Custom::S3BucketNotifications helper Lambda instead; the native
	// property has the same effect with no extra function or role.
	cfnBucket, ok := bucket.Node().DefaultChild().(awss3.CfnBucket)
	if !ok {
		return nil, fmt.Errorf("images: bucket's default child is not an AWS::S3::Bucket")
	}
	cfnBucket.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
	cdkgo.Suppress(bucket, "AwsSolutions-S1",
		"The bucket holds short-lived fixtures that the integration tests upload and delete; its object "+
			"events are archived on the default bus for replay, and an access log bucket would itself need "+
			"access logs.")

	objects := bucket.ArnForObjects(jsii.String("*"))
	fn, err := cdkgo.NewFunction(c, "ImageMetadataHandler", builder, cdkgo.FunctionProps{
		Package:     ImageMetadataPackage,
		Description: "Writes image_width and image_height user metadata onto uploaded images",
		Environment: map[string]*string{schemas.EnvEventBusName: events.AppBus.EventBusName()},
		MemoryMiB:   256,
		Timeout:     awscdk.Duration_Seconds(jsii.Number(30)),
		Statements: []awsiam.PolicyStatement{
			// CopyObject onto itself needs GetObject on the source and
			// PutObject on the destination (Amazon S3 API Reference, CopyObject).
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:       jsii.String("ReadAndRewriteObjects"),
				Actions:   jsii.Strings("s3:GetObject", "s3:PutObject"),
				Resources: &[]*string{objects},
			}),
			cdkgo.PutEventsStatement(events.AppBus),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	cdkgo.Suppress(fn.Role, "AwsSolutions-IAM5",
		"The function sizes any object uploaded to the app's bucket, so it needs every key of that one bucket.",
		"Resource::<"+cdkgo.LogicalID(bucket)+".Arn>/*")

	pattern, err := cdkgo.EventPattern(schemas.S3ObjectCreatedPattern(*bucket.BucketName()))
	if err != nil {
		return nil, fmt.Errorf("images rule: %w", err)
	}
	dlq := cdkgo.NewDeadLetterQueue(c, "RuleDeadLetterQueue", "the image metadata rule's target")
	rule := awsevents.NewRule(c, jsii.String("ObjectCreatedRule"), &awsevents.RuleProps{
		Description:  jsii.String("Object Created in the app bucket → image metadata function"),
		EventPattern: pattern,
		Targets:      &[]awsevents.IRuleTarget{cdkgo.NewFunctionTarget(fn.Function, dlq, awscdk.Duration_Hours(jsii.Number(1)), 3)},
	})

	archive, err := newArchive(c, "BucketEventsArchive", events.DefaultBus,
		schemas.S3BucketEventsPattern(*bucket.BucketName()), "S3 events of the app bucket, for replay")
	if err != nil {
		return nil, fmt.Errorf("images: %w", err)
	}
	return &Images{Construct: c, Bucket: bucket, Rule: rule, DeadLetterQueue: dlq, Function: fn, BucketArchive: archive}, nil
}

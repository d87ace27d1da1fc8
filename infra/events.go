package main

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/cdkgo"
)

// archiveRetention keeps archived events long enough to replay a failed
// run's traffic during the following weeks.
var archiveRetention = awscdk.Duration_Days(jsii.Number(30))

// Events is the app's event plumbing: the bus its completion events go to
// (the harness awaits them there), an archive of those events for replay, and
// the default bus, where AWS services such as S3 deliver.
type Events struct {
	constructs.Construct
	AppBus        awsevents.EventBus
	AppBusArchive awsevents.Archive
	DefaultBus    awsevents.IEventBus
}

// NewEvents defines the app bus and its archive of completion events.
func NewEvents(scope constructs.Construct, id string) (*Events, error) {
	c := constructs.NewConstruct(scope, jsii.String(id))
	bus := awsevents.NewEventBus(c, jsii.String("AppBus"), &awsevents.EventBusProps{
		Description: jsii.String("Completion events of the Tracebridge reference app"),
	})
	archive, err := newArchive(c, "AppBusArchive", bus, schemas.CompletionEventsPattern(),
		"Completion events of the reference app, for replay")
	if err != nil {
		return nil, err
	}
	return &Events{
		Construct:     c,
		AppBus:        bus,
		AppBusArchive: archive,
		DefaultBus:    awsevents.EventBus_FromEventBusName(c, jsii.String("DefaultBus"), jsii.String("default")),
	}, nil
}

// newArchive archives the events on bus that match pattern (a schemas
// pattern) for archiveRetention.
func newArchive(scope constructs.Construct, id string, bus awsevents.IEventBus, pattern map[string]any, description string) (awsevents.Archive, error) {
	p, err := cdkgo.EventPattern(pattern)
	if err != nil {
		return nil, err
	}
	archive := awsevents.NewArchive(scope, jsii.String(id), &awsevents.ArchiveProps{
		SourceEventBus: bus,
		EventPattern:   p,
		Retention:      archiveRetention,
		Description:    jsii.String(description),
	})
	// Without a KMS key the L2 Archive renders KmsKeyIdentifier: "", which is
	// not a valid value and fails deployment in some regions
	// (aws/aws-cdk#37847). Absent, EventBridge uses an AWS owned key.
	cfn, ok := archive.Node().DefaultChild().(awscdk.CfnResource)
	if !ok {
		return nil, fmt.Errorf("archive %s: default child is not a CloudFormation resource", id)
	}
	cfn.AddPropertyDeletionOverride(jsii.String("KmsKeyIdentifier"))
	return archive, nil
}

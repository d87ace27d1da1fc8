// Package schemas is the single source of truth for the reference app's event
// contracts: the sources and detail-types it emits, the Go shapes of their
// details, the EventBridge patterns the infra installs, and the configuration
// names that connect the infra to the handlers.
//
// The infra, the handlers and the tests all import these values, so a rename
// happens in one place and breaks every consumer at compile time.
package schemas

// AppEventSource is the `source` of every completion event the app puts on
// its event bus.
const AppEventSource = "tracebridge.app"

// Detail-types of the completion events the app emits on its event bus:
// each flow's success, and its failure (announced at once when retrying
// cannot help).
const (
	DetailTypeImageMetadataWritten = "ImageMetadataWritten"
	DetailTypeImageMetadataFailed  = "ImageMetadataFailed"
	DetailTypeUserAuditLogged      = "UserAuditLogged"
	DetailTypeUserAuditFailed      = "UserAuditFailed"
	DetailTypeTestRunCompleted     = "TestRunCompleted"
)

// Source and detail-type of the S3 notification that EventBridge delivers
// when an object is created in a bucket with EventBridge notifications on.
const (
	S3EventSource            = "aws.s3"
	DetailTypeObjectCreated  = "Object Created"
	AuditEventTypeUserCreate = "UserCreated"
)

// Where the correlation id travels in the data itself, because AWS does not
// carry X-Ray context across S3 notifications or DynamoDB streams.
const (
	// S3UserMetadataCorrelationID is the user metadata key (x-amz-meta-correlation-id).
	S3UserMetadataCorrelationID = "correlation-id"
	// DynamoDBCorrelationIDAttribute is the item attribute holding the id.
	DynamoDBCorrelationIDAttribute = "correlationId"
)

// User metadata keys the image metadata function writes. Outside code relies
// on these names: do not rename.
const (
	S3UserMetadataImageWidth  = "image_width"
	S3UserMetadataImageHeight = "image_height"
)

// The DynamoDB key schema of the app's table: PK (partition) and SK (sort),
// both strings. UserPKPrefix marks items the user audit flow cares about.
const (
	TablePartitionKey = "PK"
	TableSortKey      = "SK"
	UserPKPrefix      = "USER#"
)

// Environment variables the infra sets on the functions and the handlers read.
const (
	EnvEventBusName      = "EVENT_BUS_NAME"
	EnvAuditLogGroupName = "AUDIT_LOG_GROUP_NAME"
)

// Stack output names that outside code relies on: do not rename.
const (
	OutputBucketName          = "BucketName"
	OutputTableName           = "TableName"
	OutputAuditLogGroupName   = "AuditLogGroupName"
	OutputEventBusName        = "EventBusName"
	OutputTestStateMachineArn = "TestStateMachineArn"
)

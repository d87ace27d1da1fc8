package schemas

import (
	_ "embed" // the JSON Schema documents
	"strings"
)

// JSONSchemaType is the schema dialect of every file in jsonschema/: the one
// AWS::EventSchemas::Schema accepts as Type "JSONSchemaDraft4".
const JSONSchemaType = "JSONSchemaDraft4"

// Names of the JSON Schemas, as they should be published in the app's
// EventBridge schema registry. Registry names allow letters, digits, '.',
// '-', '_' and '@'; "<source>@<detail-type>" is the convention AWS's own
// discovered schemas follow.
const (
	SchemaNameImageMetadataWritten = AppEventSource + "@" + DetailTypeImageMetadataWritten
	SchemaNameImageMetadataFailed  = AppEventSource + "@" + DetailTypeImageMetadataFailed
	SchemaNameUserAuditLogged      = AppEventSource + "@" + DetailTypeUserAuditLogged
	SchemaNameUserAuditFailed      = AppEventSource + "@" + DetailTypeUserAuditFailed
	SchemaNameAuditEntry           = AppEventSource + "@AuditEntry"
	SchemaNameS3ObjectCreated      = S3EventSource + "@ObjectCreated"
	SchemaNameDynamoDBStreamBatch  = "aws.pipes@DynamoDBStreamBatch"
)

// The schema documents, embedded one per variable so reading them cannot fail.
var (
	//go:embed jsonschema/ImageMetadataWritten.json
	imageMetadataWrittenSchema string
	//go:embed jsonschema/ImageMetadataFailed.json
	imageMetadataFailedSchema string
	//go:embed jsonschema/UserAuditLogged.json
	userAuditLoggedSchema string
	//go:embed jsonschema/UserAuditFailed.json
	userAuditFailedSchema string
	//go:embed jsonschema/AuditEntry.json
	auditEntrySchema string
	//go:embed jsonschema/S3ObjectCreated.json
	s3ObjectCreatedSchema string
	//go:embed jsonschema/DynamoDBStreamBatch.json
	dynamoDBStreamBatchSchema string
)

// JSONSchemas returns every JSON Schema of the app's contracts, registry
// name → schema document (JSONSchemaType). The event schemas describe the
// whole EventBridge event, detail included, as the registry expects; the
// audit entry and the Pipe batch describe those documents. The map is a
// fresh copy: callers may keep or change it.
func JSONSchemas() map[string]string {
	return map[string]string{
		SchemaNameImageMetadataWritten: strings.TrimSpace(imageMetadataWrittenSchema),
		SchemaNameImageMetadataFailed:  strings.TrimSpace(imageMetadataFailedSchema),
		SchemaNameUserAuditLogged:      strings.TrimSpace(userAuditLoggedSchema),
		SchemaNameUserAuditFailed:      strings.TrimSpace(userAuditFailedSchema),
		SchemaNameAuditEntry:           strings.TrimSpace(auditEntrySchema),
		SchemaNameS3ObjectCreated:      strings.TrimSpace(s3ObjectCreatedSchema),
		SchemaNameDynamoDBStreamBatch:  strings.TrimSpace(dynamoDBStreamBatchSchema),
	}
}

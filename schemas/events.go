package schemas

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Details of the completion events the app puts on its bus. Their JSON
// Schemas are in jsonschema/ (see JSONSchemas); tests keep the two in step.

// ImageMetadataWritten is the detail of a DetailTypeImageMetadataWritten
// event: the object's user metadata now holds its dimensions.
type ImageMetadataWritten struct {
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	Width         int    `json:"width"`
	Height        int    `json:"height"`
	Format        string `json:"format"`
	CorrelationID string `json:"correlationId,omitempty"`
}

// ImageMetadataFailed is the detail of a DetailTypeImageMetadataFailed
// event: the object is not an image the function can size (unknown format,
// truncated or absurd header), or AWS refused a call in a way retrying
// cannot fix (ErrorCode and ErrorMessage are then AWS's, verbatim), so
// nothing was written. Reason names the broken link for a person.
type ImageMetadataFailed struct {
	Bucket        string `json:"bucket"`
	Key           string `json:"key"`
	Reason        string `json:"reason"`
	ErrorCode     string `json:"errorCode,omitempty"`
	ErrorMessage  string `json:"errorMessage,omitempty"`
	CorrelationID string `json:"correlationId"`
}

// UserAuditLogged is the detail of a DetailTypeUserAuditLogged event: one
// audit entry was written for the user item with these keys.
type UserAuditLogged struct {
	PK            string `json:"pk"`
	SK            string `json:"sk"`
	LogGroup      string `json:"logGroup"`
	CorrelationID string `json:"correlationId"`
}

// UserAuditFailed is the detail of a DetailTypeUserAuditFailed event: AWS
// refused to store the audit entry of the user item with these keys in a
// way retrying cannot fix (a denial, a missing log group, an invalid
// request). ErrorCode and ErrorMessage are AWS's, verbatim; Reason names the
// broken link for a person.
type UserAuditFailed struct {
	PK            string `json:"pk"`
	SK            string `json:"sk"`
	LogGroup      string `json:"logGroup"`
	Reason        string `json:"reason"`
	ErrorCode     string `json:"errorCode"`
	ErrorMessage  string `json:"errorMessage"`
	CorrelationID string `json:"correlationId"`
}

// StringAttribute is a DynamoDB-JSON string value, {"S": "..."}.
type StringAttribute struct {
	S string `json:"S"`
}

// AuditEntry is the message of one audit log event. Its JSON is exactly
// {"EventType":"UserCreated","PK":{"S":"<pk>"},"SK":{"S":"<sk>"}}: the
// field order here is the key order on the wire, and outside code relies on
// it, so do not reorder or add fields.
type AuditEntry struct {
	EventType string          `json:"EventType"`
	PK        StringAttribute `json:"PK"`
	SK        StringAttribute `json:"SK"`
}

// NewUserCreatedAuditEntry is the audit entry for a new user item.
func NewUserCreatedAuditEntry(pk, sk string) AuditEntry {
	return AuditEntry{EventType: AuditEventTypeUserCreate, PK: StringAttribute{S: pk}, SK: StringAttribute{S: sk}}
}

// Message is the entry as the audit log holds it: exactly
// {"EventType":"UserCreated","PK":{"S":"…"},"SK":{"S":"…"}}, keys in this
// order, the key values as the stream record has them (no HTML escaping
// of <, > or &, which encoding/json would add).
func (e AuditEntry) Message() string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(e) // strings only: encoding cannot fail
	return strings.TrimSuffix(b.String(), "\n")
}

// Reasons S3 gives in the detail of an "Object Created" event.
const (
	S3ReasonPutObject               = "PutObject"
	S3ReasonPostObject              = "POST Object"
	S3ReasonCopyObject              = "CopyObject"
	S3ReasonCompleteMultipartUpload = "CompleteMultipartUpload"
)

// S3ObjectCreatedDetail is the detail of the "Object Created" event S3 puts
// on the default bus (Amazon S3 User Guide, "EventBridge event message
// structure"). Object.Key is not URL-encoded: see DecodeS3EventKey.
type S3ObjectCreatedDetail struct {
	Version         string        `json:"version"`
	Bucket          S3EventBucket `json:"bucket"`
	Object          S3EventObject `json:"object"`
	RequestID       string        `json:"request-id"`
	Requester       string        `json:"requester"`
	SourceIPAddress string        `json:"source-ip-address,omitempty"`
	Reason          string        `json:"reason"`
}

// S3EventBucket names the bucket of an S3 EventBridge event.
type S3EventBucket struct {
	Name string `json:"name"`
}

// S3EventObject describes the object of an S3 EventBridge event. VersionID
// is present only for versioned buckets.
type S3EventObject struct {
	Key       string `json:"key"`
	Size      int64  `json:"size"`
	ETag      string `json:"etag"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer"`
}

// DynamoDBStreamBatch is what an EventBridge Pipe with a DynamoDB stream
// source delivers to a Lambda target: a bare JSON array of stream records,
// not the {"Records": [...]} wrapper of a Lambda event source mapping
// (EventBridge User Guide, "Amazon DynamoDB stream as a source").
//
// aws-lambda-go's events.DynamoDBEventRecord is not reused: it turns
// ApproximateCreationDateTime into a time that re-encodes as a number even
// when the field was absent, and parses attribute values into its own union,
// so it does not give back the record it was given.
type DynamoDBStreamBatch []DynamoDBStreamRecord

// DynamoDBStreamRecord is one stream record (DynamoDB Streams API Reference,
// "Record").
type DynamoDBStreamRecord struct {
	EventID        string                `json:"eventID"`
	EventName      string                `json:"eventName"`
	EventVersion   string                `json:"eventVersion"`
	EventSource    string                `json:"eventSource"`
	AWSRegion      string                `json:"awsRegion"`
	DynamoDB       DynamoDBStreamChange  `json:"dynamodb"`
	EventSourceARN string                `json:"eventSourceARN"`
	UserIdentity   *DynamoDBUserIdentity `json:"userIdentity,omitempty"`
}

// DynamoDBStreamChange is a record's "dynamodb" member ("StreamRecord").
// ApproximateCreationDateTime stays a json.Number (epoch seconds) so the
// record re-encodes as received.
type DynamoDBStreamChange struct {
	ApproximateCreationDateTime json.Number               `json:"ApproximateCreationDateTime,omitempty"`
	Keys                        map[string]AttributeValue `json:"Keys"`
	NewImage                    map[string]AttributeValue `json:"NewImage,omitempty"`
	OldImage                    map[string]AttributeValue `json:"OldImage,omitempty"`
	SequenceNumber              string                    `json:"SequenceNumber"`
	SizeBytes                   int64                     `json:"SizeBytes"`
	StreamViewType              string                    `json:"StreamViewType"`
}

// DynamoDBUserIdentity marks records caused by the service itself, such as
// TTL deletions.
type DynamoDBUserIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// AttributeValue is one DynamoDB-JSON value, kept as received ({"S": "x"},
// {"N": "1"}, {"M": {...}}, ...) so it can be copied into the audit entry
// verbatim.
type AttributeValue map[string]json.RawMessage

// String returns the value of a string attribute ({"S": "..."}) and whether
// the value is one.
func (v AttributeValue) String() (string, bool) {
	raw, ok := v["S"]
	if !ok || len(v) != 1 {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// StringKey returns the string value of key attribute name in the record's
// Keys, or an error saying why the record has none.
func (r DynamoDBStreamRecord) StringKey(name string) (string, error) {
	v, ok := r.DynamoDB.Keys[name]
	if !ok {
		return "", fmt.Errorf("stream record %q has no key attribute %s", r.EventID, name)
	}
	s, ok := v.String()
	if !ok {
		return "", fmt.Errorf("stream record %q: key attribute %s is not a string (S) value", r.EventID, name)
	}
	return s, nil
}

// NewImageString returns the string value of attribute name in NewImage, if
// it is there and a string.
func (r DynamoDBStreamRecord) NewImageString(name string) (string, bool) {
	v, ok := r.DynamoDB.NewImage[name]
	if !ok {
		return "", false
	}
	return v.String()
}

package s3

import "encoding/xml"

// NotificationConfiguration is a bucket's notification configuration. It
// reads both the XML of PutBucketNotificationConfiguration and the JSON
// that CDK's Custom::S3BucketNotifications passes to the SDK, so the
// custom-resource replacement hands its properties over unchanged.
type NotificationConfiguration struct {
	XMLName                      xml.Name                      `xml:"NotificationConfiguration" json:"-"`
	Xmlns                        string                        `xml:"xmlns,attr,omitempty" json:"-"`
	TopicConfigurations          []TopicConfiguration          `xml:"TopicConfiguration" json:"TopicConfigurations,omitempty"`
	QueueConfigurations          []QueueConfiguration          `xml:"QueueConfiguration" json:"QueueConfigurations,omitempty"`
	LambdaFunctionConfigurations []LambdaFunctionConfiguration `xml:"CloudFunctionConfiguration" json:"LambdaFunctionConfigurations,omitempty"`
	// EventBridgeConfiguration, when present (even empty), sends every
	// event of the bucket to EventBridge.
	EventBridgeConfiguration *EventBridgeConfiguration `xml:"EventBridgeConfiguration" json:"EventBridgeConfiguration,omitempty"`
}

// EventBridgeConfiguration has no fields; its presence is the setting.
type EventBridgeConfiguration struct{}

// TopicConfiguration sends events to an SNS topic (stored, not delivered).
type TopicConfiguration struct {
	ID       string              `xml:"Id,omitempty" json:"Id,omitempty"`
	TopicArn string              `xml:"Topic" json:"TopicArn"`
	Events   []string            `xml:"Event" json:"Events"`
	Filter   *NotificationFilter `xml:"Filter,omitempty" json:"Filter,omitempty"`
}

// QueueConfiguration sends events to an SQS queue (stored, not delivered).
type QueueConfiguration struct {
	ID       string              `xml:"Id,omitempty" json:"Id,omitempty"`
	QueueArn string              `xml:"Queue" json:"QueueArn"`
	Events   []string            `xml:"Event" json:"Events"`
	Filter   *NotificationFilter `xml:"Filter,omitempty" json:"Filter,omitempty"`
}

// LambdaFunctionConfiguration invokes a function (stored, not delivered).
type LambdaFunctionConfiguration struct {
	ID                string              `xml:"Id,omitempty" json:"Id,omitempty"`
	LambdaFunctionArn string              `xml:"CloudFunction" json:"LambdaFunctionArn"`
	Events            []string            `xml:"Event" json:"Events"`
	Filter            *NotificationFilter `xml:"Filter,omitempty" json:"Filter,omitempty"`
}

// NotificationFilter selects objects by key prefix and suffix.
type NotificationFilter struct {
	Key KeyFilter `xml:"S3Key" json:"Key"`
}

// KeyFilter holds prefix/suffix rules.
type KeyFilter struct {
	FilterRules []FilterRule `xml:"FilterRule" json:"FilterRules"`
}

// FilterRule is {Name: prefix|suffix, Value}.
type FilterRule struct {
	Name  string `xml:"Name" json:"Name"`
	Value string `xml:"Value" json:"Value"`
}

// EncryptionConfiguration is the ServerSideEncryptionConfiguration of a
// bucket (stored and returned; objects are not encrypted).
type EncryptionConfiguration struct {
	XMLName xml.Name         `xml:"ServerSideEncryptionConfiguration"`
	Xmlns   string           `xml:"xmlns,attr,omitempty"`
	Rules   []EncryptionRule `xml:"Rule"`
}

// EncryptionRule is one rule of an EncryptionConfiguration.
type EncryptionRule struct {
	Default struct {
		SSEAlgorithm   string `xml:"SSEAlgorithm"`
		KMSMasterKeyID string `xml:"KMSMasterKeyID,omitempty"`
	} `xml:"ApplyServerSideEncryptionByDefault"`
	BucketKeyEnabled bool `xml:"BucketKeyEnabled"`
}

// defaultEncryption is what S3 reports for a bucket without its own
// configuration: every bucket has SSE-S3 since January 2023.
func defaultEncryption() *EncryptionConfiguration {
	c := &EncryptionConfiguration{Rules: make([]EncryptionRule, 1)}
	c.Rules[0].Default.SSEAlgorithm = "AES256"
	return c
}

// PublicAccessBlockConfiguration is a bucket's public access block; the
// CloudFormation property and the XML document have the same members.
type PublicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration" json:"-"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty" json:"-"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

type versioningConfiguration struct {
	XMLName xml.Name `xml:"VersioningConfiguration"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status,omitempty"`
}

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

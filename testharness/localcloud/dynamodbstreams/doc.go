// Package dynamodbstreams is the local DynamoDB Streams service: it keeps
// the change records of every table stream and serves them through the
// DynamoDB Streams API (awsJson1.0, X-Amz-Target
// "DynamoDBStreams_20120810.*", signed as "dynamodb"), and to EventBridge
// Pipes through a Go API that signals new records without polling.
//
// The DynamoDB service feeds it: every write that changed an item of a
// table with a stream becomes one Append, in write order. Records look as
// DynamoDB Streams writes them (eventVersion "1.1", 32-hex eventID,
// ApproximateCreationDateTime in epoch seconds, 21-digit increasing
// sequence numbers, images by StreamViewType, userIdentity on TTL deletes).
//
// Where it differs from DynamoDB Streams (also in testharness/localcloud/SUPPORT.md):
//   - A stream has exactly one shard for its whole life; AWS rolls shards
//     about every four hours and splits them under load. Closing the stream
//     (DisableStream) closes that shard.
//   - Retention is exactly 24 hours on the service's clock; a record is gone
//     the moment it is older, and TRIM_HORIZON starts after it.
//   - Sequence numbers are unique across all streams of the service, not
//     only within a shard.
//   - GetRecords returns at most Limit records and ignores the 1 MB cap.
package dynamodbstreams

// Package s3 is the local cloud's Amazon S3: path-style and virtual-hosted
// REST-XML requests, buckets and objects in memory, multipart uploads, the
// bucket sub-resources CDK templates and SDKs use, and EventBridge
// notifications ("Object Created", "Object Deleted") for buckets whose
// notification configuration enables them.
//
// Where it differs from S3 (testharness/localcloud/SUPPORT.md has the full list): one region and
// account; no object versions are kept (a versioned bucket only reports
// version ids); ACLs and encryption are stored but not enforced (bucket
// policies are evaluated by the gateway's authorization, not here);
// conditional writes are checked atomically, so 409
// ConditionalRequestConflict never occurs; classic notifications (SQS, SNS, Lambda) are stored but not
// delivered; an unknown sub-resource answers NotImplemented.
//
// The routing table is in router.go; every response, error or not, is
// rendered by render in the same file.
package s3

package schemas

// Patterns are plain Go values (maps and slices) so the infra can hand them
// to CDK, the local cloud can feed them to its matcher, and tests can assert
// on them, all from one definition.

// S3ObjectCreatedPattern is the EventBridge pattern of the rule on the
// default bus that sends a bucket's "Object Created" notifications to the
// image metadata function.
func S3ObjectCreatedPattern(bucketName string) map[string]any {
	return map[string]any{
		"source":      []any{S3EventSource},
		"detail-type": []any{DetailTypeObjectCreated},
		"detail": map[string]any{
			"bucket": map[string]any{"name": []any{bucketName}},
		},
	}
}

// S3BucketEventsPattern matches every S3 notification of one bucket; the
// default bus archive uses it so the bucket's events can be replayed.
func S3BucketEventsPattern(bucketName string) map[string]any {
	return map[string]any{
		"source": []any{S3EventSource},
		"detail": map[string]any{
			"bucket": map[string]any{"name": []any{bucketName}},
		},
	}
}

// UserInsertFilterPattern is the Pipe's filter on the table's stream: only
// INSERTs of items whose partition key begins with USER# reach the audit
// function. It is matched against the stream record as the Pipe sees it.
func UserInsertFilterPattern() map[string]any {
	return map[string]any{
		"eventName": []any{"INSERT"},
		"dynamodb": map[string]any{
			"Keys": map[string]any{
				TablePartitionKey: map[string]any{
					"S": []any{map[string]any{"prefix": UserPKPrefix}},
				},
			},
		},
	}
}

// CompletionEventsPattern matches every completion event the app emits on
// its bus; the harness's resolver rule and the bus archive use it.
func CompletionEventsPattern() map[string]any {
	return map[string]any{"source": []any{AppEventSource}}
}

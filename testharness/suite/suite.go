// Package suite is the reference app's integration test suite: the tests
// the state machine runs at deploy time, the runner function looks up by
// name, and `tracebridge test` reports. Adding a test to Tests adds it
// everywhere.
//
// Every test keys its data by a fresh correlation id, so tests run
// concurrently and never see each other's data, and its Cleanup deletes
// what it made (the audit log's entries stay: they are the audit).
package suite

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
)

// Deadline of every test's wait for its completion event. The app
// completes within a second locally and a few seconds on AWS (cold
// starts); the deadline only matters when nothing happens at all.
const Deadline = 30 * time.Second

// Tests returns the suite.
func Tests() []testharness.Test {
	return []testharness.Test{
		s3PNGMetadata(),
		ddbUserAuditLog(),
		pipeFilterIgnoresNonUsers(),
		imageRejectsNonImages(),
	}
}

// newCorrelationID returns a fresh id naming the test, so that a person
// reading a bucket listing or a log line sees which test made it.
func newCorrelationID(test string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("correlation id: %w", err)
	}
	return "tb-" + test + "-" + hex.EncodeToString(b), nil
}

// objectKey is where a test's object lives: under a prefix of its own.
func objectKey(correlationID, name string) string {
	return "tracebridge-tests/" + correlationID + "/" + name
}

// putObject uploads body with the correlation id in its user metadata.
func putObject(ctx context.Context, env *testharness.Env, key, correlationID string, body []byte) (bucket string, err error) {
	if bucket, err = env.Output(schemas.OutputBucketName); err != nil {
		return "", err
	}
	_, err = env.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytesReader(body),
		ContentType: aws.String("image/png"),
		Metadata:    map[string]string{schemas.S3UserMetadataCorrelationID: correlationID},
	})
	if err != nil {
		return "", fmt.Errorf("PutObject s3://%s/%s: %w", bucket, key, err)
	}
	return bucket, nil
}

// deleteObject removes a test's object; deleting a missing key succeeds.
func deleteObject(ctx context.Context, env *testharness.Env, run testharness.Run) error {
	bucket, key := run.State["bucket"], run.State["key"]
	if bucket == "" || key == "" {
		return nil
	}
	if _, err := env.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
		return fmt.Errorf("DeleteObject s3://%s/%s: %w", bucket, key, err)
	}
	return nil
}

// headMetadata returns an object's user metadata.
func headMetadata(ctx context.Context, env *testharness.Env, run testharness.Run) (map[string]string, error) {
	out, err := env.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(run.State["bucket"]), Key: aws.String(run.State["key"])})
	if err != nil {
		return nil, fmt.Errorf("HeadObject s3://%s/%s: %w", run.State["bucket"], run.State["key"], err)
	}
	return out.Metadata, nil
}

package s3_test

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// logLines returns the access log records stored under prefix in bucket,
// one per log object, in key order.
func (e *env) logLines(t *testing.T, bucket, prefix string) []string {
	t.Helper()
	ctx := context.Background()
	list, err := e.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, o := range list.Contents {
		out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if !bytes.HasSuffix(b, []byte("\n")) || bytes.Count(b, []byte("\n")) != 1 {
			t.Fatalf("log object %s holds %q, want one record", aws.ToString(o.Key), b)
		}
		lines = append(lines, strings.TrimSuffix(string(b), "\n"))
	}
	return lines
}

// logTo turns on access logging of bucket into target under prefix,
// with keyFormat when it is not nil.
func (e *env) logTo(t *testing.T, bucket, target, prefix string, keyFormat *types.TargetObjectKeyFormat) error {
	t.Helper()
	_, err := e.client.PutBucketLogging(context.Background(), &awss3.PutBucketLoggingInput{Bucket: aws.String(bucket),
		BucketLoggingStatus: &types.BucketLoggingStatus{LoggingEnabled: &types.LoggingEnabled{TargetBucket: aws.String(target),
			TargetPrefix: aws.String(prefix), TargetObjectKeyFormat: keyFormat}}})
	return err
}

func TestBucketLoggingConfiguration(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "src")
	wantCode(t, e.logTo(t, "src", "logs", "src/", nil), "InvalidTargetBucketForLogging")
	e.bucket(t, "logs")
	if err := e.logTo(t, "src", "logs", "src/", nil); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: aws.String("src")})
	if err != nil || got.LoggingEnabled == nil || aws.ToString(got.LoggingEnabled.TargetBucket) != "logs" || aws.ToString(got.LoggingEnabled.TargetPrefix) != "src/" {
		t.Fatalf("GetBucketLogging = %+v, %v", got, err)
	}
	if _, err := e.client.PutBucketLogging(ctx, &awss3.PutBucketLoggingInput{Bucket: aws.String("src"), BucketLoggingStatus: &types.BucketLoggingStatus{}}); err != nil {
		t.Fatal(err)
	}
	if got, err := e.client.GetBucketLogging(ctx, &awss3.GetBucketLoggingInput{Bucket: aws.String("src")}); err != nil || got.LoggingEnabled != nil {
		t.Fatalf("GetBucketLogging after disabling = %+v, %v", got, err)
	}
	if _, err := e.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	// Logged: reading the configuration and the request that disabled it;
	// not: what came after.
	lines := e.logLines(t, "logs", "")
	if len(lines) != 2 || strings.Contains(strings.Join(lines, "\n"), "HEAD") {
		t.Errorf("records %q, want GetBucketLogging's and the disabling PutBucketLogging's", lines)
	}
}

// TestAccessLogRecordsEveryAnswer: each request to a logged bucket leaves
// one record in the documented field order, with the status, error code,
// bytes sent (a range's, an error document's) and object size S3 reports.
func TestAccessLogRecordsEveryAnswer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "src")
	e.bucket(t, "logs")
	if err := e.logTo(t, "src", "logs", "src/", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a b.bin"),
		Body: bytes.NewReader(make([]byte, 200_000))}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("a b.bin"), Range: aws.String("bytes=0-99")})
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, out.Body)
	out.Body.Close()
	_, err = e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a b.bin"),
		CopySource: aws.String("src/a%20b.bin"), CopySourceIfMatch: aws.String(`"other"`), MetadataDirective: types.MetadataDirectiveReplace})
	wantCode(t, err, "PreconditionFailed")
	_, err = e.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("src"), Key: aws.String("gone")})
	wantCode(t, err, "NoSuchKey")

	// owner bucket [time] ip requester request-id operation key "request-uri"
	// status error bytes size total turnaround "referer" "user-agent" version
	// host-id signature cipher auth host tls access-point acl-required
	// (sent: a pattern, as error documents vary in length)
	record := func(op, key, uri, status, code, sent, size string) *regexp.Regexp {
		return regexp.MustCompile(`^000000000000 src \[01/Mar/2026:12:00:00 \+0000\] 127\.0\.0\.1 arn:aws:iam::000000000000:root \S+ ` +
			regexp.QuoteMeta(op+" "+key+` "`+uri+` HTTP/1.1" `+status+" "+code) + " " + sent + " " + regexp.QuoteMeta(size) +
			` 0 0 "-" "[^"]*aws-sdk-go-v2[^"]*" - localcloud/\S+ SigV4 - AuthHeader 127\.0\.0\.1:\d+ - - -$`)
	}
	want := []*regexp.Regexp{
		record("REST.PUT.OBJECT", "a%20b.bin", "PUT /src/a%20b.bin?x-id=PutObject", "200", "-", "-", "200000"),
		record("REST.GET.OBJECT", "a%20b.bin", "GET /src/a%20b.bin?x-id=GetObject", "206", "-", "100", "200000"),
		record("REST.COPY.OBJECT", "a%20b.bin", "PUT /src/a%20b.bin?x-id=CopyObject", "412", "PreconditionFailed", `\d+`, "200000"),
		record("REST.GET.OBJECT", "gone", "GET /src/gone?x-id=GetObject", "404", "NoSuchKey", `\d+`, "-"),
	}
	lines := e.logLines(t, "logs", "src/2026-03-01-12-00-00-")
	if len(lines) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	// Keys have one-second precision and a random part: the records of
	// one second are in no particular order.
	for _, w := range want {
		found := false
		for _, l := range lines {
			found = found || w.MatchString(l)
		}
		if !found {
			t.Errorf("no record matches %s in\n%s", w, strings.Join(lines, "\n"))
		}
	}
}

func TestAccessLogPartitionedPrefix(t *testing.T) {
	e := newEnv(t)
	e.bucket(t, "src")
	e.bucket(t, "logs")
	if err := e.logTo(t, "src", "logs", "p/",
		&types.TargetObjectKeyFormat{PartitionedPrefix: &types.PartitionedPrefix{PartitionDateSource: types.PartitionDateSourceEventTime}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.HeadBucket(context.Background(), &awss3.HeadBucketInput{Bucket: aws.String("src")}); err != nil {
		t.Fatal(err)
	}
	lines := e.logLines(t, "logs", "p/000000000000/us-east-1/src/2026/03/01/2026-03-01-12-00-00-")
	if len(lines) != 1 || !strings.Contains(lines[0], ` REST.HEAD.BUCKET - "HEAD /src HTTP/1.1" 200 - - - `) {
		t.Fatalf("records %q", lines)
	}
}

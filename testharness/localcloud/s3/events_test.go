package s3_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/tracebridge/tracebridge/testharness/localcloud/s3"
)

var sequencerPattern = regexp.MustCompile(`^[0-9A-F]{16}$`)

// checkEvent compares an event with the S3 EventBridge shape
// (testdata/s3-eventbridge-event.json), the sequencer apart, which it
// returns.
func checkEvent(t *testing.T, got s3.Event, detailType, bucket, wantDetail string) string {
	t.Helper()
	if got.Source != "aws.s3" || got.DetailType != detailType || !reflect.DeepEqual(got.Resources, []string{"arn:aws:s3:::" + bucket}) || !got.Time.Equal(start) {
		t.Errorf("envelope = %s %s %v %v; want aws.s3 %s [arn:aws:s3:::%s] %v", got.Source, got.DetailType, got.Resources, got.Time, detailType, bucket, start)
	}
	var detail map[string]any
	if err := json.Unmarshal(got.Detail, &detail); err != nil {
		t.Fatalf("detail %s: %v", got.Detail, err)
	}
	object := detail["object"].(map[string]any)
	seq, _ := object["sequencer"].(string)
	if !sequencerPattern.MatchString(seq) {
		t.Errorf("sequencer %q is not 16 hex digits", seq)
	}
	object["sequencer"] = "<sequencer>"
	var want map[string]any
	if err := json.Unmarshal([]byte(wantDetail), &want); err != nil {
		t.Fatalf("want detail: %v", err)
	}
	if !reflect.DeepEqual(detail, want) {
		gotJSON, _ := json.Marshal(detail)
		t.Errorf("detail =\n%s\nwant\n%s", gotJSON, wantDetail)
	}
	return seq
}

func requestID(md middleware.Metadata) string {
	id, _ := awsmiddleware.GetRequestIDMetadata(md)
	return id
}

func TestEventBridgeEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "events")
	e.bucket(t, "quiet")
	if _, err := e.client.PutBucketNotificationConfiguration(ctx, &awss3.PutBucketNotificationConfigurationInput{Bucket: aws.String("events"),
		NotificationConfiguration: &types.NotificationConfiguration{EventBridgeConfiguration: &types.EventBridgeConfiguration{}}}); err != nil {
		t.Fatal(err)
	}
	key := "uploads/my photo ü+1.png" // spaces and non-ASCII stay as they are in EventBridge events
	put, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("events"), Key: aws.String(key), Body: strings.NewReader("hello")})
	if err != nil {
		t.Fatal(err)
	}
	events := e.events.take()
	if len(events) != 1 {
		t.Fatalf("PutObject sent %d events, want 1", len(events))
	}
	seq1 := checkEvent(t, events[0], "Object Created", "events", fmt.Sprintf(`{"version":"0","bucket":{"name":"events"},
		"object":{"key":%q,"size":5,"etag":"5d41402abc4b2a76b9719d911017c592","sequencer":"<sequencer>"},
		"request-id":%q,"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"PutObject"}`, key, requestID(put.ResultMetadata)))

	cp, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("events"), Key: aws.String(key), CopySource: aws.String("events/uploads/my%20photo%20%C3%BC%2B1.png"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"image_width": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	events = e.events.take()
	if len(events) != 1 {
		t.Fatalf("CopyObject sent %d events, want 1", len(events))
	}
	seq2 := checkEvent(t, events[0], "Object Created", "events", fmt.Sprintf(`{"version":"0","bucket":{"name":"events"},
		"object":{"key":%q,"size":5,"etag":"5d41402abc4b2a76b9719d911017c592","sequencer":"<sequencer>"},
		"request-id":%q,"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"CopyObject"}`, key, requestID(cp.ResultMetadata)))

	del, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("events"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	events = e.events.take()
	if len(events) != 1 {
		t.Fatalf("DeleteObject sent %d events, want 1", len(events))
	}
	seq3 := checkEvent(t, events[0], "Object Deleted", "events", fmt.Sprintf(`{"version":"0","bucket":{"name":"events"},
		"object":{"key":%q,"sequencer":"<sequencer>"},
		"request-id":%q,"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"DeleteObject","deletion-type":"Permanently Deleted"}`, key, requestID(del.ResultMetadata)))
	if !(seq1 < seq2 && seq2 < seq3) {
		t.Errorf("sequencers %s %s %s do not increase", seq1, seq2, seq3)
	}

	// The same calls on a bucket without EventBridge configuration: nothing.
	if _, err := e.client.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("quiet"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.CopyObject(ctx, &awss3.CopyObjectInput{Bucket: aws.String("quiet"), Key: aws.String("k2"), CopySource: aws.String("quiet/k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String("quiet"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if got := e.events.take(); len(got) != 0 {
		t.Errorf("bucket without EventBridge configuration sent %d events", len(got))
	}
}

func TestEventsOfMultipartAndBatchDelete(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.bucket(t, "events")
	if err := e.svc.PutBucketNotificationConfiguration(ctx, "events", s3.NotificationConfiguration{EventBridgeConfiguration: &s3.EventBridgeConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	create, err := e.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String("events"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := e.client.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String("events"), Key: aws.String("mp"), UploadId: create.UploadId, PartNumber: aws.Int32(1), Body: strings.NewReader("hello")})
	if err != nil {
		t.Fatal(err)
	}
	done, err := e.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String("events"), Key: aws.String("mp"), UploadId: create.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil {
		t.Fatal(err)
	}
	events := e.events.take()
	if len(events) != 1 {
		t.Fatalf("CompleteMultipartUpload sent %d events, want 1", len(events))
	}
	checkEvent(t, events[0], "Object Created", "events", fmt.Sprintf(`{"version":"0","bucket":{"name":"events"},
		"object":{"key":"mp","size":5,"etag":%q,"sequencer":"<sequencer>"},
		"request-id":%q,"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"CompleteMultipartUpload"}`,
		strings.Trim(aws.ToString(done.ETag), `"`), requestID(done.ResultMetadata)))

	dels, err := e.client.DeleteObjects(ctx, &awss3.DeleteObjectsInput{Bucket: aws.String("events"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("mp")}, {Key: aws.String("never-existed")}}}})
	if err != nil {
		t.Fatal(err)
	}
	events = e.events.take()
	if len(events) != 1 {
		t.Fatalf("DeleteObjects of one existing key sent %d events, want 1", len(events))
	}
	checkEvent(t, events[0], "Object Deleted", "events", fmt.Sprintf(`{"version":"0","bucket":{"name":"events"},
		"object":{"key":"mp","sequencer":"<sequencer>"},
		"request-id":%q,"requester":"000000000000","source-ip-address":"127.0.0.1","reason":"DeleteObject","deletion-type":"Permanently Deleted"}`,
		requestID(dels.ResultMetadata)))

	// Go API calls carry no client address, so the event has none.
	e.clock.Advance(time.Second)
	if _, err := e.svc.PutObject(ctx, s3.PutInput{Bucket: "events", Key: "direct", Data: []byte("d")}); err != nil {
		t.Fatal(err)
	}
	events = e.events.take()
	if len(events) != 1 || strings.Contains(string(events[0].Detail), "source-ip-address") {
		t.Errorf("direct PutObject events = %v; want one without source-ip-address", events)
	}
}

// TestEventShapeMatchesAWSRecording compares the members of a PutObject
// event with an event recorded against AWS (testdata, with its source).
func TestEventShapeMatchesAWSRecording(t *testing.T) {
	raw, err := os.ReadFile("testdata/s3-eventbridge-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Recorded struct {
			Detail map[string]any `json:"detail"`
		} `json:"aws_recorded_snapshot_event"`
	}
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.bucket(t, "shape")
	if err := e.svc.PutBucketNotificationConfiguration(context.Background(), "shape", s3.NotificationConfiguration{EventBridgeConfiguration: &s3.EventBridgeConfiguration{}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: aws.String("shape"), Key: aws.String("k"), Body: strings.NewReader("four")}); err != nil {
		t.Fatal(err)
	}
	events := e.events.take()
	if len(events) != 1 {
		t.Fatalf("%d events", len(events))
	}
	var detail map[string]any
	_ = json.Unmarshal(events[0].Detail, &detail)
	if got, want := memberPaths("", detail), memberPaths("", golden.Recorded.Detail); !reflect.DeepEqual(got, want) {
		t.Errorf("detail members = %v\nAWS recorded   %v", got, want)
	}
}

func memberPaths(prefix string, m map[string]any) []string {
	var out []string
	for k, v := range m {
		out = append(out, prefix+k)
		if sub, ok := v.(map[string]any); ok {
			out = append(out, memberPaths(prefix+k+".", sub)...)
		}
	}
	sort.Strings(out)
	return out
}

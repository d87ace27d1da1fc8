package dynamodbstreams

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc    *Service
	clock  *clock.Fake
	client *dynamodbstreams.Client
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fc := clock.NewFake(epoch)
	svc := New(Options{Clock: fc})
	g := gateway.New(identity.NewStore())
	g.Register(svc.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return &fixture{svc: svc, clock: fc, client: dynamodbstreams.NewFromConfig(awstest.Config(t, srv.URL))}
}

// enable creates a stream on table with the app's key schema.
func (f *fixture) enable(t *testing.T, table, view string) string {
	t.Helper()
	a, err := f.svc.EnableStream(context.Background(), StreamSpec{TableName: table, StreamViewType: view,
		KeySchema: []KeySchemaElement{{AttributeName: "PK", KeyType: "HASH"}, {AttributeName: "SK", KeyType: "RANGE"}}})
	if err != nil {
		t.Fatalf("EnableStream: %v", err)
	}
	return a
}

func item(pk, msg string) []byte {
	return []byte(`{"PK":{"S":"` + pk + `"},"SK":{"S":"A"},"Message":{"S":"` + msg + `"}}`)
}

func keys(pk string) []byte { return []byte(`{"PK":{"S":"` + pk + `"},"SK":{"S":"A"}}`) }

func (f *fixture) put(t *testing.T, streamARN, event, pk string, oldImg, newImg []byte) {
	t.Helper()
	err := f.svc.Append(context.Background(), Change{StreamARN: streamARN, EventName: event, Keys: keys(pk),
		OldImage: oldImg, NewImage: newImg, SizeBytes: len(oldImg) + len(newImg)})
	if err != nil {
		t.Fatalf("Append: %v", err)
	}
}

func (f *fixture) shardID(t *testing.T, streamARN string) string {
	t.Helper()
	out, err := f.client.DescribeStream(context.Background(), &dynamodbstreams.DescribeStreamInput{StreamArn: &streamARN})
	if err != nil {
		t.Fatalf("DescribeStream: %v", err)
	}
	return *out.StreamDescription.Shards[0].ShardId
}

func (f *fixture) iterator(t *testing.T, streamARN string, typ types.ShardIteratorType, seq string) string {
	t.Helper()
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: &streamARN, ShardId: aws.String(f.shardID(t, streamARN)), ShardIteratorType: typ}
	if seq != "" {
		in.SequenceNumber = &seq
	}
	out, err := f.client.GetShardIterator(context.Background(), in)
	if err != nil {
		t.Fatalf("GetShardIterator %s: %v", typ, err)
	}
	return *out.ShardIterator
}

func (f *fixture) records(t *testing.T, it string, limit int32) *dynamodbstreams.GetRecordsOutput {
	t.Helper()
	in := &dynamodbstreams.GetRecordsInput{ShardIterator: &it}
	if limit > 0 {
		in.Limit = &limit
	}
	out, err := f.client.GetRecords(context.Background(), in)
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	return out
}

func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (message != "" && ae.ErrorMessage() != message) {
		t.Fatalf("error = %s %q, want %s %q", ae.ErrorCode(), ae.ErrorMessage(), code, message)
	}
}

package dynamodbstreams

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

func pks(out *dynamodbstreams.GetRecordsOutput) []string {
	var s []string
	for _, r := range out.Records {
		s = append(s, r.Dynamodb.Keys["PK"].(*types.AttributeValueMemberS).Value)
	}
	return s
}

func TestIteratorTypes(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	for _, pk := range []string{"A", "B", "C"} {
		f.put(t, a, "INSERT", pk, nil, nil)
	}
	all := f.records(t, f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, ""), 0)
	if got := strings.Join(pks(all), ","); got != "A,B,C" {
		t.Fatalf("TRIM_HORIZON read %s", got)
	}
	seqB := *all.Records[1].Dynamodb.SequenceNumber
	if got := strings.Join(pks(f.records(t, f.iterator(t, a, types.ShardIteratorTypeAtSequenceNumber, seqB), 0)), ","); got != "B,C" {
		t.Errorf("AT_SEQUENCE_NUMBER B read %s", got)
	}
	if got := strings.Join(pks(f.records(t, f.iterator(t, a, types.ShardIteratorTypeAfterSequenceNumber, seqB), 0)), ","); got != "C" {
		t.Errorf("AFTER_SEQUENCE_NUMBER B read %s", got)
	}
	latest := f.iterator(t, a, types.ShardIteratorTypeLatest, "")
	first := f.records(t, latest, 0)
	if len(first.Records) != 0 || first.NextShardIterator == nil {
		t.Fatalf("LATEST read %v, next %v", pks(first), first.NextShardIterator)
	}
	f.put(t, a, "INSERT", "D", nil, nil)
	if got := strings.Join(pks(f.records(t, *first.NextShardIterator, 0)), ","); got != "D" {
		t.Errorf("LATEST then append read %s", got)
	}
	// The next iterator of the first full read continues after C.
	if got := strings.Join(pks(f.records(t, *all.NextShardIterator, 0)), ","); got != "D" {
		t.Errorf("NextShardIterator after C read %s", got)
	}

	_, err := f.client.GetShardIterator(context.Background(), &dynamodbstreams.GetShardIteratorInput{StreamArn: &a,
		ShardId: aws.String(f.shardID(t, a)), ShardIteratorType: types.ShardIteratorTypeAtSequenceNumber, SequenceNumber: aws.String("42")})
	wantAPIError(t, err, "ValidationException", "")
	_, err = f.client.GetShardIterator(context.Background(), &dynamodbstreams.GetShardIteratorInput{StreamArn: &a,
		ShardId: aws.String("shardId-nope"), ShardIteratorType: types.ShardIteratorTypeLatest})
	wantAPIError(t, err, "ResourceNotFoundException", "")
}

func TestGetRecordsPaging(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	for _, pk := range []string{"1", "2", "3", "4", "5"} {
		f.put(t, a, "INSERT", pk, nil, nil)
	}
	it := f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, "")
	var pages []string
	for range 4 {
		out := f.records(t, it, 2)
		pages = append(pages, strings.Join(pks(out), ""))
		it = *out.NextShardIterator
	}
	if got := strings.Join(pages, "|"); got != "12|34|5|" {
		t.Errorf("pages %s, want 12|34|5|", got)
	}
	_, err := f.client.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: &it, Limit: aws.Int32(1001)})
	wantAPIError(t, err, "ValidationException",
		"1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")
	_, err = f.client.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: aws.String("garbage")})
	wantAPIError(t, err, "ValidationException", "")
}

func TestRetentionTrimsAfter24Hours(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	f.put(t, a, "INSERT", "old", nil, nil)
	f.clock.Advance(10 * time.Minute)
	stale := f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, "")
	f.clock.Advance(12 * time.Hour)
	f.put(t, a, "INSERT", "new", nil, nil)
	f.clock.Advance(12 * time.Hour) // "old" is now 24h10m old, "new" 12h

	if got := pks(f.records(t, f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, ""), 0)); len(got) != 1 || got[0] != "new" {
		t.Errorf("TRIM_HORIZON after retention read %v, want [new]", got)
	}
	// stale expired long ago; a fresh iterator at the trimmed record is
	// refused as trimmed data.
	_, err := f.client.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: &stale})
	wantAPIError(t, err, "ExpiredIteratorException", "")
	s := f.svc
	s.mu.Lock()
	st := s.streams[a]
	trimmed := encodeIterator(iterator{Stream: a, Shard: st.shardID, From: st.startCounter + 1, Issued: f.clock.Now().UnixNano()})
	s.mu.Unlock()
	_, err = f.client.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: &trimmed})
	wantAPIError(t, err, "TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.")
}

func TestIteratorExpiresAfter15Minutes(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	it := f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, "")
	f.clock.Advance(15 * time.Minute)
	next := f.records(t, it, 0).NextShardIterator // exactly 15 minutes: still valid
	f.clock.Advance(15*time.Minute + time.Millisecond)
	_, err := f.client.GetRecords(context.Background(), &dynamodbstreams.GetRecordsInput{ShardIterator: next})
	wantAPIError(t, err, "ExpiredIteratorException", "")
}

func TestListAndDescribeStreams(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	users := f.enable(t, "Users", NewImage)
	f.clock.Advance(time.Second)
	orders := f.enable(t, "Orders", KeysOnly)
	f.clock.Advance(time.Second)
	users2 := f.enable(t, "Users", KeysOnly)

	out, err := f.client.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{TableName: aws.String("Users")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Streams) != 2 || *out.Streams[0].StreamArn != users || *out.Streams[1].StreamArn != users2 || out.LastEvaluatedStreamArn != nil {
		t.Errorf("ListStreams Users = %+v", out.Streams)
	}
	var seen []string
	var start *string
	for {
		page, err := f.client.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{Limit: aws.Int32(1), ExclusiveStartStreamArn: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Streams {
			seen = append(seen, *s.StreamArn)
		}
		if start = page.LastEvaluatedStreamArn; start == nil {
			break
		}
	}
	if strings.Join(seen, " ") != strings.Join([]string{users, orders, users2}, " ") {
		t.Errorf("paged ListStreams = %v", seen)
	}

	d, err := f.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &users})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if sd.StreamStatus != types.StreamStatusEnabled || sd.StreamViewType != types.StreamViewTypeNewImage || *sd.TableName != "Users" ||
		!strings.HasSuffix(users, "/stream/"+*sd.StreamLabel) || len(sd.KeySchema) != 2 || *sd.KeySchema[0].AttributeName != "PK" ||
		len(sd.Shards) != 1 || sd.Shards[0].SequenceNumberRange.StartingSequenceNumber == nil || sd.Shards[0].SequenceNumberRange.EndingSequenceNumber != nil {
		t.Errorf("DescribeStream = %+v", sd)
	}
	if !strings.HasPrefix(users, "arn:aws:dynamodb:us-east-1:000000000000:table/Users/stream/2025-03-01T12:00:00.000") || users == users2 {
		t.Errorf("stream ARNs %s %s", users, users2)
	}

	_, err = f.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(users + "x")})
	wantAPIError(t, err, "ResourceNotFoundException", "Requested resource not found: Stream: "+users+"x not found")
}

func TestDisableStreamClosesShard(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.enable(t, "Users", KeysOnly)
	f.put(t, a, "INSERT", "A", nil, nil)
	it := f.iterator(t, a, types.ShardIteratorTypeTrimHorizon, "")
	if err := f.svc.DisableStream(ctx, a); err != nil {
		t.Fatal(err)
	}
	d, err := f.client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: &a})
	if err != nil {
		t.Fatal(err)
	}
	sd := d.StreamDescription
	if sd.StreamStatus != types.StreamStatusDisabled || sd.Shards[0].SequenceNumberRange.EndingSequenceNumber == nil {
		t.Fatalf("disabled stream = %+v", sd)
	}
	out := f.records(t, it, 0)
	if len(out.Records) != 1 || out.NextShardIterator != nil {
		t.Errorf("closed shard read %v next %v, want [A] and no next iterator", pks(out), out.NextShardIterator)
	}
	if *out.Records[0].Dynamodb.SequenceNumber != *sd.Shards[0].SequenceNumberRange.EndingSequenceNumber {
		t.Errorf("EndingSequenceNumber %s is not the last record's", *sd.Shards[0].SequenceNumberRange.EndingSequenceNumber)
	}
	if err := f.svc.Append(ctx, Change{StreamARN: a, EventName: "INSERT"}); err == nil {
		t.Error("Append to a disabled stream succeeded")
	}
	if newARN := f.enable(t, "Users", KeysOnly); newARN == a {
		t.Error("re-enabled stream kept its ARN")
	}
}

func TestSubscribeSignalsAppends(t *testing.T) {
	f := newFixture(t)
	a := f.enable(t, "Users", KeysOnly)
	f.put(t, a, "INSERT", "before", nil, nil)
	latest, from, err := f.svc.Subscribe(a, "LATEST")
	if err != nil {
		t.Fatal(err)
	}
	defer latest.Close()
	horizon, hfrom, _ := f.svc.Subscribe(a, "TRIM_HORIZON")
	defer horizon.Close()
	if recs, _ := horizon.Read(hfrom, 10); len(recs) != 1 {
		t.Fatalf("TRIM_HORIZON subscription read %d records", len(recs))
	}
	f.put(t, a, "INSERT", "after", nil, nil)
	select {
	case <-latest.C():
	case <-time.After(5 * time.Second):
		t.Fatal("no signal after Append")
	}
	recs, closed := latest.Read(from, 10)
	if len(recs) != 1 || string(recs[0].Dynamodb.Keys) != string(keys("after")) || closed {
		t.Fatalf("LATEST subscription read %d records, closed %v", len(recs), closed)
	}
	if err := f.svc.DisableStream(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	<-latest.C()
	if rest, closed := latest.Read(recs[0].Dynamodb.SequenceNumber, 10); len(rest) != 0 || !closed {
		t.Errorf("after disable: %d records, closed %v", len(rest), closed)
	}
	if _, _, err := f.svc.Subscribe(a+"x", "LATEST"); err == nil {
		t.Error("Subscribe to an unknown stream succeeded")
	}
}

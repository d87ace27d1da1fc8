package diagnose

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// maxRecordPages bounds the GetRecords calls per shard (up to 1,000
// records each).
const maxRecordPages = 20

// latestRecord finds the newest record on a stream for the item with
// these string key attributes, written at or after since (less a minute:
// ApproximateCreationDateTime is approximate), or nil.
func (d *Diagnoser) latestRecord(ctx context.Context, stream string, key map[string]string, since time.Time) (*streamtypes.Record, error) {
	var latest *streamtypes.Record
	in := &dynamodbstreams.DescribeStreamInput{StreamArn: aws.String(stream)}
	for {
		desc, err := d.dynamodbStreams.DescribeStream(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("DescribeStream %s: %w", stream, err)
		}
		for _, shard := range desc.StreamDescription.Shards {
			rec, err := d.shardRecord(ctx, stream, aws.ToString(shard.ShardId), key, since.Add(-time.Minute))
			if err != nil {
				return nil, err
			}
			if rec != nil && (latest == nil || aws.ToTime(rec.Dynamodb.ApproximateCreationDateTime).After(aws.ToTime(latest.Dynamodb.ApproximateCreationDateTime))) {
				latest = rec
			}
		}
		if desc.StreamDescription.LastEvaluatedShardId == nil {
			return latest, nil
		}
		in.ExclusiveStartShardId = desc.StreamDescription.LastEvaluatedShardId
	}
}

// shardRecord reads a shard from its trim horizon and keeps the last
// record of the item.
func (d *Diagnoser) shardRecord(ctx context.Context, stream, shard string, key map[string]string, since time.Time) (*streamtypes.Record, error) {
	it, err := d.dynamodbStreams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{
		StreamArn: aws.String(stream), ShardId: aws.String(shard), ShardIteratorType: streamtypes.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		return nil, fmt.Errorf("GetShardIterator %s: %w", shard, err)
	}
	var found *streamtypes.Record
	iterator := it.ShardIterator
	for range maxRecordPages {
		if iterator == nil {
			break
		}
		out, err := d.dynamodbStreams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: iterator})
		if err != nil {
			return nil, fmt.Errorf("GetRecords %s: %w", shard, err)
		}
		for i := range out.Records {
			rec := &out.Records[i]
			if rec.Dynamodb != nil && hasKey(rec.Dynamodb.Keys, key) && !aws.ToTime(rec.Dynamodb.ApproximateCreationDateTime).Before(since) {
				found = rec
			}
		}
		if len(out.Records) == 0 {
			break // the open shard's tip
		}
		iterator = out.NextShardIterator
	}
	return found, nil
}

func hasKey(keys map[string]streamtypes.AttributeValue, want map[string]string) bool {
	for name, v := range want {
		s, ok := keys[name].(*streamtypes.AttributeValueMemberS)
		if !ok || s.Value != v {
			return false
		}
	}
	return true
}

// pipeEvent renders a stream record as Pipes passes it to its filter and
// target (Amazon EventBridge User Guide, "Amazon DynamoDB stream as a
// source"), plus the envelope members TestEventPattern requires of an
// event (id, account, source, time, region, resources, detail-type: EventBridge
// API Reference, TestEventPattern) and a record does not have, so that
// EventBridge can test a pipe filter against it. Filters name record
// fields (eventName, dynamodb.…), which the envelope leaves alone.
func pipeEvent(rec *streamtypes.Record, stream string) ([]byte, error) {
	created := aws.ToTime(rec.Dynamodb.ApproximateCreationDateTime)
	dynamodb := map[string]any{
		"ApproximateCreationDateTime": created.Unix(),
		"Keys":                        attributes(rec.Dynamodb.Keys),
		"SequenceNumber":              aws.ToString(rec.Dynamodb.SequenceNumber),
		"SizeBytes":                   aws.ToInt64(rec.Dynamodb.SizeBytes),
		"StreamViewType":              string(rec.Dynamodb.StreamViewType),
	}
	if rec.Dynamodb.NewImage != nil {
		dynamodb["NewImage"] = attributes(rec.Dynamodb.NewImage)
	}
	if rec.Dynamodb.OldImage != nil {
		dynamodb["OldImage"] = attributes(rec.Dynamodb.OldImage)
	}
	return json.Marshal(map[string]any{
		"eventID":        aws.ToString(rec.EventID),
		"eventName":      string(rec.EventName),
		"eventVersion":   aws.ToString(rec.EventVersion),
		"eventSource":    aws.ToString(rec.EventSource),
		"awsRegion":      aws.ToString(rec.AwsRegion),
		"dynamodb":       dynamodb,
		"eventSourceARN": stream,
		// The envelope TestEventPattern wants.
		"id":          aws.ToString(rec.EventID),
		"account":     arnAccount(stream),
		"source":      aws.ToString(rec.EventSource),
		"time":        created.UTC().Format(time.RFC3339),
		"region":      aws.ToString(rec.AwsRegion),
		"resources":   []string{stream},
		"detail-type": "DynamoDB Stream Record",
	})
}

// attributes renders stream attribute values in DynamoDB JSON.
func attributes(m map[string]streamtypes.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = attribute(v)
	}
	return out
}

func attribute(v streamtypes.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *streamtypes.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *streamtypes.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *streamtypes.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *streamtypes.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *streamtypes.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *streamtypes.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *streamtypes.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *streamtypes.AttributeValueMemberBS:
		bs := make([]string, len(v.Value))
		for i, b := range v.Value {
			bs[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": bs}
	case *streamtypes.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = attribute(e)
		}
		return map[string]any{"L": l}
	case *streamtypes.AttributeValueMemberM:
		return map[string]any{"M": attributes(v.Value)}
	}
	return map[string]any{}
}

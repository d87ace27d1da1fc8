package dynamodbstreams

import (
	"context"
	"encoding/base64"
	"encoding/json"

	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

type listStreamsInput struct {
	TableName               string
	Limit                   *int
	ExclusiveStartStreamArn string
}

type streamSummary struct {
	StreamArn   string
	StreamLabel string
	TableName   string
}

type listStreamsOutput struct {
	Streams                []streamSummary
	LastEvaluatedStreamArn string `json:",omitempty"`
}

func (s *Service) listStreams(_ context.Context, in *listStreamsInput) (*listStreamsOutput, error) {
	limit, err := checkLimit(in.Limit, maxListStreams)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &listStreamsOutput{Streams: []streamSummary{}}
	started := in.ExclusiveStartStreamArn == ""
	for _, st := range s.order {
		if !started {
			started = st.arn == in.ExclusiveStartStreamArn
			continue
		}
		if in.TableName != "" && st.table != in.TableName {
			continue
		}
		if len(out.Streams) == limit {
			out.LastEvaluatedStreamArn = out.Streams[limit-1].StreamArn
			break
		}
		out.Streams = append(out.Streams, streamSummary{StreamArn: st.arn, StreamLabel: st.label, TableName: st.table})
	}
	return out, nil
}

type describeStreamInput struct {
	StreamArn             string
	Limit                 *int
	ExclusiveStartShardId string
}

type sequenceNumberRange struct {
	StartingSequenceNumber string
	EndingSequenceNumber   string `json:",omitempty"`
}

type shard struct {
	ShardId             string
	SequenceNumberRange sequenceNumberRange
}

type streamDescription struct {
	StreamArn               string
	StreamLabel             string
	StreamStatus            string
	StreamViewType          string
	CreationRequestDateTime int64
	TableName               string
	KeySchema               []KeySchemaElement `json:",omitempty"`
	Shards                  []shard
	LastEvaluatedShardId    string `json:",omitempty"`
}

type describeStreamOutput struct {
	StreamDescription streamDescription
}

func (s *Service) describeStream(_ context.Context, in *describeStreamInput) (*describeStreamOutput, error) {
	if _, err := checkLimit(in.Limit, maxShards); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.lookup(in.StreamArn)
	if err != nil {
		return nil, err
	}
	s.trim(st, s.clock.Now())
	d := streamDescription{
		StreamArn: st.arn, StreamLabel: st.label, StreamStatus: "ENABLED", StreamViewType: st.viewType,
		CreationRequestDateTime: st.created.Unix(), TableName: st.table, KeySchema: st.keySchema, Shards: []shard{},
	}
	if in.ExclusiveStartShardId != st.shardID {
		sh := shard{ShardId: st.shardID, SequenceNumberRange: sequenceNumberRange{StartingSequenceNumber: formatSequence(st.startCounter)}}
		if !st.enabled {
			d.StreamStatus = "DISABLED"
			sh.SequenceNumberRange.EndingSequenceNumber = formatSequence(st.lastCounter)
		}
		d.Shards = append(d.Shards, sh)
	}
	return &describeStreamOutput{StreamDescription: d}, nil
}

// lookup returns a stream by ARN or ResourceNotFoundException. Must hold s.mu.
func (s *Service) lookup(streamARN string) (*stream, error) {
	if streamARN == "" {
		return nil, awsproto.ValidationError("1 validation error detected: Value null at 'streamArn' failed to satisfy constraint: Member must not be null")
	}
	st := s.streams[streamARN]
	if st == nil {
		return nil, errStreamNotFound(streamARN)
	}
	return st, nil
}

type getShardIteratorInput struct {
	StreamArn         string
	ShardId           string
	ShardIteratorType string
	SequenceNumber    string
}

type getShardIteratorOutput struct {
	ShardIterator string
}

// iterator is what a shard iterator encodes: the next sequence counter to
// read, and when it was issued.
type iterator struct {
	Stream string `json:"s"`
	Shard  string `json:"h"`
	From   uint64 `json:"f"`
	Issued int64  `json:"t"` // unix nanoseconds
}

func (s *Service) getShardIterator(_ context.Context, in *getShardIteratorInput) (*getShardIteratorOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.lookup(in.StreamArn)
	if err != nil {
		return nil, err
	}
	if in.ShardId != st.shardID {
		return nil, errShardNotFound(in.ShardId, in.StreamArn)
	}
	now := s.clock.Now()
	s.trim(st, now)
	it := iterator{Stream: st.arn, Shard: st.shardID, Issued: now.UnixNano()}
	switch in.ShardIteratorType {
	case "TRIM_HORIZON":
		it.From = st.trimmedThrough + 1
	case "LATEST":
		it.From = st.lastCounter + 1
	case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER":
		if in.SequenceNumber == "" {
			return nil, awsproto.ValidationError("Sequence number must be specified for shard iterator type %s", in.ShardIteratorType)
		}
		n, ok := parseSequence(in.SequenceNumber)
		if !ok || n < st.startCounter || n > st.lastCounter {
			return nil, awsproto.ValidationError("Invalid SequenceNumber %s for shard %s", in.SequenceNumber, st.shardID)
		}
		it.From = n
		if in.ShardIteratorType == "AFTER_SEQUENCE_NUMBER" {
			it.From = n + 1
		}
	default:
		return nil, awsproto.ValidationError("1 validation error detected: Value '%s' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]", in.ShardIteratorType)
	}
	return &getShardIteratorOutput{ShardIterator: encodeIterator(it)}, nil
}

func encodeIterator(it iterator) string {
	b, _ := json.Marshal(it)
	return it.Stream + "|" + base64.RawURLEncoding.EncodeToString(b)
}

func decodeIterator(s string) (iterator, error) {
	_, enc, ok := strings.Cut(s, "|")
	if !ok {
		return iterator{}, errInvalidIterator()
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return iterator{}, errInvalidIterator()
	}
	var it iterator
	if err := json.Unmarshal(b, &it); err != nil || it.Stream == "" {
		return iterator{}, errInvalidIterator()
	}
	return it, nil
}

type getRecordsInput struct {
	ShardIterator string
	Limit         *int
}

type getRecordsOutput struct {
	Records           []wireRecord
	NextShardIterator string `json:",omitempty"`
}

func (s *Service) getRecords(_ context.Context, in *getRecordsInput) (*getRecordsOutput, error) {
	limit, err := checkLimit(in.Limit, maxGetRecords)
	if err != nil {
		return nil, err
	}
	if in.ShardIterator == "" {
		return nil, awsproto.ValidationError("1 validation error detected: Value null at 'shardIterator' failed to satisfy constraint: Member must not be null")
	}
	it, err := decodeIterator(in.ShardIterator)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.lookup(it.Stream)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if issued := time.Unix(0, it.Issued); now.Sub(issued) > IteratorLifetime {
		return nil, errExpired(issued, now)
	}
	s.trim(st, now)
	if it.From <= st.trimmedThrough {
		return nil, errTrimmed()
	}
	recs := st.after(it.From-1, limit)
	out := &getRecordsOutput{Records: make([]wireRecord, len(recs))}
	for i, r := range recs {
		out.Records[i] = r.wire()
	}
	next := it
	next.Issued = now.UnixNano()
	if len(recs) > 0 {
		next.From = recs[len(recs)-1].counter + 1
	}
	// A closed shard read to its end has no next iterator.
	if st.enabled || next.From <= st.lastCounter {
		out.NextShardIterator = encodeIterator(next)
	}
	return out, nil
}

// after returns up to limit retained records whose counter is above
// after, oldest first. Must hold s.mu.
func (st *stream) after(after uint64, limit int) []Record {
	i := 0
	for i < len(st.records) && st.records[i].counter <= after {
		i++
	}
	end := min(i+limit, len(st.records))
	return append([]Record(nil), st.records[i:end]...)
}

// checkLimit validates an optional Limit against [1, max] and returns the
// limit to use.
func checkLimit(limit *int, maxLimit int) (int, error) {
	if limit == nil {
		return maxLimit, nil
	}
	if *limit < 1 {
		return 0, awsproto.ValidationError("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1", *limit)
	}
	if *limit > maxLimit {
		return 0, awsproto.ValidationError("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to %d", *limit, maxLimit)
	}
	return *limit, nil
}

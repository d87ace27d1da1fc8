package pipes

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodbstreams"
)

// invoke runs the enrichment and the target for one batch. It returns -1
// when the batch was delivered, or the index of the first record to
// retry (0 for the whole batch).
func (s *Service) invoke(ctx context.Context, p *pipe, b []dynamodbstreams.Record) int {
	vars := p.templateVars(s.clock.Now())
	items := make([][]byte, len(b))
	for i, r := range b {
		items[i] = r.Event()
	}
	if p.cfg.enrichmentARN != "" {
		in, err := transformAll(p.cfg.enrichTemplate, items, vars)
		if err != nil {
			return 0
		}
		res, err := s.opts.Functions.Invoke(ctx, p.cfg.enrichmentARN, jsonArray(in))
		if err != nil || res.FunctionError != "" {
			return 0
		}
		items = splitArray(res.Payload)
		if len(items) == 0 {
			return -1 // the enrichment filtered everything out
		}
	}
	items, err := transformAll(p.cfg.targetTemplate, items, vars)
	if err != nil {
		return 0
	}
	switch p.cfg.target {
	case targetLambda:
		if !p.cfg.synchronous {
			if s.opts.Functions.InvokeAsync(ctx, p.cfg.targetARN, jsonArray(items)) != nil {
				return 0
			}
			return -1
		}
		res, err := s.opts.Functions.Invoke(ctx, p.cfg.targetARN, jsonArray(items))
		if err != nil || res.FunctionError != "" {
			return 0
		}
		return firstFailure(res.Payload, b)
	case targetStateMachine:
		if !p.cfg.synchronous {
			if s.opts.Executions.StartExecution(ctx, p.cfg.targetARN, jsonArray(items)) != nil {
				return 0
			}
			return -1
		}
		out, failed, err := s.opts.Executions.StartSyncExecution(ctx, p.cfg.targetARN, jsonArray(items))
		if err != nil || failed {
			return 0
		}
		return firstFailure(out, b)
	default:
		return s.putEvents(ctx, p, items)
	}
}

// putEvents sends each item as one event, ten per PutEvents call. The
// defaults of Source and DetailType are those Pipes uses for a DynamoDB
// stream source.
func (s *Service) putEvents(ctx context.Context, p *pipe, items [][]byte) int {
	bus := p.cfg.bus
	source, detailType := bus.Source, bus.DetailType
	if source == "" {
		source = "Pipe " + p.cfg.spec.Name
	}
	if detailType == "" {
		detailType = "Event from aws:dynamodb"
	}
	now := s.clock.Now()
	for start := 0; start < len(items); start += busBatchSize {
		var entries []EventEntry
		for _, it := range items[start:min(start+busBatchSize, len(items))] {
			entries = append(entries, EventEntry{EventBusName: p.cfg.targetARN, Source: source, DetailType: detailType,
				Detail: string(it), Resources: bus.Resources, Time: now})
		}
		if s.opts.Events.PutEvents(ctx, entries) != nil {
			return 0 // events put by earlier calls are put again on retry, as on AWS
		}
	}
	return -1
}

// firstFailure reads a partial batch response ({"batchItemFailures":
// [{"itemIdentifier": …}]}) and returns the index of the first failed
// record, -1 when none failed. The identifier is the record's eventID, as
// the EventBridge User Guide's Pipes batching page says for stream
// sources; the sequence number, which Lambda event source mappings use,
// is accepted too. An empty or unknown identifier fails the whole batch
// (Lambda Developer Guide, "Success and failure conditions").
func firstFailure(payload []byte, b []dynamodbstreams.Record) int {
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if json.Unmarshal(payload, &resp) != nil || len(resp.BatchItemFailures) == 0 {
		return -1
	}
	first := len(b)
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" {
			return 0
		}
		i := indexOf(b, *f.ItemIdentifier)
		if i < 0 {
			return 0
		}
		first = min(first, i)
	}
	return first
}

func indexOf(b []dynamodbstreams.Record, id string) int {
	for i, r := range b {
		if r.EventID == id || r.Dynamodb.SequenceNumber == id {
			return i
		}
	}
	return -1
}

func transformAll(t *template, items [][]byte, vars templateVars) ([][]byte, error) {
	if t == nil {
		return items, nil
	}
	out := make([][]byte, len(items))
	for i, it := range items {
		v, err := t.apply(it, vars)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (p *pipe) templateVars(now time.Time) templateVars {
	return templateVars{pipeName: p.cfg.spec.Name, pipeARN: p.arn, sourceARN: p.cfg.streamARN,
		targetARN: p.cfg.targetARN, enrichmentARN: p.cfg.enrichmentARN, now: now}
}

// jsonArray joins items into the JSON array a Lambda or Step Functions
// target receives: the whole batch in one request, even for one record
// (EventBridge User Guide, "Amazon EventBridge Pipes batching and
// concurrency"). Items that are not JSON (a text InputTemplate) are sent
// as JSON strings.
func jsonArray(items [][]byte) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if json.Valid(it) {
			buf.Write(it)
		} else {
			s, _ := json.Marshal(string(it))
			buf.Write(s)
		}
	}
	buf.WriteByte(']')
	return buf.Bytes()
}

// splitArray turns an enrichment's output into the items sent on: the
// elements of an array, or the value itself; nothing for null or [].
func splitArray(payload []byte) [][]byte {
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return nil
	}
	var elems []json.RawMessage
	if json.Unmarshal(payload, &elems) != nil {
		return [][]byte{payload}
	}
	out := make([][]byte, len(elems))
	for i, e := range elems {
		out[i] = e
	}
	return out
}

// deadLetterMessage is what a pipe sends to its dead-letter queue for a
// DynamoDB stream source: where the records are, not the records (the
// shape Lambda documents for stream on-failure destinations, with the
// pipe as partnerResourceArn, as pipes send it).
type deadLetterMessage struct {
	Context struct {
		PartnerResourceArn string `json:"partnerResourceArn"`
		Condition          string `json:"condition"`
	} `json:"context"`
	Version   string         `json:"version"`
	Timestamp string         `json:"timestamp"`
	BatchInfo ddbStreamBatch `json:"DDBStreamBatchInfo"`
}

type ddbStreamBatch struct {
	ShardID                         string `json:"shardId"`
	StartSequenceNumber             string `json:"startSequenceNumber"`
	EndSequenceNumber               string `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int    `json:"batchSize"`
	StreamArn                       string `json:"streamArn"`
}

const dlqTimeLayout = "2006-01-02T15:04:05.000Z"

// deadLetter records discarded records in the dead-letter queue, if the
// pipe has one; without one they are dropped, as on AWS.
func (s *Service) deadLetter(ctx context.Context, p *pipe, b []dynamodbstreams.Record, condition string) {
	if p.cfg.dlqARN == "" || len(b) == 0 {
		return
	}
	var m deadLetterMessage
	m.Context.PartnerResourceArn, m.Context.Condition = p.arn, condition
	m.Version, m.Timestamp = "1.0", s.clock.Now().UTC().Format(dlqTimeLayout)
	first, last := b[0].Dynamodb, b[len(b)-1].Dynamodb
	m.BatchInfo = ddbStreamBatch{ShardID: p.sub.ShardID(), StartSequenceNumber: first.SequenceNumber,
		EndSequenceNumber: last.SequenceNumber, BatchSize: len(b), StreamArn: p.cfg.streamARN,
		ApproximateArrivalOfFirstRecord: first.ApproximateCreationDateTime.UTC().Format(dlqTimeLayout),
		ApproximateArrivalOfLastRecord:  last.ApproximateCreationDateTime.UTC().Format(dlqTimeLayout)}
	body, _ := json.Marshal(m) // strings and ints only: cannot fail
	if err := s.opts.Queues.SendMessage(ctx, p.cfg.dlqARN, string(body)); err != nil {
		s.mu.Lock()
		p.stateReason = fmt.Sprintf("Failed to send a discarded batch to the dead-letter queue %s: %v", p.cfg.dlqARN, err)
		s.mu.Unlock()
	}
}

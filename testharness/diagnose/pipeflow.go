package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	streamtypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipetypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness"
)

// streamSourceActions are what a pipe's role needs of a DynamoDB stream
// source (Amazon EventBridge User Guide, "Amazon EventBridge Pipes
// permissions", DynamoDB execution role permissions).
var streamSourceActions = []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}

// itemFlow follows an item write: the table's stream must be enabled and
// hold the write's record; a pipe must read the stream, be RUNNING, let the
// record through its filter, and its role must allow reading the stream
// and calling the target (and the enrichment and dead-letter queue).
func (d *Diagnoser) itemFlow(ctx context.Context, r *report, t testharness.Trigger, ev *evidence) error {
	item := t.DynamoDBItem
	desc, err := d.dynamodb.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(item.Table)})
	if err != nil {
		return r.couldNotCheck(ctx, "table stream", item.Table, err)
	}
	spec, stream := desc.Table.StreamSpecification, aws.ToString(desc.Table.LatestStreamArn)
	if spec == nil || !aws.ToBool(spec.StreamEnabled) || stream == "" {
		r.broken("table stream", item.Table, "table %s has no stream enabled: nothing can read its writes", item.Table)
		return nil
	}
	r.ok("table stream", stream, "enabled ("+string(spec.StreamViewType)+")")
	// Without the record (its read failed), the pipes' state and roles
	// and the functions' logs are still checked; their filters and dead
	// letters, which need it, are not.
	var event []byte
	rec, err := d.latestRecord(ctx, stream, item.Key, t.At)
	switch {
	case err != nil:
		if err := r.couldNotCheck(ctx, "stream record", stream, err); err != nil {
			return err
		}
	case rec == nil:
		r.broken("stream record", stream, "the stream of table %s holds no record of the item %s written since %s", item.Table, keyString(item.Key), t.At.UTC().Format("15:04:05"))
		return nil
	default:
		r.ok("stream record", aws.ToString(rec.Dynamodb.SequenceNumber), string(rec.EventName)+" of "+keyString(item.Key))
		if event, err = pipeEvent(rec, stream); err != nil {
			return err
		}
	}
	if ev != nil {
		for _, v := range item.Key {
			ev.terms = append(ev.terms, v)
		}
	}
	names, err := d.pipesOf(ctx, stream)
	if err != nil {
		return r.couldNotCheck(ctx, "pipe", stream, err)
	}
	if len(names) == 0 {
		r.broken("pipe", stream, "no pipe reads the stream of table %s (%s)", item.Table, stream)
		return nil
	}
	return r.firstHealthy(len(names), func(i int, sub *report) (bool, error) {
		return d.followPipe(ctx, sub, names[i], stream, rec, event, ev)
	})
}

// pipesOf names the pipes whose source is the stream.
func (d *Diagnoser) pipesOf(ctx context.Context, stream string) ([]string, error) {
	var names []string
	in := &pipes.ListPipesInput{SourcePrefix: aws.String(stream)}
	for {
		page, err := d.pipes.ListPipes(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListPipes %s: %w", stream, err)
		}
		for _, p := range page.Pipes {
			if aws.ToString(p.Source) == stream {
				names = append(names, aws.ToString(p.Name))
			}
		}
		if page.NextToken == nil {
			return names, nil
		}
		in.NextToken = page.NextToken
	}
}

// followPipe checks one pipe of the stream against the record (nil when
// it could not be read); it reports whether no link is broken.
func (d *Diagnoser) followPipe(ctx context.Context, r *report, name, stream string, rec *streamtypes.Record, event []byte, ev *evidence) (bool, error) {
	p, err := d.pipes.DescribePipe(ctx, &pipes.DescribePipeInput{Name: aws.String(name)})
	if err != nil {
		return true, r.couldNotCheck(ctx, "pipe", name, err)
	}
	if p.CurrentState != pipetypes.PipeStateRunning {
		reason := ""
		if s := aws.ToString(p.StateReason); s != "" {
			reason = ": " + s
		}
		r.broken("pipe", name, "pipe %s is %s%s", name, p.CurrentState, reason)
		return false, nil
	}
	r.ok("pipe", name, "RUNNING")
	if event != nil {
		if ok, err := d.checkFilter(ctx, r, pipeFilter(name), pipeFilterPatterns(p.SourceParameters), event); err != nil || !ok {
			return false, err
		}
	}
	role, who := aws.ToString(p.RoleArn), "pipe "+name
	if ok, err := d.checkRole(ctx, r, who, role, streamSourceActions, stream); err != nil || !ok {
		return false, err
	}
	ends := []string{aws.ToString(p.Enrichment), aws.ToString(p.Target), pipeDeadLetterQueue(p.SourceParameters)}
	for _, end := range ends {
		if action := deliveryAction(end); action != "" {
			if ok, err := d.checkRole(ctx, r, who, role, []string{action}, end); err != nil || !ok {
				return false, err
			}
		}
	}
	if ev == nil {
		return true, nil
	}
	if dlq := pipeDeadLetterQueue(p.SourceParameters); dlq != "" && rec != nil {
		seq := aws.ToString(rec.Dynamodb.SequenceNumber)
		letters, err := d.deadLetters(ctx, dlq, func(m sqstypes.Message) bool { return batchHolds(aws.ToString(m.Body), stream, seq) })
		switch {
		case err != nil:
			if err := r.couldNotCheck(ctx, "dead-letter queue", dlq, err); err != nil {
				return false, err
			}
		case len(letters) > 0:
			r.broken("dead-letter queue", dlq, "pipe %s gave up on the record and sent it to its dead-letter queue %s: %s", name, arnResourceName(dlq), aws.ToString(letters[0].Body))
			return false, nil
		default:
			r.ok("dead-letter queue", dlq, "holds no batch with the record")
		}
	}
	if target := aws.ToString(p.Target); arnService(target) == "lambda" {
		return d.functionErrors(ctx, r, target, ev)
	}
	return true, nil
}

// pipeFilter names a pipe's filter in the report.
func pipeFilter(name string) filterOwner {
	return filterOwner{link: "pipe filter", resource: name, who: "pipe " + name, item: "record"}
}

// pipeFilterPatterns are the patterns of a pipe's filter criteria.
func pipeFilterPatterns(source *pipetypes.PipeSourceParameters) []string {
	if source == nil || source.FilterCriteria == nil {
		return nil
	}
	var patterns []string
	for _, f := range source.FilterCriteria.Filters {
		patterns = append(patterns, aws.ToString(f.Pattern))
	}
	return patterns
}

func pipeDeadLetterQueue(source *pipetypes.PipeSourceParameters) string {
	if source == nil || source.DynamoDBStreamParameters == nil || source.DynamoDBStreamParameters.DeadLetterConfig == nil {
		return ""
	}
	return aws.ToString(source.DynamoDBStreamParameters.DeadLetterConfig.Arn)
}

// batchHolds tells whether a pipe's dead letter (the batch's
// DDBStreamBatchInfo: Amazon EventBridge User Guide, "Pipes batching and
// concurrency", dead-letter queue message) covers the record's sequence
// number on this stream.
func batchHolds(body, stream, sequence string) bool {
	var letter struct {
		Info struct {
			Start  string `json:"startSequenceNumber"`
			End    string `json:"endSequenceNumber"`
			Stream string `json:"streamArn"`
		} `json:"DDBStreamBatchInfo"`
	}
	if json.Unmarshal([]byte(body), &letter) != nil || letter.Info.Stream != stream {
		return false
	}
	seq, ok1 := new(big.Int).SetString(sequence, 10)
	start, ok2 := new(big.Int).SetString(letter.Info.Start, 10)
	end, ok3 := new(big.Int).SetString(letter.Info.End, 10)
	return ok1 && ok2 && ok3 && seq.Cmp(start) >= 0 && seq.Cmp(end) <= 0
}

// keyString renders an item's key as PK=…, SK=… in name order.
func keyString(key map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(key)) {
		parts = append(parts, k+"="+key[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

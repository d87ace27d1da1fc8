package localcloud_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	pipetypes "github.com/aws/aws-sdk-go-v2/service/pipes/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// recordsOf reads the cloud's history of one kind, oldest first.
func recordsOf(t *testing.T, cloud *localcloud.Cloud, kind observe.Kind) []observe.Record {
	t.Helper()
	page := cloud.Observer().Find(observe.Query{Kinds: []observe.Kind{kind}, Limit: 1000})
	out := make([]observe.Record, len(page.Records))
	for i, doc := range page.Records {
		if err := json.Unmarshal(doc, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func TestHistoryShowsAnEventsRulesAndItsDelivery(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	cfg := awstest.Config(t, cloud.Endpoint())
	ctx := context.Background()
	events, queues := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	// Queue "open" lets EventBridge send; "locked" has no policy, so
	// delivering to it is denied.
	queueARNs := map[string]string{}
	for _, name := range []string{"open", "locked"} {
		q, err := queues.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		queueARNs[name] = "arn:aws:sqs:us-east-1:000000000000:" + name
		if name == "open" {
			policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"` + queueARNs[name] + `"}]}`
			if _, err := queues.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{"Policy": policy}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	var ruleARNs []string
	for _, r := range []struct{ name, pattern string }{{"orders", `{"source":["shop"]}`}, {"refunds", `{"source":["bank"]}`}} {
		out, err := events.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(r.name), EventPattern: aws.String(r.pattern)})
		if err != nil {
			t.Fatal(err)
		}
		ruleARNs = append(ruleARNs, aws.ToString(out.RuleArn))
	}
	if _, err := events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("open"), Arn: aws.String(queueARNs["open"])}, {Id: aws.String("locked"), Arn: aws.String(queueARNs["locked"])}}}); err != nil {
		t.Fatal(err)
	}
	const root = "1-6744a1b0-0123456789abcdef01234567"
	put, err := events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop"), DetailType: aws.String("OrderPlaced"), Detail: aws.String(`{"order":"o-1"}`),
		TraceHeader: aws.String("Root=" + root + ";Parent=53995c3f42cd8ad8;Sampled=1"),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}

	evs := recordsOf(t, cloud, observe.KindEvent)
	if len(evs) != 1 {
		t.Fatalf("%d event records, want 1", len(evs))
	}
	e := evs[0]
	if e.TraceID != root || e.Event.ID != aws.ToString(put.Entries[0].EventId) || e.Event.DetailType != "OrderPlaced" ||
		e.Event.Detail != `{"order":"o-1"}` || len(e.Event.Matched) != 1 || e.Event.Matched[0] != ruleARNs[0] ||
		len(e.Event.Unmatched) != 1 || e.Event.Unmatched[0] != ruleARNs[1] {
		t.Errorf("event record %+v / %+v", e, e.Event)
	}
	outcomes := map[string][]string{}
	for _, d := range recordsOf(t, cloud, observe.KindDelivery) {
		if d.Delivery.EventID != e.Event.ID || d.Delivery.Rule != ruleARNs[0] || d.TraceID != root {
			t.Errorf("delivery record %+v / %+v", d, d.Delivery)
		}
		outcomes[d.Delivery.TargetID] = append(outcomes[d.Delivery.TargetID], d.Delivery.Outcome+" "+d.Delivery.ErrorCode)
	}
	if got := fmt.Sprint(outcomes); got != "map[locked:[failed NO_PERMISSIONS gaveUp NO_PERMISSIONS] open:[delivered ]]" {
		t.Errorf("delivery outcomes %s", got)
	}
	denials := recordsOf(t, cloud, observe.KindDenial)
	if len(denials) != 1 || !strings.Contains(denials[0].Denial.Message, "User: events.amazonaws.com is not authorized to perform: sqs:SendMessage") {
		t.Errorf("denial records %+v", denials)
	}
}

func TestHistoryShowsDenialsAndFaults(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	ctx := context.Background()
	role := "arn:aws:iam::000000000000:role/nobody"
	creds := cloud.Identities().AssumeRole(role, "probe", time.Now(), time.Hour)
	cfg := awstest.Config(t, cloud.Endpoint())
	cfg.Credentials = awstest.Static(creds)
	asRole := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := asRole.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("a role without policies listed buckets")
	}
	if _, err := cloud.Faults().Add(faults.Spec{Service: "s3", Operation: "s3:ListAllMyBuckets", Action: faults.Error, Count: 1}); err != nil {
		t.Fatal(err)
	}
	admin := s3.NewFromConfig(awstest.Config(t, cloud.Endpoint()), func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := admin.ListBuckets(ctx, &s3.ListBucketsInput{}); err == nil {
		t.Fatal("the fault did not hit")
	}

	denials := recordsOf(t, cloud, observe.KindDenial)
	if len(denials) != 1 || denials[0].Denial.Service != "s3" || denials[0].Denial.Code != "AccessDenied" ||
		denials[0].Denial.Principal != "arn:aws:sts::000000000000:assumed-role/nobody/probe" {
		t.Errorf("denial records %+v", denials)
	}
	hits := recordsOf(t, cloud, observe.KindFault)
	if len(hits) != 1 || hits[0].Fault.Service != "s3" || hits[0].Fault.Action != string(faults.Error) {
		t.Errorf("fault records %+v", hits)
	}
}

func TestHistoryShowsEachStreamRecordAPipeReadAndItsFiltersVerdict(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{IAM: localcloud.IAMOff})
	cfg := awstest.Config(t, cloud.Endpoint())
	ctx := context.Background()
	db := dynamodb.NewFromConfig(cfg)
	table, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("users"), BillingMode: ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}},
		StreamSpecification:  &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewImage},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The app's filter: new users only.
	filter := `{"eventName":["INSERT"],"dynamodb":{"Keys":{"PK":{"S":[{"prefix":"USER#"}]}}}}`
	pipe, err := pipes.NewFromConfig(cfg).CreatePipe(ctx, &pipes.CreatePipeInput{
		Name: aws.String("new-users"), RoleArn: aws.String("arn:aws:iam::000000000000:role/pipe"),
		Source: table.TableDescription.LatestStreamArn, Target: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default"),
		SourceParameters: &pipetypes.PipeSourceParameters{
			DynamoDBStreamParameters: &pipetypes.PipeSourceDynamoDBStreamParameters{StartingPosition: pipetypes.DynamoDBStreamStartPositionLatest, BatchSize: aws.Int32(10)},
			FilterCriteria:           &pipetypes.FilterCriteria{Filters: []pipetypes.Filter{{Pattern: aws.String(filter)}}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range []string{"USER#1", "ORDER#1"} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("users"),
			Item: map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: pk}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}

	var verdicts []string
	for _, r := range recordsOf(t, cloud, observe.KindStreamRecord) {
		if r.StreamRecord.Pipe != aws.ToString(pipe.Arn) || r.StreamRecord.EventName != "INSERT" {
			t.Errorf("stream record %+v", r.StreamRecord)
		}
		verdicts = append(verdicts, fmt.Sprintf("%s %v", r.StreamRecord.Keys, r.StreamRecord.Passed))
	}
	if got := fmt.Sprint(verdicts); got != `[{"PK":{"S":"USER#1"}} true {"PK":{"S":"ORDER#1"}} false]` {
		t.Errorf("verdicts %s", got)
	}
	// What passed went on to the target bus.
	if evs := recordsOf(t, cloud, observe.KindEvent); len(evs) != 1 || evs[0].Event.Source != "Pipe new-users" {
		t.Errorf("events %+v", evs)
	}
}

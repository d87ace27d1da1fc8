package localcloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwlogs "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// queueConsumer is a deployed stack of an SQS queue with a dead-letter
// queue (maxReceiveCount 2) feeding the test program through an event
// source mapping, and the clients to drive it.
type queueConsumer struct {
	cloud              *localcloud.Cloud
	sqs                *sqs.Client
	lambda             *lambdasdk.Client
	logs               *cwlogs.Client
	function           string
	queueURL, queueARN string
	dlqURL             string
	mapping            string // the mapping's UUID
}

// mappingProperties are the AWS::Lambda::EventSourceMapping's properties
// besides its function and queue.
type mappingProperties map[string]any

func deployQueueConsumer(t *testing.T, mapping mappingProperties) *queueConsumer {
	t.Helper()
	return deployQueueConsumerOn(t, mapping, localcloud.Options{})
}

// deployQueueConsumerOn is deployQueueConsumer on a cloud started with opts.
func deployQueueConsumerOn(t *testing.T, mapping mappingProperties, opts localcloud.Options) *queueConsumer {
	t.Helper()
	bin, err := echoFunction()
	if err != nil {
		t.Fatal(err)
	}
	consume := []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"}
	props := map[string]any{"FunctionName": map[string]any{"Ref": "Consumer"}, "EventSourceArn": map[string]any{"Fn::GetAtt": []string{"Queue", "Arn"}}}
	for k, v := range mapping {
		props[k] = v
	}
	template := map[string]any{"Resources": map[string]any{
		"Role": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": policyDocument(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": map[string]any{"Service": "lambda.amazonaws.com"}}),
			"Policies": []any{map[string]any{"PolicyName": "consume", "PolicyDocument": policyDocument(
				map[string]any{"Effect": "Allow", "Action": consume, "Resource": "arn:aws:sqs:us-east-1:000000000000:Consumer-*"},
				map[string]any{"Effect": "Allow", "Action": []string{"logs:CreateLogStream", "logs:PutLogEvents"}, "Resource": "*"},
			)}},
		}},
		"DeadLetters": map[string]any{"Type": "AWS::SQS::Queue"},
		"Queue": map[string]any{"Type": "AWS::SQS::Queue", "Properties": map[string]any{"VisibilityTimeout": 30,
			"RedrivePolicy": map[string]any{"deadLetterTargetArn": map[string]any{"Fn::GetAtt": []string{"DeadLetters", "Arn"}}, "maxReceiveCount": 2}}},
		"Consumer": map[string]any{"Type": "AWS::Lambda::Function", "Metadata": map[string]any{"tracebridge:code-dir": filepath.Dir(bin)},
			"Properties": map[string]any{"Role": map[string]any{"Fn::GetAtt": []string{"Role", "Arn"}}, "Runtime": "provided.al2023",
				"Handler": "bootstrap", "Timeout": 10}},
		"Mapping": map[string]any{"Type": "AWS::Lambda::EventSourceMapping", "Properties": props},
	}}
	body, err := json.Marshal(template)
	if err != nil {
		t.Fatal(err)
	}
	cloud := localcloud.RunT(t, opts)
	res, err := cloud.CloudFormation.DeployTemplate(context.Background(), cloudformation.TemplateInput{StackName: "Consumer", Body: body})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	cfg := awstest.Config(t, cloud.Endpoint())
	c := &queueConsumer{cloud: cloud, sqs: sqs.NewFromConfig(cfg), lambda: lambdasdk.NewFromConfig(cfg), logs: cwlogs.NewFromConfig(cfg),
		function: res.PhysicalIDs["Consumer"], queueURL: res.PhysicalIDs["Queue"], dlqURL: res.PhysicalIDs["DeadLetters"],
		mapping: res.PhysicalIDs["Mapping"]}
	c.queueARN = "arn:aws:sqs:us-east-1:000000000000:" + c.queueURL[strings.LastIndex(c.queueURL, "/")+1:]
	return c
}

func policyDocument(statements ...any) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": statements}
}

// send puts messages with these bodies on the queue in one batch.
func (c *queueConsumer) send(t *testing.T, bodies ...string) {
	t.Helper()
	in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(c.queueURL)}
	for i, b := range bodies {
		in.Entries = append(in.Entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strings.Repeat("m", i+1)),
			MessageBody: aws.String(b), MessageAttributes: map[string]sqstypes.MessageAttributeValue{
				"origin": {DataType: aws.String("String"), StringValue: aws.String("test")}}})
	}
	out, err := c.sqs.SendMessageBatch(context.Background(), in)
	if err != nil || len(out.Failed) > 0 {
		t.Fatalf("SendMessageBatch: %+v %v", out, err)
	}
}

// settle waits until the cloud has nothing more to do: every retry of a
// failed message played out on virtual time.
func (c *queueConsumer) settle(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.cloud.WaitSettled(ctx, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

// sqsEventRecord is a record of the SQS event as the function logged it.
type sqsEventRecord struct {
	MessageID         string            `json:"messageId"`
	ReceiptHandle     string            `json:"receiptHandle"`
	Body              string            `json:"body"`
	Attributes        map[string]string `json:"attributes"`
	MessageAttributes map[string]struct {
		StringValue      string   `json:"stringValue"`
		StringListValues []string `json:"stringListValues"`
		BinaryListValues []string `json:"binaryListValues"`
		DataType         string   `json:"dataType"`
	} `json:"messageAttributes"`
	MD5OfBody      string `json:"md5OfBody"`
	EventSource    string `json:"eventSource"`
	EventSourceARN string `json:"eventSourceARN"`
	AWSRegion      string `json:"awsRegion"`
}

// batches are the events the function received, from its log lines.
func (c *queueConsumer) batches(t *testing.T) [][]sqsEventRecord {
	t.Helper()
	out, err := c.logs.FilterLogEvents(context.Background(), &cwlogs.FilterLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/" + c.function), FilterPattern: aws.String(`"sqs event"`)})
	if err != nil {
		t.Fatal(err)
	}
	var batches [][]sqsEventRecord
	for _, e := range out.Events {
		_, raw, _ := strings.Cut(aws.ToString(e.Message), "sqs event ")
		var ev struct{ Records []sqsEventRecord }
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			t.Fatalf("logged event %q: %v", raw, err)
		}
		batches = append(batches, ev.Records)
	}
	return batches
}

func bodies(records []sqsEventRecord) []string {
	var out []string
	for _, r := range records {
		out = append(out, r.Body)
	}
	slices.Sort(out)
	return out
}

// queued counts a queue's messages, visible and in flight.
func (c *queueConsumer) queued(t *testing.T, url string) (visible, inFlight string) {
	t.Helper()
	out, err := c.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Attributes["ApproximateNumberOfMessages"], out.Attributes["ApproximateNumberOfMessagesNotVisible"]
}

// deadLetters receives the bodies in the dead-letter queue.
func (c *queueConsumer) deadLetters(t *testing.T) []sqstypes.Message {
	t.Helper()
	out, err := c.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{QueueUrl: aws.String(c.dlqURL), MaxNumberOfMessages: 10,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Messages
}

// A batch with one failed item: the rest are deleted, the failed one
// comes back after the visibility timeout with its receive count grown,
// fails again and the queue's redrive policy moves it to the dead-letter
// queue. Thirty-second visibility timeouts pass on virtual time.
func TestSQSMappingKeepsOnlyTheFailedItems(t *testing.T) {
	c := deployQueueConsumer(t, mappingProperties{"BatchSize": 5, "MaximumBatchingWindowInSeconds": 2,
		"FunctionResponseTypes": []string{"ReportBatchItemFailures"}})
	c.send(t, "a", "fail", "b", "c", "d")
	c.settle(t)

	batches := c.batches(t)
	if len(batches) != 2 {
		t.Fatalf("the function got %d batches, want 2 (all five, then the failed one again): %v", len(batches), batches)
	}
	if got := bodies(batches[0]); !slices.Equal(got, []string{"a", "b", "c", "d", "fail"}) {
		t.Errorf("first batch = %v, want the five messages", got)
	}
	r := batches[0][0]
	if r.MessageID == "" || r.ReceiptHandle == "" || r.MD5OfBody == "" || r.EventSource != "aws:sqs" || r.EventSourceARN != c.queueARN ||
		r.AWSRegion != "us-east-1" || r.Attributes["ApproximateReceiveCount"] != "1" || r.Attributes["SentTimestamp"] == "" ||
		r.Attributes["SenderId"] == "" || r.Attributes["ApproximateFirstReceiveTimestamp"] == "" {
		t.Errorf("record = %+v, want the SQS event's members", r)
	}
	if a := r.MessageAttributes["origin"]; a.StringValue != "test" || a.DataType != "String" || a.StringListValues == nil || a.BinaryListValues == nil {
		t.Errorf("message attribute = %+v, want stringValue, dataType and empty lists", a)
	}
	if len(batches[1]) != 1 || batches[1][0].Body != "fail" || batches[1][0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("second batch = %+v, want the failed message received a second time", batches[1])
	}
	if visible, inFlight := c.queued(t, c.queueURL); visible != "0" || inFlight != "0" {
		t.Errorf("queue holds %s visible and %s in-flight messages, want none", visible, inFlight)
	}
	dead := c.deadLetters(t)
	if len(dead) != 1 || aws.ToString(dead[0].Body) != "fail" || dead[0].Attributes["DeadLetterQueueSourceArn"] != c.queueARN {
		t.Errorf("dead-letter queue = %+v, want the failed message from %s", dead, c.queueARN)
	}
}

// Without ReportBatchItemFailures a function error returns the whole
// batch, and so does a partial batch response naming an empty identifier
// when it is on: every message is delivered again, then dead-lettered.
func TestSQSMappingFunctionErrorReturnsTheWholeBatch(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mapping mappingProperties
		poison  string
	}{
		{"function error", mappingProperties{}, "error"},
		{"empty item identifier", mappingProperties{"FunctionResponseTypes": []string{"ReportBatchItemFailures"}}, "bad-id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := deployQueueConsumer(t, tc.mapping)
			c.send(t, "ok", tc.poison)
			c.settle(t)
			batches := c.batches(t)
			if len(batches) != 2 || len(batches[0]) != 2 || len(batches[1]) != 2 {
				t.Fatalf("batches = %v, want the same two messages twice", batches)
			}
			if got := len(c.deadLetters(t)); got != 2 {
				t.Errorf("dead-letter queue holds %d messages, want both", got)
			}
		})
	}
}

// A mapping waiting for a message to come back holds no work: the cloud
// settles for a deadline before the visibility timeout ends, and only
// the timer is pending for one after it.
func TestSQSMappingWaitingForAMessageLetsTheCloudSettle(t *testing.T) {
	// Real time: the test looks at the settled cloud from outside, before
	// the message's return, to which virtual time would jump at once.
	c := deployQueueConsumerOn(t, mappingProperties{}, localcloud.Options{Time: localcloud.TimeReal})
	c.send(t, "error")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.cloud.WaitSettled(ctx, c.cloud.Now().Add(20*time.Second)); err != nil {
		t.Fatalf("settled before the message's return: %v", err)
	}
	pending := strings.Join(c.cloud.Pending(), "\n")
	if !strings.Contains(pending, "a message becomes visible timer") {
		t.Errorf("pending = %q, want the mapping's timer for the message's return", pending)
	}
	if n := len(c.batches(t)); n != 1 {
		t.Errorf("the function got %d batches before the visibility timeout, want 1", n)
	}
}

// Filters: a message that matches none is deleted without an invocation.
func TestSQSMappingFilters(t *testing.T) {
	c := deployQueueConsumer(t, mappingProperties{"FilterCriteria": map[string]any{"Filters": []any{
		map[string]any{"Pattern": `{"body":{"kind":["keep"]}}`}}}})
	c.send(t, `{"kind":"keep"}`, `{"kind":"drop"}`, "plain text")
	c.settle(t)
	var got []string
	for _, b := range c.batches(t) {
		got = append(got, bodies(b)...)
	}
	if !slices.Equal(got, []string{`{"kind":"keep"}`}) {
		t.Errorf("the function got %v, want only the matching message", got)
	}
	if visible, inFlight := c.queued(t, c.queueURL); visible != "0" || inFlight != "0" {
		t.Errorf("queue holds %s visible and %s in-flight messages, want the filtered ones deleted", visible, inFlight)
	}
}

func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code || !strings.Contains(apiErr.ErrorMessage(), message) {
		t.Errorf("error = %v, want %s containing %q", err, code, message)
	}
}

// The event source mapping API, with Lambda's checks at creation.
func TestSQSMappingAPI(t *testing.T) {
	c := deployQueueConsumer(t, mappingProperties{"BatchSize": 20, "MaximumBatchingWindowInSeconds": 1})
	ctx := context.Background()
	got, err := c.lambda.GetEventSourceMapping(ctx, &lambdasdk.GetEventSourceMappingInput{UUID: aws.String(c.mapping)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.State) != "Enabled" || aws.ToInt32(got.BatchSize) != 20 || aws.ToInt32(got.MaximumBatchingWindowInSeconds) != 1 ||
		aws.ToString(got.EventSourceArn) != c.queueARN || !strings.HasSuffix(aws.ToString(got.FunctionArn), ":function:"+c.function) ||
		aws.ToString(got.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"+c.mapping {
		t.Errorf("GetEventSourceMapping = %+v", got)
	}

	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function), EventSourceArn: aws.String(c.queueARN)})
	wantAPIError(t, err, "ResourceConflictException", `An event source mapping with SQS arn (" `+c.queueARN+` ") and function (" `+c.function+` ") already exists. Please update or delete the existing mapping with UUID `+c.mapping)
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:Consumer-missing")})
	wantAPIError(t, err, "InvalidParameterValueException", "Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist.")
	for _, name := range []string{"elsewhere", "Consumer-short"} {
		if _, err := c.sqs.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: map[string]string{"VisibilityTimeout": "5"}}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:elsewhere")})
	wantAPIError(t, err, "InvalidParameterValueException", "The provided execution role does not have permissions to call ReceiveMessage on SQS")
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:Consumer-short")})
	wantAPIError(t, err, "InvalidParameterValueException", "Queue visibility timeout: 5 seconds is less than Function timeout: 10 seconds")
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String(c.queueARN), BatchSize: aws.Int32(11)})
	wantAPIError(t, err, "InvalidParameterValueException", "Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String("nobody"), EventSourceArn: aws.String(c.queueARN)})
	wantAPIError(t, err, "InvalidParameterValueException", "Function does not exist")
	_, err = c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String("arn:aws:dynamodb:us-east-1:000000000000:table/T/stream/2026-01-01T00:00:00.000")})
	wantAPIError(t, err, "InvalidParameterValueException", "not supported locally")

	updated, err := c.lambda.UpdateEventSourceMapping(ctx, &lambdasdk.UpdateEventSourceMappingInput{UUID: aws.String(c.mapping),
		Enabled: aws.Bool(false), FunctionResponseTypes: []lambdatypes.FunctionResponseType{"ReportBatchItemFailures"}})
	if err != nil || aws.ToString(updated.State) != "Disabling" || len(updated.FunctionResponseTypes) != 1 {
		t.Fatalf("UpdateEventSourceMapping = %+v, %v", updated, err)
	}
	c.send(t, "while disabled")
	c.settle(t)
	if visible, _ := c.queued(t, c.queueURL); visible != "1" {
		t.Errorf("a disabled mapping took the message: %s visible", visible)
	}
	listed, err := c.lambda.ListEventSourceMappings(ctx, &lambdasdk.ListEventSourceMappingsInput{FunctionName: aws.String(c.function)})
	if err != nil || len(listed.EventSourceMappings) != 1 || aws.ToString(listed.EventSourceMappings[0].State) != "Disabled" {
		t.Fatalf("ListEventSourceMappings = %+v, %v", listed, err)
	}
	deleted, err := c.lambda.DeleteEventSourceMapping(ctx, &lambdasdk.DeleteEventSourceMappingInput{UUID: aws.String(c.mapping)})
	if err != nil || aws.ToString(deleted.State) != "Deleting" {
		t.Fatalf("DeleteEventSourceMapping = %+v, %v", deleted, err)
	}
	_, err = c.lambda.GetEventSourceMapping(ctx, &lambdasdk.GetEventSourceMappingInput{UUID: aws.String(c.mapping)})
	wantAPIError(t, err, "ResourceNotFoundException", "The resource you requested does not exist.")

	created, err := c.lambda.CreateEventSourceMapping(ctx, &lambdasdk.CreateEventSourceMappingInput{FunctionName: aws.String(c.function),
		EventSourceArn: aws.String(c.queueARN)})
	if err != nil || aws.ToString(created.State) != "Creating" || aws.ToInt32(created.BatchSize) != 10 {
		t.Fatalf("CreateEventSourceMapping = %+v, %v", created, err)
	}
	c.settle(t)
	if visible, inFlight := c.queued(t, c.queueURL); visible != "0" || inFlight != "0" {
		t.Errorf("the new mapping left %s visible and %s in-flight messages", visible, inFlight)
	}
}

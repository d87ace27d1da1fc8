package sqs_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestQueueLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	url := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "45"})
	if want := e.url + "/000000000000/orders"; url != want {
		t.Errorf("QueueUrl = %s, want %s (the request's host)", url, want)
	}
	again := e.queue(t, "orders", map[string]string{"VisibilityTimeout": "45"})
	if again != url {
		t.Errorf("CreateQueue of the same queue = %s, want %s", again, url)
	}
	_, err := e.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "10"}})
	wantCode(t, err, "QueueAlreadyExists")
	_, err = e.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("bad name!")})
	wantCode(t, err, "InvalidParameterValue")
	_, err = e.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"Colour": "red"}})
	wantCode(t, err, "InvalidAttributeName")
	_, err = e.client.CreateQueue(ctx, &awssqs.CreateQueueInput{QueueName: aws.String("x"), Attributes: map[string]string{"VisibilityTimeout": "99999"}})
	wantCode(t, err, "InvalidAttributeValue")
	e.queue(t, "orders-dlq", nil)
	e.queue(t, "other", nil)

	got, err := e.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = e.client.GetQueueUrl(ctx, &awssqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
	var typed *types.QueueDoesNotExist
	if !errors.As(err, &typed) {
		t.Errorf("GetQueueUrl of a missing queue: %T, want *types.QueueDoesNotExist", err)
	}

	list, err := e.client.ListQueues(ctx, &awssqs.ListQueuesInput{QueueNamePrefix: aws.String("orders")})
	if err != nil || len(list.QueueUrls) != 2 || list.QueueUrls[0] != url {
		t.Fatalf("ListQueues orders* = %v, %v", list.QueueUrls, err)
	}
	page, err := e.client.ListQueues(ctx, &awssqs.ListQueuesInput{MaxResults: aws.Int32(2)})
	if err != nil || len(page.QueueUrls) != 2 || page.NextToken == nil {
		t.Fatalf("ListQueues page 1 = %v %v, %v", page.QueueUrls, page.NextToken, err)
	}
	page, err = e.client.ListQueues(ctx, &awssqs.ListQueuesInput{MaxResults: aws.Int32(2), NextToken: page.NextToken})
	if err != nil || len(page.QueueUrls) != 1 || page.NextToken != nil {
		t.Fatalf("ListQueues page 2 = %v %v, %v", page.QueueUrls, page.NextToken, err)
	}

	redrive := `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders-dlq","maxReceiveCount":3}`
	if _, err := e.client.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(url),
		Attributes: map[string]string{"RedrivePolicy": redrive, "DelaySeconds": "2"}}); err != nil {
		t.Fatalf("SetQueueAttributes: %v", err)
	}
	attrs, err := e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatalf("GetQueueAttributes: %v", err)
	}
	for k, want := range map[string]string{"QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders", "VisibilityTimeout": "45", "DelaySeconds": "2",
		"RedrivePolicy": redrive, "MessageRetentionPeriod": "345600", "ApproximateNumberOfMessages": "0", "CreatedTimestamp": "1772366400"} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	one, err := e.client.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"QueueArn"}})
	if err != nil || len(one.Attributes) != 1 {
		t.Errorf("GetQueueAttributes QueueArn = %v, %v", one.Attributes, err)
	}
	_, err = e.client.SetQueueAttributes(ctx, &awssqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"RedrivePolicy": "{}"}})
	wantCode(t, err, "InvalidParameterValue")

	if _, err := e.client.DeleteQueue(ctx, &awssqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatalf("DeleteQueue: %v", err)
	}
	_, err = e.client.SendMessage(ctx, &awssqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	wantCode(t, err, "AWS.SimpleQueueService.NonExistentQueue")
}

// TestQueryProtocol drives the service with raw form posts, as older
// clients do.
func TestQueryProtocol(t *testing.T) {
	e := newEnv(t)
	post := func(form string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260301/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=x")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	status, body := post("Action=CreateQueue&QueueName=legacy&Attribute.1.Name=VisibilityTimeout&Attribute.1.Value=60&Version=2012-11-05")
	wantURL := e.url + "/000000000000/legacy"
	if status != 200 || !strings.Contains(body, "<CreateQueueResult><QueueUrl>"+wantURL+"</QueueUrl></CreateQueueResult>") {
		t.Fatalf("CreateQueue: %d %s", status, body)
	}
	status, body = post("Action=SendMessage&QueueUrl=" + wantURL + "&MessageBody=hello&MessageAttribute.1.Name=color&MessageAttribute.1.Value.DataType=String&MessageAttribute.1.Value.StringValue=red")
	// MD5 of "hello" and of the attribute color=red (String), as SQS computes them.
	if status != 200 || !strings.Contains(body, "<MD5OfMessageBody>5d41402abc4b2a76b9719d911017c592</MD5OfMessageBody>") ||
		!strings.Contains(body, "<MD5OfMessageAttributes>") || !strings.Contains(body, "<MessageId>") {
		t.Fatalf("SendMessage: %d %s", status, body)
	}
	status, body = post("Action=ReceiveMessage&QueueUrl=" + wantURL + "&AttributeName.1=All&MessageAttributeName.1=All")
	for _, want := range []string{"<Message>", "<Body>hello</Body>", "<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>",
		"<MessageAttribute><Name>color</Name><Value><DataType>String</DataType><StringValue>red</StringValue></Value></MessageAttribute>"} {
		if status != 200 || !strings.Contains(body, want) {
			t.Fatalf("ReceiveMessage: %d %s; want %s", status, body, want)
		}
	}
	status, body = post("Action=GetQueueAttributes&QueueUrl=" + wantURL + "&AttributeName.1=VisibilityTimeout")
	if status != 200 || !strings.Contains(body, "<Attribute><Name>VisibilityTimeout</Name><Value>60</Value></Attribute>") {
		t.Fatalf("GetQueueAttributes: %d %s", status, body)
	}
	status, body = post("Action=SendMessageBatch&QueueUrl=" + wantURL + "&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=one&SendMessageBatchRequestEntry.2.Id=b&SendMessageBatchRequestEntry.2.MessageBody=two")
	if status != 200 || strings.Count(body, "<SendMessageBatchResultEntry>") != 2 {
		t.Fatalf("SendMessageBatch: %d %s", status, body)
	}
	status, body = post("Action=GetQueueUrl&QueueName=missing")
	if status != 400 || !strings.Contains(body, "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>") || !strings.Contains(body, "<Type>Sender</Type>") {
		t.Fatalf("GetQueueUrl of a missing queue: %d %s", status, body)
	}
	status, body = post("Action=Frobnicate")
	if status != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") {
		t.Fatalf("unknown action: %d %s", status, body)
	}
}

// TestJSONErrorsCarryQueryCode checks the header query-compatible SDKs read.
func TestJSONErrorsCarryQueryCode(t *testing.T) {
	e := newEnv(t)
	req, _ := http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(`{"QueueUrl":"http://x/000000000000/none"}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.PurgeQueue")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-Query-Error") != "AWS.SimpleQueueService.NonExistentQueue;Sender" || !strings.Contains(string(body), `"__type":"QueueDoesNotExist"`) {
		t.Errorf("PurgeQueue of a missing queue: %d %q %s", resp.StatusCode, resp.Header.Get("X-Amzn-Query-Error"), body)
	}
	req, _ = http.NewRequest(http.MethodPost, e.url+"/", strings.NewReader(`{"QueueName": 7}`))
	req.Header.Set("X-Amz-Target", "AmazonSQS.CreateQueue")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("CreateQueue with a number for a name: %d, want 400", resp.StatusCode)
	}
}

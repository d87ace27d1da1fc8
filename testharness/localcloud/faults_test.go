package localcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

func addFault(t *testing.T, cloud *localcloud.Cloud, s faults.Spec) faults.Fault {
	t.Helper()
	f, err := cloud.Faults().Add(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// apiError is the code and HTTP status an SDK call failed with ("" and 0
// when it did not).
func apiError(err error) (code string, status int) {
	var api smithy.APIError
	if errors.As(err, &api) {
		code = api.ErrorCode()
	}
	var resp *awshttp.ResponseError
	if errors.As(err, &resp) {
		status = resp.HTTPStatusCode()
	}
	return code, status
}

func TestS3FaultAnswersSlowDownForExactlyItsCountAndOnlyItsOperationAndResource(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	client := s3.NewFromConfig(awstest.Config(t, cloud.Endpoint()), func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	for _, b := range []string{"uploads", "other"} {
		if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("a.png"), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	addFault(t, cloud, faults.Spec{Service: "s3", Operation: "s3:GetObject", Resource: "uploads/*", Action: faults.Error, Count: 2})

	get := func(bucket string) error {
		_, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("a.png")})
		return err
	}
	if err := get("other"); err != nil {
		t.Errorf("GetObject of another bucket: %v", err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("uploads"), Key: aws.String("b.png"), Body: strings.NewReader("y")}); err != nil {
		t.Errorf("PutObject: %v", err)
	}
	for i := range 2 {
		if code, status := apiError(get("uploads")); code != "SlowDown" || status != http.StatusServiceUnavailable {
			t.Errorf("GetObject %d: %s %d, want SlowDown 503", i+1, code, status)
		}
	}
	if err := get("uploads"); err != nil {
		t.Errorf("GetObject after the fault's count: %v", err)
	}
	if left := cloud.Faults().List(); len(left) != 0 {
		t.Errorf("faults left: %+v", left)
	}
}

func TestDynamoDBFaultAnswersInTheJSONShape(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	client := dynamodb.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	ctx := context.Background()
	_, err := client.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("Users"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest})
	if err != nil {
		t.Fatal(err)
	}
	addFault(t, cloud, faults.Spec{Service: "dynamodb", Operation: "PutItem", Resource: "Users", Action: faults.Error, Count: 1})
	put := func() error {
		_, err := client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("Users"),
			Item: map[string]ddbtypes.AttributeValue{"PK": &ddbtypes.AttributeValueMemberS{Value: "USER#1"}}})
		return err
	}
	var throttled *ddbtypes.ProvisionedThroughputExceededException
	if err := put(); !errors.As(err, &throttled) || !strings.HasPrefix(aws.ToString(throttled.Message), "The level of configured provisioned throughput") {
		t.Errorf("PutItem: %v, want ProvisionedThroughputExceededException", err)
	}
	if err := put(); err != nil {
		t.Errorf("second PutItem: %v", err)
	}
}

// TestEntryFaultFailsEntriesOfPutEventsAndPutsTheRest: an entry-error
// fault on a bus fails its next entries in PutEvents' answer, counted per
// entry; the other entries of the request are put.
func TestEntryFaultFailsEntriesOfPutEventsAndPutsTheRest(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	client := eventbridge.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	ctx := context.Background()
	if _, err := client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	f := addFault(t, cloud, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: "app", Action: faults.EntryError, Count: 2})
	if f.ErrorCode != "InternalFailure" {
		t.Fatalf("fault %+v", f)
	}
	entry := func(bus string) ebtypes.PutEventsRequestEntry {
		return ebtypes.PutEventsRequestEntry{EventBusName: aws.String(bus), Source: aws.String("app"), DetailType: aws.String("T"), Detail: aws.String(`{}`)}
	}
	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry("app"), entry("default"), entry("app"), entry("app")}})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, e := range out.Entries {
		codes = append(codes, aws.ToString(e.ErrorCode))
	}
	if out.FailedEntryCount != 2 || strings.Join(codes, ",") != "InternalFailure,,InternalFailure," {
		t.Errorf("PutEvents: %d failed, codes %q", out.FailedEntryCount, codes)
	}
	if left := cloud.Faults().List(); len(left) != 0 {
		t.Errorf("faults left after their count: %+v", left)
	}
}

func TestQueryProtocolFaultHitsOnlyItsPrincipal(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{IAM: localcloud.IAMOff})
	cfg := awstest.Config(t, cloud.Endpoint())
	user := sts.NewFromConfig(cfg)
	creds := cloud.Identities().AssumeRole("arn:aws:iam::000000000000:role/ImageFunctionRole", "s", time.Now(), time.Hour)
	cfg.Credentials = awstest.Static(creds)
	role := sts.NewFromConfig(cfg)
	addFault(t, cloud, faults.Spec{Service: "sts", Principal: "Image*", Action: faults.Error,
		ErrorCode: "Throttling", StatusCode: http.StatusBadRequest, Message: "Rate exceeded"})
	ctx := context.Background()
	if _, err := user.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("the user's request: %v", err)
	}
	_, err := role.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "Throttling" || api.ErrorMessage() != "Rate exceeded" {
		t.Errorf("the role's request: %v, want Throttling in the query shape", err)
	}
}

func TestFaultProbabilityDrawsFromTheCloudsSource(t *testing.T) {
	const seed, requests = 42, 40
	cloud := localcloud.RunT(t, localcloud.Options{FaultRand: rand.NewSource(seed)})
	client := sts.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	spec := faults.Spec{Service: "sts", Action: faults.Error, Probability: 0.5}
	addFault(t, cloud, spec)
	// The same draws, made by a registry alone with the same seed.
	replay := faults.NewRegistry(rand.NewSource(seed))
	if _, err := replay.Add(spec); err != nil {
		t.Fatal(err)
	}
	var got, want []bool
	for range requests {
		_, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		got = append(got, err != nil)
		_, hit := replay.Hit(faults.Request{Service: "sts"}, faults.Error)
		want = append(want, hit)
	}
	hits := 0
	for i := range got {
		if got[i] {
			hits++
		}
		if got[i] != want[i] {
			t.Fatalf("request %d failed = %v, the seeded draw says %v", i, got[i], want[i])
		}
	}
	if hits == 0 || hits == requests {
		t.Errorf("%d of %d requests hit at p=0.5", hits, requests)
	}
}

func TestLatencyFaultDelaysOnTheCloudsClock(t *testing.T) {
	fake := clock.NewFake(time.Now())
	cloud := localcloud.RunT(t, localcloud.Options{Clock: fake})
	client := sts.NewFromConfig(awstest.Config(t, cloud.Endpoint()))
	addFault(t, cloud, faults.Spec{Service: "sts", Action: faults.Latency, Latency: faults.Duration(time.Hour), Count: 1})
	before := fake.Waiters()
	done := make(chan error, 1)
	go func() {
		_, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
		done <- err
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := fake.WaitForWaiters(ctx, before+1); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("the request ended before its latency passed: %v", err)
	default:
	}
	fake.Advance(time.Hour)
	if err := <-done; err != nil {
		t.Errorf("delayed request: %v", err)
	}
}

func TestInjectedFaultIsInTheRequestsTrace(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	cfg := awstest.Config(t, cloud.Endpoint())
	f := addFault(t, cloud, faults.Spec{Service: "sts", Action: faults.Error, Count: 1})
	root := traceheader.NewTraceID(time.Now())
	// The SDK sends a Lambda function's trace header (recursion detection).
	t.Setenv("AWS_LAMBDA_FUNCTION_NAME", "fn")
	t.Setenv("_X_AMZN_TRACE_ID", "Root="+root+";Parent=53995c3f42cd8ad8;Sampled=1")
	if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
		t.Fatal("the fault did not hit")
	}
	out, err := xray.NewFromConfig(cfg).BatchGetTraces(context.Background(), &xray.BatchGetTracesInput{TraceIds: []string{root}})
	if err != nil || len(out.Traces) != 1 || len(out.Traces[0].Segments) != 1 {
		t.Fatalf("BatchGetTraces: %v %+v", err, out)
	}
	var doc struct {
		ParentID    string            `json:"parent_id"`
		Throttle    bool              `json:"throttle"`
		Error       bool              `json:"error"`
		Annotations map[string]string `json:"annotations"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.Traces[0].Segments[0].Document)), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Annotations["tracebridge_fault"] != f.ID || doc.ParentID != "53995c3f42cd8ad8" || !doc.Error {
		t.Errorf("fault segment = %+v", doc)
	}
}

func TestFaultsHTTPAPIAddsListsAndRemoves(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	url := cloud.Endpoint() + localcloud.FaultsPath
	do := func(method, path, body string) (int, []byte) {
		req, err := http.NewRequest(method, url+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		return resp.StatusCode, b.Bytes()
	}
	status, body := do("POST", "", `{"service":"s3","operation":"s3:GetObject","action":"error","count":3}`)
	var added faults.Fault
	if status != http.StatusCreated || json.Unmarshal(body, &added) != nil || added.ID == "" || added.ErrorCode != "SlowDown" || added.StatusCode != 503 {
		t.Fatalf("POST: %d %s", status, body)
	}
	if status, body = do("POST", "", `{"service":"lambda","action":"kill","latency":"2s"}`); status != http.StatusCreated {
		t.Fatalf("POST kill: %d %s", status, body)
	}
	if status, body = do("POST", "", `{"service":"s3","action":"kill"}`); status != http.StatusBadRequest || !strings.Contains(string(body), "Lambda invocations only") {
		t.Errorf("POST kill on S3: %d %s", status, body)
	}
	status, body = do("GET", "", "")
	var list localcloud.FaultList
	if status != http.StatusOK || json.Unmarshal(body, &list) != nil || len(list.Faults) != 2 || list.Faults[0].ID != added.ID {
		t.Fatalf("GET: %d %s", status, body)
	}
	if status, _ = do("DELETE", "/"+added.ID, ""); status != http.StatusNoContent {
		t.Errorf("DELETE one: %d", status)
	}
	if status, _ = do("DELETE", "/"+added.ID, ""); status != http.StatusNotFound {
		t.Errorf("DELETE it again: %d", status)
	}
	if status, _ = do("DELETE", "", ""); status != http.StatusNoContent || len(cloud.Faults().List()) != 0 {
		t.Errorf("DELETE all: %d, left %+v", status, cloud.Faults().List())
	}
}

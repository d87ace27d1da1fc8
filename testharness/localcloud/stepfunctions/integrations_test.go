package stepfunctions

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

var traceHeaderRE = regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=1$`)

func TestPutEventsIntegrationWithTracing(t *testing.T) {
	f := newFixture(t)
	def := `{"StartAt":"Emit","States":{"Emit":{"Type":"Task","Resource":"arn:aws:states:::events:putEvents",
	  "Parameters":{"Entries":[{"EventBusName":"app","Source":"tracebridge.test","DetailType":"Done","Detail":{"id.$":"$.id"}}]},
	  "Next":"Greet"},
	 "Greet":{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:000000000000:function:greeter","End":true}}}`
	out, err := f.client.CreateStateMachine(context.Background(), &sfn.CreateStateMachineInput{Name: aws.String("emit"),
		Definition: aws.String(def), RoleArn: aws.String(roleArn), TracingConfiguration: &sfntypesTracing})
	if err != nil {
		t.Fatal(err)
	}
	r := f.run(t, *out.StateMachineArn, `{"id":"c-42"}`)
	if r.Status != StatusSucceeded || r.Output != `{"Entries":[{"EventId":"event-a"}],"FailedEntryCount":0}` {
		t.Fatalf("result = %+v", r)
	}
	f.events.mu.Lock()
	entries := append([]EventEntry(nil), f.events.entries...)
	f.events.mu.Unlock()
	if len(entries) != 1 || entries[0].EventBusName != "app" || entries[0].Source != "tracebridge.test" ||
		entries[0].DetailType != "Done" || string(entries[0].Detail) != `{"id":"c-42"}` {
		t.Fatalf("entries = %+v", entries)
	}
	// Both integrations continue the execution's trace, each under its
	// own task subsegment, and the tracer gets the execution's segments.
	lambdaHeader := f.lambda.Calls()[0].Opts.TraceHeader
	if !traceHeaderRE.MatchString(entries[0].TraceHeader) || !traceHeaderRE.MatchString(lambdaHeader) {
		t.Fatalf("trace headers %q, %q", entries[0].TraceHeader, lambdaHeader)
	}
	root := strings.Split(entries[0].TraceHeader, ";")[0]
	if !strings.HasPrefix(lambdaHeader, root+";") || !strings.HasPrefix(r.TraceHeader, root+";") {
		t.Fatalf("roots differ: %q %q %q", entries[0].TraceHeader, lambdaHeader, r.TraceHeader)
	}
	traces := f.tracer.Traces()
	if len(traces) != 1 || "Root="+traces[0].TraceID != root || len(traces[0].Tasks) != 2 ||
		traces[0].StateMachineName != "emit" || traces[0].Status != StatusSucceeded ||
		!strings.Contains(entries[0].TraceHeader, "Parent="+traces[0].Tasks[0].SegmentID) {
		t.Fatalf("traces = %+v", traces)
	}

	// A failed entry fails the task with EventBridge.FailedEntry.
	bad := strings.Replace(def, `"Source":"tracebridge.test",`, "", 1)
	r = f.run(t, f.create(t, "emitbad", bad, ""), `{"id":"x"}`)
	if r.Status != StatusFailed || r.Error != "EventBridge.FailedEntry" || !strings.Contains(r.Cause, `"FailedEntryCount":1`) {
		t.Fatalf("failed entry result = %+v", r)
	}
}

func TestDynamoDBIntegration(t *testing.T) {
	f := newFixture(t)
	f.sdk.handle = func(service, action string, params json.RawMessage) (json.RawMessage, error) {
		if strings.Contains(string(params), `"taken"`) {
			return nil, awsproto.NewError("ConditionalCheckFailedException", 400, "The conditional request failed")
		}
		return json.RawMessage(`{"Attributes":{"PK":{"S":"USER#1"}}}`), nil
	}
	def := `{"StartAt":"Put","States":{"Put":{"Type":"Task","Resource":"arn:aws:states:::dynamodb:putItem",
	  "Parameters":{"TableName":"users","Item":{"PK":{"S.$":"$.pk"}},"ConditionExpression":"attribute_not_exists(PK)","ReturnValues":"ALL_OLD"},
	  "Catch":[{"ErrorEquals":["DynamoDB.ConditionalCheckFailedException"],"Next":"Exists"}],"End":true},
	 "Exists":{"Type":"Pass","Result":"exists","End":true}}}`
	smArn := f.create(t, "ddb", def, "")
	r := f.run(t, smArn, `{"pk":"USER#1"}`)
	if r.Status != StatusSucceeded {
		t.Fatalf("result = %+v", r)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.Output), &out); err != nil {
		t.Fatal(err)
	}
	if string(out["Attributes"]) != `{"PK":{"S":"USER#1"}}` || out["SdkHttpMetadata"] == nil || out["SdkResponseMetadata"] == nil {
		t.Fatalf("output = %s", r.Output)
	}
	call := f.sdk.Calls()[0]
	if call.Service != "dynamodb" || call.Action != "PutItem" || call.Principal.RoleARN != roleArn ||
		call.Params != `{"ConditionExpression":"attribute_not_exists(PK)","Item":{"PK":{"S":"USER#1"}},"ReturnValues":"ALL_OLD","TableName":"users"}` {
		t.Fatalf("call = %+v", call)
	}
	if r := f.run(t, smArn, `{"pk":"taken"}`); r.Status != StatusSucceeded || r.Output != `"exists"` {
		t.Fatalf("caught result = %+v", r)
	}
}

// fakeJSONService is an awsJson service on the gateway that records the
// caller's principal.
type fakeJSONService struct{ principals chan identity.Principal }

func (s fakeJSONService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.principals <- identity.FromContext(r.Context())
	body, _ := io.ReadAll(r.Body)
	var in struct{ TableName string }
	_ = json.Unmarshal(body, &in)
	if r.Header.Get("X-Amz-Target") != "DynamoDB_20120810.GetItem" || in.TableName != "users" {
		awsproto.WriteJSONError(r.Context(), w, "application/x-amz-json-1.0",
			awsproto.NewError("ResourceNotFoundException", 400, "Requested resource not found"))
		return
	}
	awsproto.WriteJSON(r.Context(), w, "application/x-amz-json-1.0", 200, map[string]any{"Item": map[string]any{"PK": map[string]string{"S": "USER#1"}}})
}

func TestAWSSDKIntegrationThroughGateway(t *testing.T) {
	svc := fakeJSONService{principals: make(chan identity.Principal, 10)}
	f := newFixture(t, func(f *fixture, o *Options) {
		f.gw.Register(gateway.Route{Service: "dynamodb", SigningNames: []string{"dynamodb"}, TargetPrefixes: []string{"DynamoDB_20120810"}, Handler: svc})
		o.AWS = NewGatewaySDKCaller(f.url, f.store)
	})
	def := `{"StartAt":"Get","States":{"Get":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:dynamodb:getItem",
	  "Parameters":{"TableName.$":"$.table","Key":{"PK":{"S":"USER#1"}}},
	  "Catch":[{"ErrorEquals":["DynamoDb.ResourceNotFoundException"],"ResultPath":"$.err","Next":"Missing"}],"End":true},
	 "Missing":{"Type":"Pass","End":true}}}`
	smArn := f.create(t, "sdk", def, "")
	r := f.run(t, smArn, `{"table":"users"}`)
	if r.Status != StatusSucceeded || r.Output != `{"Item":{"PK":{"S":"USER#1"}}}` {
		t.Fatalf("result = %+v", r)
	}
	if p := <-svc.principals; p.RoleARN != roleArn || !strings.HasPrefix(p.ARN, "arn:aws:sts::000000000000:assumed-role/MachineRole/") {
		t.Fatalf("service saw principal %+v", p)
	}
	r = f.run(t, smArn, `{"table":"other"}`)
	var out struct{ Err struct{ Error, Cause string } }
	_ = json.Unmarshal([]byte(r.Output), &out)
	if r.Status != StatusSucceeded || out.Err.Error != "DynamoDb.ResourceNotFoundException" ||
		!strings.HasPrefix(out.Err.Cause, "Requested resource not found (Service: DynamoDb, Status Code: 400") {
		t.Fatalf("caught result = %+v", r)
	}

	// camelCase services: Step Functions itself, reached through the gateway.
	describe := `{"StartAt":"D","States":{"D":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:sfn:describeStateMachine",
	  "Parameters":{"StateMachineArn.$":"$.arn"},"ResultSelector":{"name.$":"$.Name","type.$":"$.Type"},"End":true}}}`
	r = f.run(t, f.create(t, "describer", describe, ""), `{"arn":"`+smArn+`"}`)
	if r.Status != StatusSucceeded || r.Output != `{"name":"sdk","type":"STANDARD"}` {
		t.Fatalf("sfn describe result = %+v", r)
	}
	r = f.run(t, f.create(t, "s3", `{"StartAt":"L","States":{"L":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:listBuckets","End":true}}}`, ""), `{}`)
	if r.Status != StatusFailed || r.Error != "States.Runtime" || !strings.Contains(r.Cause, `"s3" is not one of them`) {
		t.Fatalf("unsupported service result = %+v", r)
	}
}

func TestNestedStartExecutionSync(t *testing.T) {
	f := newFixture(t)
	child := f.create(t, "child", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"twice.$":"States.MathAdd($.n, $.n)"},"End":true}}}`, "")
	failing := f.create(t, "childfail", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Child.Broke","Cause":"x"}}}`, "")
	parent := `{"StartAt":"Run","States":{"Run":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2",
	  "Parameters":{"StateMachineArn.$":"$.sm","Input":{"n.$":"$.n"}},"OutputPath":"$.Output","End":true}}}`
	pArn := f.create(t, "parent", parent, "")
	r := f.run(t, pArn, `{"sm":"`+child+`","n":21}`)
	if r.Status != StatusSucceeded || r.Output != `{"twice":42}` {
		t.Fatalf("result = %+v", r)
	}
	r = f.run(t, pArn, `{"sm":"`+failing+`","n":1}`)
	if r.Status != StatusFailed || r.Error != "States.TaskFailed" || !strings.Contains(r.Cause, `"Error":"Child.Broke"`) {
		t.Fatalf("failed child result = %+v", r)
	}
	r = f.run(t, pArn, `{"sm":"arn:aws:states:us-east-1:000000000000:stateMachine:nope","n":1}`)
	if r.Status != StatusFailed || r.Error != "StepFunctions.StateMachineDoesNotExistException" {
		t.Fatalf("missing child result = %+v", r)
	}
}

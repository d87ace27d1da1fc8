package await

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localcloud/stepfunctions"
)

// The pairing runs against the local cloud: a real DynamoDB table and a
// real Step Functions callback task. The task hands its token out with
// events:putEvents.waitForTaskToken, which the test reads from the bus and
// gives to Handle as the Await task's payload — so no Lambda is involved.

const awaitMachine = `{"StartAt":"Await","States":{"Await":{"Type":"Task",
  "Resource":"arn:aws:states:::events:putEvents.waitForTaskToken",
  "Parameters":{"Entries":[{"EventBusName":"default","Source":"test.await","DetailType":"Token",
    "Detail":{"taskToken.$":"$$.Task.Token","correlationId.$":"$.correlationId","success":["Done"],"failure":["Broke"]}}]},
  "TimeoutSeconds":120,"End":true}}}`

type fixture struct {
	cloud   *localcloud.Cloud
	h       *Handler
	sfn     *sfn.Client
	machine string

	mu     sync.Mutex
	tokens map[string]chan testharness.AwaitRequest // by correlation id
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	// The machine's role does not exist: IAM is not what these tests test.
	// The handler runs in this test's process, outside the cloud, which so
	// cannot know it is about to answer a waiting task: on virtual time the
	// cloud would look settled and jump to the task's timeout.
	cloud := localcloud.RunT(t, localcloud.Options{IAM: localcloud.IAMOff, Time: localcloud.TimeReal})
	cfg, err := testharness.LocalConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	db := dynamodb.NewFromConfig(cfg)
	_, err = db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String("harness"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String(testharness.HarnessTablePartitionKey), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String(testharness.HarnessTablePartitionKey), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatalf("CreateTable: %v", err)
	}
	f := &fixture{cloud: cloud, sfn: sfn.NewFromConfig(cfg), tokens: map[string]chan testharness.AwaitRequest{}}
	f.h = &Handler{Table: "harness", DB: db, SFN: f.sfn, Log: slog.New(slog.DiscardHandler)}
	sm, err := f.sfn.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("await"), Definition: aws.String(awaitMachine),
		RoleArn: aws.String("arn:aws:iam::000000000000:role/await"),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	f.machine = aws.ToString(sm.StateMachineArn)
	t.Cleanup(cloud.EventBridge.Subscribe("default", func(envelope []byte) {
		var e struct {
			Detail testharness.AwaitRequest `json:"detail"`
		}
		if json.Unmarshal(envelope, &e) == nil && e.Detail.TaskToken != "" {
			f.tokenChan(e.Detail.CorrelationID) <- e.Detail
		}
	}))
	return f
}

func (f *fixture) tokenChan(correlationID string) chan testharness.AwaitRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch, ok := f.tokens[correlationID]
	if !ok {
		ch = make(chan testharness.AwaitRequest, 1)
		f.tokens[correlationID] = ch
	}
	return ch
}

// start starts an execution awaiting correlationID and returns its ARN and
// the Await request its task sent out.
func (f *fixture) start(t *testing.T, correlationID string) (string, json.RawMessage) {
	t.Helper()
	out, err := f.sfn.StartExecution(context.Background(), &sfn.StartExecutionInput{
		StateMachineArn: aws.String(f.machine), Input: aws.String(fmt.Sprintf(`{"correlationId":%q}`, correlationID)),
	})
	if err != nil {
		t.Fatalf("StartExecution: %v", err)
	}
	select {
	case req := <-f.tokenChan(correlationID):
		raw, _ := json.Marshal(req)
		return aws.ToString(out.ExecutionArn), raw
	case <-time.After(30 * time.Second):
		t.Fatalf("the Await task of %s sent no token within 30s", correlationID)
		return "", nil
	}
}

func (f *fixture) wait(t *testing.T, executionArn string) stepfunctions.ExecutionResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	r, err := f.cloud.StepFunctions.WaitExecution(ctx, executionArn)
	if err != nil {
		t.Fatalf("WaitExecution: %v", err)
	}
	return r
}

// appEvent is a completion event as the app bus rule delivers it.
func appEvent(id, detailType, correlationID string, extra string) json.RawMessage {
	return json.RawMessage(fmt.Sprintf(`{"version":"0","id":%q,"detail-type":%q,"source":%q,"account":"000000000000",
		"time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],"detail":{"correlationId":%q%s}}`,
		id, detailType, schemas.AppEventSource, correlationID, extra))
}

func (f *fixture) handle(t *testing.T, raw json.RawMessage) Outcome {
	t.Helper()
	out, err := f.h.Handle(context.Background(), raw)
	if err != nil {
		t.Fatalf("Handle(%s): %v", raw, err)
	}
	return out.(Outcome)
}

func wantSucceededWith(t *testing.T, r stepfunctions.ExecutionResult, detailType string) {
	t.Helper()
	var c testharness.Completion
	if r.Status != stepfunctions.StatusSucceeded || json.Unmarshal([]byte(r.Output), &c) != nil || c.DetailType != detailType {
		t.Fatalf("execution = %+v, want SUCCEEDED with a %s completion", r, detailType)
	}
}

func TestTokenFirstThenEventCompletes(t *testing.T) {
	f := newFixture(t)
	exec, req := f.start(t, "c-token-first")
	if out := f.handle(t, req); out.Kind != "token" || out.Completed != "" {
		t.Fatalf("token alone: %+v, want registered and not completed", out)
	}
	if out := f.handle(t, appEvent("e1", "Done", "c-token-first", `,"n":1`)); out.Completed != "Done" {
		t.Fatalf("event after token: %+v, want completed by Done", out)
	}
	r := f.wait(t, exec)
	wantSucceededWith(t, r, "Done")
	var c testharness.Completion
	if err := json.Unmarshal([]byte(r.Output), &c); err != nil || string(c.Detail) != `{"correlationId":"c-token-first","n":1}` {
		t.Errorf("output = %s, want the event's detail as the completion's", r.Output)
	}
}

func TestEventFirstThenTokenCompletes(t *testing.T) {
	f := newFixture(t)
	// An event the test does not await arrives too; it must not complete.
	f.handle(t, appEvent("e0", "Unrelated", "c-event-first", ""))
	if out := f.handle(t, appEvent("e1", "Done", "c-event-first", "")); out.Kind != "event" || out.Completed != "" {
		t.Fatalf("event alone: %+v", out)
	}
	exec, req := f.start(t, "c-event-first")
	if out := f.handle(t, req); out.Completed != "Done" {
		t.Fatalf("token after event: %+v, want completed by Done", out)
	}
	wantSucceededWith(t, f.wait(t, exec), "Done")
}

func TestFailureEventFailsTheTaskWithItsReason(t *testing.T) {
	f := newFixture(t)
	exec, req := f.start(t, "c-fail")
	f.handle(t, req)
	f.handle(t, appEvent("e1", "Broke", "c-fail", `,"reason":"not a PNG"`))
	r := f.wait(t, exec)
	if r.Status != stepfunctions.StatusFailed || r.Error != testharness.ErrorCompletionFailed || r.Cause != "Broke: not a PNG" {
		t.Fatalf("execution = %+v, want FAILED CompletionFailed %q", r, "Broke: not a PNG")
	}
}

func TestRepeatedDeliveriesCompleteOnce(t *testing.T) {
	f := newFixture(t)
	f.handle(t, appEvent("e1", "Done", "c-dup", ""))
	f.handle(t, appEvent("e1", "Done", "c-dup", "")) // the same event again, before the token
	exec, req := f.start(t, "c-dup")
	if out := f.handle(t, req); out.Completed != "Done" {
		t.Fatalf("token: %+v", out)
	}
	// Everything again, after completion: no error, nothing completed twice.
	for _, raw := range []json.RawMessage{req, appEvent("e1", "Done", "c-dup", ""), appEvent("e2", "Broke", "c-dup", `,"reason":"late"`)} {
		if out := f.handle(t, raw); out.Completed != "" {
			t.Errorf("repeat %s: %+v, want nothing completed", raw, out)
		}
	}
	wantSucceededWith(t, f.wait(t, exec), "Done")
	item, err := f.h.DB.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String("harness"), Key: f.h.key("c-dup"), ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if p := decodePairing(item.Item); len(p.Events) != 2 || p.Completed != "Done" {
		t.Errorf("pairing = %+v, want events e1 (once) and e2, completed by Done", p)
	}
}

func TestConcurrentTokenAndEventCompleteEveryPair(t *testing.T) {
	f := newFixture(t)
	const n = 12
	var wg sync.WaitGroup
	execs := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("c-race-%d", i)
		exec, req := f.start(t, id)
		execs[i] = exec
		results := make(chan Outcome, 2)
		for _, raw := range []json.RawMessage{req, appEvent("e-"+id, "Done", id, "")} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, err := f.h.Handle(context.Background(), raw)
				if err != nil {
					t.Errorf("Handle: %v", err)
				}
				results <- out.(Outcome)
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := <-results, <-results
			if (a.Completed == "") == (b.Completed == "") {
				t.Errorf("%s: outcomes %+v and %+v, want exactly one to complete", id, a, b)
			}
		}()
	}
	wg.Wait()
	for _, exec := range execs {
		wantSucceededWith(t, f.wait(t, exec), "Done")
	}
}

// An event the test does not await (another detail-type of the same run)
// racing the awaited one must not complete the task a second time: the
// second SendTask would be answered TaskTimedOut, an error in the run's
// trace. SendTaskSuccess calls are counted by a do-nothing fault's hits.
func TestAnUnawaitedEventRacingTheAwaitedOneSendsNothing(t *testing.T) {
	f := newFixture(t)
	calls, err := f.cloud.Faults().Add(faults.Spec{Service: "states", Operation: "states:SendTaskSuccess", Action: faults.Latency, Latency: faults.Duration(time.Nanosecond)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 12
	var wg sync.WaitGroup
	execs := make([]string, n)
	for i := range n {
		id := fmt.Sprintf("c-unawaited-%d", i)
		exec, req := f.start(t, id)
		execs[i] = exec
		f.handle(t, req)
		for _, raw := range []json.RawMessage{appEvent("done-"+id, "Done", id, ""), appEvent("other-"+id, "Noted", id, "")} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := f.h.Handle(context.Background(), raw); err != nil {
					t.Errorf("Handle: %v", err)
				}
			}()
		}
	}
	wg.Wait()
	for _, exec := range execs {
		wantSucceededWith(t, f.wait(t, exec), "Done")
	}
	for _, got := range f.cloud.Faults().List() {
		if got.ID == calls.ID && got.Hits != n {
			t.Errorf("%d SendTaskSuccess calls for %d tasks, want one each", got.Hits, n)
		}
	}
}

func TestBadInputIsRejectedOrIgnored(t *testing.T) {
	f := newFixture(t)
	if _, err := f.h.Handle(context.Background(), json.RawMessage(`{"hello":1}`)); err == nil {
		t.Error("an input of neither shape was accepted")
	}
	if _, err := f.h.Handle(context.Background(), json.RawMessage(`{"taskToken":"t"}`)); err == nil {
		t.Error("an Await request without a correlation id was accepted")
	}
	out := f.handle(t, json.RawMessage(`{"id":"x","source":"tracebridge.app","detail-type":"TestRunCompleted","detail":{"results":[]}}`))
	if out.Kind != "ignored" {
		t.Errorf("an event without a correlation id: %+v, want ignored", out)
	}
}

package pipes

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/schemas"
)

func appFilter(t testing.TB) string {
	b, err := json.Marshal(schemas.UserInsertFilterPattern())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppFilterPassesOnlyUserInserts(t *testing.T) {
	f := newFixture(t)
	s := f.spec("audit", appFilter(t))
	s.SourceParameters.DynamoDBStreamParameters.BatchSize = ptr(Int(1))
	f.create(t, s)

	f.write(t, "INSERT", "USER#1")
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"USER#1"}) {
		t.Fatalf("first delivery %v, want [USER#1]", got)
	}
	f.write(t, "INSERT", "ORDER#1")
	f.write(t, "MODIFY", "USER#1")
	f.write(t, "REMOVE", "USER#1")
	f.write(t, "INSERT", "USER#canary")
	// The canary comes next: nothing written before it was delivered.
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"USER#canary"}) {
		t.Fatalf("after dropped records the next delivery is %v, want the canary", got)
	}
	f.noInvocation(t)
}

func TestPipeWithoutFilterDeliversEverything(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "ORDER#1")
	f.write(t, "MODIFY", "USER#1")
	f.write(t, "REMOVE", "USER#2")
	f.create(t, f.spec("all"))
	c := f.next(t)
	if got := pks(t, c); !slices.Equal(got, []string{"ORDER#1", "USER#1", "USER#2"}) {
		t.Fatalf("delivered %v", got)
	}
	var names []string
	for _, r := range batch(t, c) {
		names = append(names, r["eventName"].(string))
	}
	if !slices.Equal(names, []string{"INSERT", "MODIFY", "REMOVE"}) {
		t.Errorf("event names %v", names)
	}
}

// TestLambdaPayloadIsBareArray checks the payload against the documented
// event a DynamoDB pipe source delivers.
func TestLambdaPayloadIsBareArray(t *testing.T) {
	raw, err := os.ReadFile("testdata/pipes-dynamodb-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Event []map[string]any `json:"event"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.write(t, "INSERT", "USER#1")
	d := f.create(t, f.spec("shape"))
	c := f.next(t)
	if c.arn != fnARN || c.async {
		t.Errorf("invoked %s async=%v, want %s synchronously", c.arn, c.async, fnARN)
	}
	if c.principal.RoleARN != roleARN || !strings.HasSuffix(c.principal.ARN, ":assumed-role/PipeRole/shape") {
		t.Errorf("invoked as %+v, want a session of the pipe's role", c.principal)
	}
	if !strings.HasPrefix(string(c.payload), "[") {
		t.Fatalf("payload %s is not a bare array", c.payload)
	}
	rec := batch(t, c)[0]
	want := doc.Event[0]
	if g, w := keysOf(rec), keysOf(want); !slices.Equal(g, w) {
		t.Errorf("record members %v, documented %v", g, w)
	}
	for k := range want["dynamodb"].(map[string]any) {
		if _, ok := rec["dynamodb"].(map[string]any)[k]; !ok {
			t.Errorf("dynamodb member %s missing", k)
		}
	}
	if rec["eventSourceARN"] != f.streamARN || rec["eventSource"] != "aws:dynamodb" {
		t.Errorf("eventSourceARN %v eventSource %v", rec["eventSourceARN"], rec["eventSource"])
	}
	if d.CurrentState != StateRunning {
		t.Errorf("CurrentState %s", d.CurrentState)
	}
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func ptr[T any](v T) *T { return &v }

func TestBatchItemFailuresRetryFromFailedRecord(t *testing.T) {
	f := newFixture(t)
	for _, pk := range []string{"A", "B", "C", "D"} {
		f.write(t, "INSERT", pk)
	}
	calls := 0
	f.functions.respond = func(payload []byte) InvokeResult {
		calls++
		if calls > 1 {
			return InvokeResult{Payload: []byte(`{"batchItemFailures":[]}`)}
		}
		var recs []map[string]any
		_ = json.Unmarshal(payload, &recs)
		// D and C fail; the pipe retries from C, the first of them.
		return InvokeResult{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"` + recs[3]["eventID"].(string) +
			`"},{"itemIdentifier":"` + recs[2]["eventID"].(string) + `"}]}`)}
	}
	f.create(t, f.spec("partial"))
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"A", "B", "C", "D"}) {
		t.Fatalf("first batch %v", got)
	}
	f.advanceWhenArmed(t)
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"C", "D"}) {
		t.Fatalf("retry %v, want [C D]", got)
	}
	f.write(t, "INSERT", "E")
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"E"}) {
		t.Fatalf("after success %v, want [E]", got)
	}
}

func TestUnknownItemIdentifierFailsWholeBatch(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "A")
	f.write(t, "INSERT", "B")
	calls := 0
	f.functions.respond = func([]byte) InvokeResult {
		if calls++; calls == 1 {
			return InvokeResult{Payload: []byte(`{"batchItemFailures":[{"itemIdentifier":"nope"}]}`)}
		}
		return InvokeResult{Payload: []byte(`{}`)}
	}
	f.create(t, f.spec("unknown-id"))
	f.next(t)
	f.advanceWhenArmed(t)
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"A", "B"}) {
		t.Fatalf("retry %v, want the whole batch", got)
	}
}

func TestFailingFunctionRetriesThenDeadLetters(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "A")
	f.write(t, "INSERT", "B")
	failing := true
	f.functions.respond = func([]byte) InvokeResult {
		if failing {
			return InvokeResult{Payload: []byte(`{"errorMessage":"boom"}`), FunctionError: "Unhandled"}
		}
		return InvokeResult{Payload: []byte(`null`)}
	}
	s := f.spec("failing")
	p := s.SourceParameters.DynamoDBStreamParameters
	p.MaximumRetryAttempts = ptr(Int(2))
	p.DeadLetterConfig = &DeadLetterConfig{Arn: dlqARN}
	d := f.create(t, s)

	first := f.next(t)
	recs := batch(t, first)
	for range 2 {
		f.advanceWhenArmed(t)
		if got := pks(t, f.next(t)); !slices.Equal(got, []string{"A", "B"}) {
			t.Fatalf("retry %v", got)
		}
	}
	var msg struct {
		Context struct {
			PartnerResourceArn, Condition string
		} `json:"context"`
		Version   string `json:"version"`
		Timestamp string `json:"timestamp"`
		Info      struct {
			ShardID, StartSequenceNumber, EndSequenceNumber, StreamArn string
			ApproximateArrivalOfFirstRecord                            string
			BatchSize                                                  int
		} `json:"DDBStreamBatchInfo"`
	}
	select {
	case body := <-f.queues.sent:
		if err := json.Unmarshal([]byte(body), &msg); err != nil {
			t.Fatal(err)
		}
	case <-f.functions.calls:
		t.Fatal("invoked again after the last retry")
	}
	seq := func(i int) string { return recs[i]["dynamodb"].(map[string]any)["SequenceNumber"].(string) }
	if msg.Context.PartnerResourceArn != d.Arn || msg.Context.Condition != "RetryAttemptsExhausted" || msg.Version != "1.0" ||
		msg.Info.StartSequenceNumber != seq(0) || msg.Info.EndSequenceNumber != seq(1) || msg.Info.BatchSize != 2 ||
		msg.Info.StreamArn != f.streamARN || !strings.HasPrefix(msg.Info.ShardID, "shardId-") ||
		msg.Info.ApproximateArrivalOfFirstRecord != "2025-03-01T12:00:00.000Z" || msg.Timestamp == "" {
		t.Errorf("dead-letter message %+v", msg)
	}
	failing = false
	f.write(t, "INSERT", "C")
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"C"}) {
		t.Fatalf("after the dead letter %v, want [C]", got)
	}
}

func TestBisectIsolatesPoisonRecord(t *testing.T) {
	f := newFixture(t)
	for _, pk := range []string{"A", "B", "C", "D"} {
		f.write(t, "INSERT", pk)
	}
	f.functions.respond = func(payload []byte) InvokeResult {
		if strings.Contains(string(payload), `"PK":{"S":"B"}`) {
			return InvokeResult{Payload: []byte(`{}`), FunctionError: "Unhandled"}
		}
		return InvokeResult{Payload: []byte(`{}`)}
	}
	s := f.spec("bisect")
	p := s.SourceParameters.DynamoDBStreamParameters
	p.MaximumRetryAttempts = ptr(Int(0))
	p.OnPartialBatchItemFailure = "AUTOMATIC_BISECT"
	p.DeadLetterConfig = &DeadLetterConfig{Arn: dlqARN}
	f.create(t, s)
	var got []string
	for range 5 {
		got = append(got, strings.Join(pks(t, f.next(t)), ""))
	}
	if want := []string{"ABCD", "AB", "A", "B", "CD"}; !slices.Equal(got, want) {
		t.Fatalf("invocations %v, want %v", got, want)
	}
	body := <-f.queues.sent
	if !strings.Contains(body, `"batchSize":1`) {
		t.Errorf("dead letter %s, want the poison record alone", body)
	}
}

func TestBatchingWindow(t *testing.T) {
	f := newFixture(t)
	s := f.spec("window")
	p := s.SourceParameters.DynamoDBStreamParameters
	p.BatchSize = ptr(Int(2))
	p.MaximumBatchingWindowInSeconds = ptr(Int(10))
	f.create(t, s)

	f.write(t, "INSERT", "A")
	armed := <-f.clock.armed
	if armed.Seconds() != 10 {
		t.Fatalf("window timer %v", armed)
	}
	f.noInvocation(t)
	f.write(t, "INSERT", "B") // fills the batch before the window ends
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"A", "B"}) {
		t.Fatalf("full batch %v", got)
	}
	f.write(t, "INSERT", "C")
	f.advanceWhenArmed(t)
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"C"}) {
		t.Fatalf("batch at the end of the window %v", got)
	}
}

func TestRecordsOlderThanMaximumAgeAreDiscarded(t *testing.T) {
	f := newFixture(t)
	f.write(t, "INSERT", "old")
	f.clock.Advance(2 * time.Minute)
	f.write(t, "INSERT", "new")
	s := f.spec("age")
	s.SourceParameters.DynamoDBStreamParameters.MaximumRecordAgeInSeconds = ptr(Int(60))
	s.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig = &DeadLetterConfig{Arn: dlqARN}
	f.create(t, s)
	if got := pks(t, f.next(t)); !slices.Equal(got, []string{"new"}) {
		t.Fatalf("delivered %v, want [new]", got)
	}
	if body := <-f.queues.sent; !strings.Contains(body, `"condition":"RecordAgeExceeded"`) {
		t.Errorf("dead letter %s", body)
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-xray-sdk-go/xray"

	"github.com/tracebridge/tracebridge/handlers/internal/completion"
	"github.com/tracebridge/tracebridge/handlers/internal/fakeaws"
	"github.com/tracebridge/tracebridge/schemas"
)

const group = "/tracebridge/audit"

func newHandler(t testing.TB, fake *fakeaws.Server) *Handler {
	t.Helper()
	cfg := fake.Config()
	return &Handler{
		Logs:      cloudwatchlogs.NewFromConfig(cfg),
		Events:    &completion.Publisher{Client: eventbridge.NewFromConfig(cfg), Bus: "app-bus", Backoff: func(int) time.Duration { return 0 }},
		LogGroup:  group,
		LogStream: "2025/01/15/[$LATEST]test",
		Now:       func() time.Time { return time.Date(2025, 1, 15, 10, 21, 0, 0, time.UTC) },
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// userBatch is the golden Pipe batch (testdata); its third record is an
// order, which the handler audits too: filtering is the Pipe's job.
func userBatch(t testing.TB) schemas.DynamoDBStreamBatch {
	t.Helper()
	raw, err := os.ReadFile("testdata/pipes-user-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	var golden struct{ Event schemas.DynamoDBStreamBatch }
	if err := json.Unmarshal(raw, &golden); err != nil {
		t.Fatal(err)
	}
	return golden.Event
}

func TestBatchWithOneBadRecord(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	batch := userBatch(t)
	delete(batch[1].DynamoDB.Keys, "SK") // a record the handler cannot audit
	//lint:ignore SA1029 the X-Ray SDK reads the Lambda trace header under this string key, where aws-lambda-go puts it
	ctx := context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	resp, err := h.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	if !slices.Equal(ids, []string{batch[1].EventID}) {
		t.Fatalf("batchItemFailures %v, want [%s]", ids, batch[1].EventID)
	}
	var msgs []string
	for _, e := range fake.LogEvents(group) {
		msgs = append(msgs, e.Message)
	}
	want := []string{
		`{"EventType":"UserCreated","PK":{"S":"USER#42"},"SK":{"S":"PROFILE"}}`,
		`{"EventType":"UserCreated","PK":{"S":"ORDER#7"},"SK":{"S":"ITEM#1"}}`,
	}
	if !slices.Equal(msgs, want) {
		t.Fatalf("log messages\n%q\nwant\n%q", msgs, want)
	}
	evs := fake.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	var first schemas.UserAuditLogged
	if err := json.Unmarshal([]byte(evs[0].Detail), &first); err != nil {
		t.Fatal(err)
	}
	if first != (schemas.UserAuditLogged{PK: "USER#42", SK: "PROFILE", LogGroup: group, CorrelationID: "c-7d21aa"}) {
		t.Errorf("first UserAuditLogged %+v", first)
	}
	if evs[0].DetailType != schemas.DetailTypeUserAuditLogged || !strings.Contains(evs[0].TraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793") {
		t.Errorf("event %s with trace header %q", evs[0].DetailType, evs[0].TraceHeader)
	}
	out, _ := json.Marshal(resp)
	if string(out) != fmt.Sprintf(`{"batchItemFailures":[{"itemIdentifier":%q}]}`, batch[1].EventID) {
		t.Errorf("response JSON %s", out)
	}
}

func TestPutEventsFailuresRetriedThenReported(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	batch := userBatch(t)[:2]

	fake.FailEventEntries(1) // first entry fails once, then succeeds
	resp, err := h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v; want no failures after a retry", resp, err)
	}
	if n, e := len(fake.Requests("PutEvents")), len(fake.Events()); n != 2 || e != 2 {
		t.Fatalf("%d PutEvents calls and %d events, want 2 and 2", n, e)
	}

	fake.FailEventEntries(3) // the only entry fails on all 3 attempts
	resp, err = h.Handle(context.Background(), batch[:1])
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != batch[0].EventID {
		t.Fatalf("Handle = %+v, %v; want only %s failed", resp, err, batch[0].EventID)
	}
}

func TestRejectedLogEventsAreFailures(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	batch := userBatch(t)
	one := 1
	fake.RejectNextLogEvents(fakeaws.RejectedLogEvents{TooOldLogEventEndIndex: &one})
	resp, err := h.Handle(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != batch[0].EventID {
		t.Fatalf("failures %+v, want the too-old first record", resp.BatchItemFailures)
	}
	if n := len(fake.Events()); n != 2 {
		t.Fatalf("%d UserAuditLogged, want 2 (none for the rejected entry)", n)
	}
}

func TestExistingStreamIsReused(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	for range 2 { // a second process with the same stream name gets ResourceAlreadyExistsException
		if resp, err := newHandler(t, fake).Handle(context.Background(), userBatch(t)[:1]); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle = %+v, %v", resp, err)
		}
	}
	if n := len(fake.LogEvents(group)); n != 2 {
		t.Fatalf("%d log events, want 2", n)
	}
}

// TestVanishedStreamIsCreatedAgain: the stream this process created is gone
// (its group was deleted and created again): it is created again, and the
// entry written, rather than the record failed for good.
func TestVanishedStreamIsCreatedAgain(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	batch := userBatch(t)[:1]
	if _, err := h.Handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	fake.FailNext("PutLogEvents", fakeaws.Fault{Status: http.StatusBadRequest, Code: "ResourceNotFoundException", Message: "The specified log stream does not exist."})
	resp, err := h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	if c, l := len(fake.Requests("CreateLogStream")), len(fake.LogEvents(group)); c != 2 || l != 2 {
		t.Fatalf("%d CreateLogStream calls and %d entries, want 2 and 2", c, l)
	}
	if n := len(eventsOf[schemas.UserAuditLogged](t, fake, schemas.DetailTypeUserAuditLogged)); n != 2 {
		t.Fatalf("%d UserAuditLogged, want 2", n)
	}
}

// logsDenial is CloudWatch Logs' AccessDeniedException message for the
// function's role lacking action (AWS IAM User Guide, "Troubleshoot access
// denied error messages"; the local cloud words it the same).
func logsDenial(action string) string {
	return "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: " + action +
		" on resource: arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":log-stream:2025/01/15/[$LATEST]test because no identity-based policy allows the " + action + " action"
}

func TestPermanentLogsErrorsAreAnnouncedAtOnce(t *testing.T) {
	for _, c := range []struct {
		name      string
		logGroup  string
		op        string
		fault     fakeaws.Fault
		reason    string
		errorCode string
		errorMsg  string
	}{
		{name: "missing log group", logGroup: "/no/such/group",
			reason:    "CreateLogStream failed: ResourceNotFoundException: The specified log group does not exist.",
			errorCode: "ResourceNotFoundException", errorMsg: "The specified log group does not exist."},
		{name: "CreateLogStream denied", logGroup: group, op: "CreateLogStream",
			fault:     fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: logsDenial("logs:CreateLogStream")},
			reason:    "logs:CreateLogStream denied: " + logsDenial("logs:CreateLogStream"),
			errorCode: "AccessDeniedException", errorMsg: logsDenial("logs:CreateLogStream")},
		{name: "PutLogEvents denied", logGroup: group, op: "PutLogEvents",
			fault:     fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: logsDenial("logs:PutLogEvents")},
			reason:    "logs:PutLogEvents denied: " + logsDenial("logs:PutLogEvents"),
			errorCode: "AccessDeniedException", errorMsg: logsDenial("logs:PutLogEvents")},
	} {
		t.Run(c.name, func(t *testing.T) {
			fake := fakeaws.New(t)
			fake.CreateLogGroup(group)
			h := newHandler(t, fake)
			h.LogGroup = c.logGroup
			if c.op != "" {
				fake.FailNext(c.op, c.fault)
			}
			batch := userBatch(t)[:1]
			resp, err := h.Handle(context.Background(), batch)
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("Handle = %+v, %v; want no failures: retrying cannot help", resp, err)
			}
			got := eventsOf[schemas.UserAuditFailed](t, fake, schemas.DetailTypeUserAuditFailed)
			want := schemas.UserAuditFailed{PK: "USER#42", SK: "PROFILE", LogGroup: c.logGroup, Reason: c.reason,
				ErrorCode: c.errorCode, ErrorMessage: c.errorMsg, CorrelationID: "c-7d21aa"}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("UserAuditFailed %+v\nwant [%+v]", got, want)
			}
			if n := len(fake.Events()); n != 1 {
				t.Errorf("%d events, want only the failure", n)
			}
		})
	}
}

func TestTransientLogsErrorsAreRetriedByThePipe(t *testing.T) {
	throttled := fakeaws.Fault{Status: http.StatusBadRequest, Code: "ThrottlingException", Message: "Rate exceeded"}
	t.Run("PutLogEvents", func(t *testing.T) {
		fake := fakeaws.New(t)
		fake.CreateLogGroup(group)
		fake.FailNext("PutLogEvents", throttled)
		batch := userBatch(t)[:2]
		resp, err := newHandler(t, fake).Handle(context.Background(), batch)
		if err != nil || len(resp.BatchItemFailures) != 2 {
			t.Fatalf("Handle = %+v, %v; want both records failed", resp, err)
		}
		if n := len(fake.Events()); n != 0 {
			t.Fatalf("%d events after a throttled PutLogEvents, want none", n)
		}
	})
	t.Run("CreateLogStream", func(t *testing.T) {
		fake := fakeaws.New(t)
		fake.CreateLogGroup(group)
		fake.FailNext("CreateLogStream", fakeaws.Fault{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailableException", Message: "The service cannot complete the request."})
		_, err := newHandler(t, fake).Handle(context.Background(), userBatch(t))
		if err == nil || !strings.Contains(err.Error(), "ServiceUnavailableException") {
			t.Fatalf("Handle = %v, want the error: the Pipe retries the batch", err)
		}
		if n := len(fake.Events()); n != 0 {
			t.Fatalf("%d events, want none", n)
		}
	})
}

// TestFailureEventThatCannotBePutFailsTheRecord: the audit entry is denied
// and so is PutEvents: the record is reported failed, for the Pipe to
// deliver it again, after one log line naming PutEvents' code and message
// and the record's correlation id.
func TestFailureEventThatCannotBePutFailsTheRecord(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	var logged bytes.Buffer
	h.Log = slog.New(slog.NewJSONHandler(&logged, nil))
	fake.FailNext("PutLogEvents", fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: logsDenial("logs:PutLogEvents")})
	putDenial := "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/app-bus because no identity-based policy allows the events:PutEvents action"
	fake.FailNext("PutEvents", fakeaws.Fault{Status: http.StatusBadRequest, Code: "AccessDeniedException", Message: putDenial})
	batch := userBatch(t)[:1]
	resp, err := h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != batch[0].EventID {
		t.Fatalf("Handle = %+v, %v; want %s failed", resp, err, batch[0].EventID)
	}
	if !slices.ContainsFunc(strings.Split(logged.String(), "\n"), func(l string) bool {
		return strings.Contains(l, schemas.DetailTypeUserAuditFailed) && strings.Contains(l, `"correlation_id":"c-7d21aa"`) &&
			strings.Contains(l, `"error_code":"AccessDeniedException"`) && strings.Contains(l, `"error_message":"`+putDenial+`"`)
	}) {
		t.Fatalf("no log line naming UserAuditFailed, PutEvents' code and message and c-7d21aa in:\n%s", logged.String())
	}
}

func TestLargeBatchIsSplitWithinPutLogEventsLimits(t *testing.T) {
	fake := fakeaws.New(t)
	fake.CreateLogGroup(group)
	h := newHandler(t, fake)
	base := userBatch(t)[0]
	batch := make(schemas.DynamoDBStreamBatch, 10_050)
	for i := range batch {
		r := base
		r.EventID = fmt.Sprintf("id-%d", i)
		r.DynamoDB.Keys = map[string]schemas.AttributeValue{
			"PK": {"S": json.RawMessage(fmt.Sprintf(`"USER#%d"`, i))},
			"SK": {"S": json.RawMessage(`"PROFILE"`)},
		}
		batch[i] = r
	}
	resp, err := h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %d failures, %v", len(resp.BatchItemFailures), err)
	}
	calls := fake.PutLogEventsBatches()
	if len(calls) != 2 || len(calls[0]) != 10_000 || len(calls[1]) != 50 {
		t.Fatalf("PutLogEvents calls of sizes %d, want [10000 50]", lens(calls))
	}
	if n := len(fake.Events()); n != len(batch) {
		t.Fatalf("%d events, want %d", n, len(batch))
	}
}

func eventsOf[T any](t *testing.T, fake *fakeaws.Server, detailType string) []T {
	t.Helper()
	out, err := fakeaws.EventDetails[T](fake, detailType)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func lens(calls [][]fakeaws.LogEvent) []int {
	var out []int
	for _, c := range calls {
		out = append(out, len(c))
	}
	return out
}

func TestSplitBatches(t *testing.T) {
	ev := func(size int, ts int64) types.InputLogEvent {
		return types.InputLogEvent{Message: aws.String(strings.Repeat("x", size)), Timestamp: aws.Int64(ts)}
	}
	big := 300_000 // 3 fit in 1 MiB with overhead, 4 do not
	cases := []struct {
		name   string
		events []types.InputLogEvent
		want   []batch
	}{
		{"bytes", []types.InputLogEvent{ev(big, 0), ev(big, 0), ev(big, 0), ev(big, 0), ev(big, 0)}, []batch{{0, 3, false}, {3, 5, false}}},
		{"exact byte limit", []types.InputLogEvent{ev(maxBatchBytes/2-eventOverhead, 0), ev(maxBatchBytes/2-eventOverhead, 0), ev(1, 0)}, []batch{{0, 2, false}, {2, 3, false}}},
		{"24h span", []types.InputLogEvent{ev(1, 0), ev(1, maxBatchSpanMS), ev(1, maxBatchSpanMS+1)}, []batch{{0, 2, false}, {2, 3, false}}},
		{"oversize alone", []types.InputLogEvent{ev(1, 0), ev(maxBatchBytes, 0), ev(1, 0)}, []batch{{0, 1, false}, {1, 2, true}, {2, 3, false}}},
	}
	for _, c := range cases {
		if got := splitBatches(c.events); !slices.Equal(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

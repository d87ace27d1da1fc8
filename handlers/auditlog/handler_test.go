package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

// The handler runs against the local cloud: a real log group, read back
// with GetLogEvents, and a real bus whose events a rule copies to a queue
// the test reads.

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// stream is the handler's log stream, as Lambda would name its own.
const stream = "2025/01/15/[$LATEST]test"

type fixture struct {
	h     *Handler
	logs  *cloudwatchlogs.Client
	group string
	bus   *localtest.Bus
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{logs: cloudwatchlogs.NewFromConfig(localtest.Config(t)), group: "/tracebridge/" + localtest.Name("audit"), bus: localtest.NewBus(t)}
	if _, err := f.logs.CreateLogGroup(context.Background(), &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(f.group)}); err != nil {
		t.Fatalf("CreateLogGroup: %v", err)
	}
	f.h = f.newHandler(t)
	return f
}

// newHandler is a handler of its own process (a fresh Lambda environment)
// writing to the same group and stream.
func (f *fixture) newHandler(t *testing.T) *Handler {
	t.Helper()
	return &Handler{
		Logs:      f.logs,
		Events:    &completion.Publisher{Client: eventbridge.NewFromConfig(localtest.Config(t)), Bus: f.bus.Name, Backoff: func(int) time.Duration { return 0 }},
		LogGroup:  f.group,
		LogStream: stream,
		Log:       slog.New(slog.DiscardHandler),
	}
}

// messages are the audit entries in the handler's stream, oldest first.
func (f *fixture) messages(t *testing.T) []string {
	t.Helper()
	var out []string
	pages := cloudwatchlogs.NewGetLogEventsPaginator(f.logs, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(f.group),
		LogStreamName: aws.String(stream), StartFromHead: aws.Bool(true)}, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("GetLogEvents: %v", err)
		}
		for _, e := range page.Events {
			out = append(out, aws.ToString(e.Message))
		}
	}
	return out
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

func eventsOf[T any](t *testing.T, f *fixture, detailType string) []T {
	t.Helper()
	return localtest.Details[T](t, f.bus.Events(t), detailType)
}

func TestBatchWithOneBadRecord(t *testing.T) {
	f := newFixture(t)
	batch := userBatch(t)
	delete(batch[1].DynamoDB.Keys, "SK") // a record the handler cannot audit
	//lint:ignore SA1029 the X-Ray SDK reads the Lambda trace header under this string key, where aws-lambda-go puts it
	ctx := context.WithValue(context.Background(), xray.LambdaTraceHeaderKey, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	resp, err := f.h.Handle(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, failure := range resp.BatchItemFailures {
		ids = append(ids, failure.ItemIdentifier)
	}
	if !slices.Equal(ids, []string{batch[1].EventID}) {
		t.Fatalf("batchItemFailures %v, want [%s]", ids, batch[1].EventID)
	}
	want := []string{
		`{"EventType":"UserCreated","PK":{"S":"USER#42"},"SK":{"S":"PROFILE"}}`,
		`{"EventType":"UserCreated","PK":{"S":"ORDER#7"},"SK":{"S":"ITEM#1"}}`,
	}
	if msgs := f.messages(t); !slices.Equal(msgs, want) {
		t.Fatalf("log messages\n%q\nwant\n%q", msgs, want)
	}
	evs := f.bus.Events(t)
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2", len(evs))
	}
	var first schemas.UserAuditLogged
	if err := json.Unmarshal(evs[0].Detail, &first); err != nil {
		t.Fatal(err)
	}
	if first != (schemas.UserAuditLogged{PK: "USER#42", SK: "PROFILE", LogGroup: f.group, CorrelationID: "c-7d21aa"}) {
		t.Errorf("first UserAuditLogged %+v", first)
	}
	if evs[0].DetailType != schemas.DetailTypeUserAuditLogged || evs[0].Source != schemas.AppEventSource ||
		!strings.Contains(evs[0].TraceHeader, "Root=1-5759e988-bd862e3fe1be46a994272793") {
		t.Errorf("event %s from %s with trace header %q", evs[0].DetailType, evs[0].Source, evs[0].TraceHeader)
	}
	out, _ := json.Marshal(resp)
	if string(out) != fmt.Sprintf(`{"batchItemFailures":[{"itemIdentifier":%q}]}`, batch[1].EventID) {
		t.Errorf("response JSON %s", out)
	}
}

func TestPutEventsFailuresRetriedThenReported(t *testing.T) {
	f := newFixture(t)
	batch := userBatch(t)[:2]

	// The first entry fails once, then succeeds: sent again alone.
	once := localtest.Fault(t, faults.Spec{Service: "events", Resource: f.bus.Name, Action: faults.EntryError, Count: 1})
	resp, err := f.h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v; want no failures after a retry", resp, err)
	}
	if n := len(f.bus.Events(t)); n != 2 || !localtest.Spent(t, once) {
		t.Fatalf("%d events, want 2, each once, after the failed entry was sent again", n)
	}

	// The only entry fails on all 3 attempts.
	always := localtest.Fault(t, faults.Spec{Service: "events", Resource: f.bus.Name, Action: faults.EntryError, Count: 3})
	resp, err = f.h.Handle(context.Background(), batch[:1])
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != batch[0].EventID || !localtest.Spent(t, always) {
		t.Fatalf("Handle = %+v, %v; want only %s failed, after 3 attempts", resp, err, batch[0].EventID)
	}
}

// agedFirstEntry is the handler's Logs client with the first audit entry
// of each call dated 15 days back, which CloudWatch Logs rejects as too
// old (tooOldLogEventEndIndex) while it stores the rest.
type agedFirstEntry struct{ LogsAPI }

func (a agedFirstEntry) PutLogEvents(ctx context.Context, in *cloudwatchlogs.PutLogEventsInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutLogEventsOutput, error) {
	aged := *in
	aged.LogEvents = slices.Clone(in.LogEvents)
	aged.LogEvents[0].Timestamp = aws.Int64(time.Now().Add(-15 * 24 * time.Hour).UnixMilli())
	return a.LogsAPI.PutLogEvents(ctx, &aged, opts...)
}

func TestRejectedLogEventsAreFailures(t *testing.T) {
	f := newFixture(t)
	f.h.Logs = agedFirstEntry{f.h.Logs}
	batch := userBatch(t)
	resp, err := f.h.Handle(context.Background(), batch)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != batch[0].EventID {
		t.Fatalf("failures %+v, want the too-old first record", resp.BatchItemFailures)
	}
	if n := len(eventsOf[schemas.UserAuditLogged](t, f, schemas.DetailTypeUserAuditLogged)); n != 2 {
		t.Fatalf("%d UserAuditLogged, want 2 (none for the rejected entry)", n)
	}
	if n := len(f.messages(t)); n != 2 {
		t.Errorf("%d entries stored, want the 2 CloudWatch Logs accepted", n)
	}
}

func TestExistingStreamIsReused(t *testing.T) {
	f := newFixture(t)
	for range 2 { // a second process with the same stream name gets ResourceAlreadyExistsException
		if resp, err := f.newHandler(t).Handle(context.Background(), userBatch(t)[:1]); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle = %+v, %v", resp, err)
		}
	}
	if n := len(f.messages(t)); n != 2 {
		t.Fatalf("%d log events, want 2", n)
	}
}

// TestVanishedStreamIsCreatedAgain: the stream this process created is gone
// (its group was deleted and created again): it is created again, and the
// entry written, rather than the record failed for good.
func TestVanishedStreamIsCreatedAgain(t *testing.T) {
	f := newFixture(t)
	batch := userBatch(t)[:1]
	if _, err := f.h.Handle(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := f.logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(f.group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(f.group)}); err != nil {
		t.Fatal(err)
	}
	resp, err := f.h.Handle(ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle = %+v, %v", resp, err)
	}
	if msgs := f.messages(t); len(msgs) != 1 {
		t.Fatalf("the new stream holds %q, want the second delivery's entry", msgs)
	}
	if n := len(eventsOf[schemas.UserAuditLogged](t, f, schemas.DetailTypeUserAuditLogged)); n != 2 {
		t.Fatalf("%d UserAuditLogged, want 2", n)
	}
}

// logsDenial is CloudWatch Logs' AccessDeniedException message for the
// function's role lacking action (AWS IAM User Guide, "Troubleshoot access
// denied error messages"; the local cloud words it the same).
func logsDenial(action, group string) string {
	return "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: " + action +
		" on resource: arn:aws:logs:us-east-1:000000000000:log-group:" + group + ":log-stream:" + stream + " because no identity-based policy allows the " + action + " action"
}

// logsFault fails the next call of action in group.
func logsFault(group, action string, status int, code, message string) faults.Spec {
	return faults.Spec{Service: "logs", Operation: action, Resource: "log-group:" + group + ":*", Action: faults.Error,
		StatusCode: status, ErrorCode: code, Message: message, Count: 1}
}

func TestPermanentLogsErrorsAreAnnouncedAtOnce(t *testing.T) {
	for _, c := range []struct {
		name         string
		missingGroup bool   // the handler's group does not exist: the cloud's own answer
		action       string // the injected fault's
		reason       string // before the message
		errorCode    string
		errorMsg     func(group string) string
	}{
		{name: "missing log group", missingGroup: true, reason: "CreateLogStream failed: ResourceNotFoundException: ",
			errorCode: "ResourceNotFoundException", errorMsg: func(string) string { return "The specified log group does not exist." }},
		{name: "CreateLogStream denied", action: "logs:CreateLogStream", reason: "logs:CreateLogStream denied: ",
			errorCode: "AccessDeniedException", errorMsg: func(g string) string { return logsDenial("logs:CreateLogStream", g) }},
		{name: "PutLogEvents denied", action: "logs:PutLogEvents", reason: "logs:PutLogEvents denied: ",
			errorCode: "AccessDeniedException", errorMsg: func(g string) string { return logsDenial("logs:PutLogEvents", g) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			if c.missingGroup {
				f.h.LogGroup += "-gone"
			}
			msg := c.errorMsg(f.h.LogGroup)
			if c.action != "" {
				localtest.Fault(t, logsFault(f.group, c.action, http.StatusBadRequest, c.errorCode, msg))
			}
			resp, err := f.h.Handle(context.Background(), userBatch(t)[:1])
			if err != nil || len(resp.BatchItemFailures) != 0 {
				t.Fatalf("Handle = %+v, %v; want no failures: retrying cannot help", resp, err)
			}
			got := eventsOf[schemas.UserAuditFailed](t, f, schemas.DetailTypeUserAuditFailed)
			want := schemas.UserAuditFailed{PK: "USER#42", SK: "PROFILE", LogGroup: f.h.LogGroup, Reason: c.reason + msg,
				ErrorCode: c.errorCode, ErrorMessage: msg, CorrelationID: "c-7d21aa"}
			if len(got) != 1 || got[0] != want {
				t.Fatalf("UserAuditFailed %+v\nwant [%+v]", got, want)
			}
			if n := len(f.bus.Events(t)); n != 1 {
				t.Errorf("%d events, want only the failure", n)
			}
		})
	}
}

func TestTransientLogsErrorsAreRetriedByThePipe(t *testing.T) {
	t.Run("PutLogEvents", func(t *testing.T) {
		f := newFixture(t)
		localtest.Fault(t, logsFault(f.group, "logs:PutLogEvents", http.StatusBadRequest, "ThrottlingException", "Rate exceeded"))
		resp, err := f.h.Handle(context.Background(), userBatch(t)[:2])
		if err != nil || len(resp.BatchItemFailures) != 2 {
			t.Fatalf("Handle = %+v, %v; want both records failed", resp, err)
		}
		if evs := f.bus.Events(t); len(evs) != 0 {
			t.Fatalf("events %+v after a throttled PutLogEvents, want none", evs)
		}
	})
	t.Run("CreateLogStream", func(t *testing.T) {
		f := newFixture(t)
		localtest.Fault(t, logsFault(f.group, "logs:CreateLogStream", http.StatusServiceUnavailable, "ServiceUnavailableException", "The service cannot complete the request."))
		_, err := f.h.Handle(context.Background(), userBatch(t))
		if err == nil || !strings.Contains(err.Error(), "ServiceUnavailableException") {
			t.Fatalf("Handle = %v, want the error: the Pipe retries the batch", err)
		}
		if evs := f.bus.Events(t); len(evs) != 0 {
			t.Fatalf("events %+v, want none", evs)
		}
	})
}

// TestFailureEventThatCannotBePutFailsTheRecord: the audit entry is denied
// and so is PutEvents: the record is reported failed, for the Pipe to
// deliver it again, after one log line naming PutEvents' code and message
// and the record's correlation id.
func TestFailureEventThatCannotBePutFailsTheRecord(t *testing.T) {
	f := newFixture(t)
	var logged bytes.Buffer
	f.h.Log = slog.New(slog.NewJSONHandler(&logged, nil))
	localtest.Fault(t, logsFault(f.group, "logs:PutLogEvents", http.StatusBadRequest, "AccessDeniedException", logsDenial("logs:PutLogEvents", f.group)))
	putDenial := "User: arn:aws:sts::000000000000:assumed-role/AuditRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/" +
		f.bus.Name + " because no identity-based policy allows the events:PutEvents action"
	localtest.Fault(t, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: f.bus.Name, Action: faults.Error,
		ErrorCode: "AccessDeniedException", StatusCode: http.StatusBadRequest, Message: putDenial})
	batch := userBatch(t)[:1]
	resp, err := f.h.Handle(context.Background(), batch)
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

// TestLargeBatchIsSplitWithinPutLogEventsLimits: 10,050 entries take two
// PutLogEvents calls (CloudWatch Logs refuses more than 10,000 events in
// one); all are stored and announced.
func TestLargeBatchIsSplitWithinPutLogEventsLimits(t *testing.T) {
	f := newFixture(t)
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
	resp, err := f.h.Handle(context.Background(), batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %d failures, %v", len(resp.BatchItemFailures), err)
	}
	if n := len(f.messages(t)); n != len(batch) {
		t.Fatalf("%d entries stored, want %d", n, len(batch))
	}
	if n := f.bus.Count(t); n != len(batch) {
		t.Fatalf("%d events, want %d", n, len(batch))
	}
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
		{"event count", slices.Repeat([]types.InputLogEvent{ev(1, 0)}, maxBatchEvents+50), []batch{{0, maxBatchEvents, false}, {maxBatchEvents, maxBatchEvents + 50, false}}},
	}
	for _, c := range cases {
		if got := splitBatches(c.events); !slices.Equal(got, c.want) {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

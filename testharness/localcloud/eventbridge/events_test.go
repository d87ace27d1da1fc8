package eventbridge

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

func TestPutEventsLimits(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	eleven := make([]types.PutEventsRequestEntry, 11)
	for i := range eleven {
		eleven[i] = entry("app", "T", `{}`)
	}
	_, err := f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven})
	apiError(t, err, "ValidationException", "")

	// 256 KB counted as AWS documents: source + detail-type + detail.
	big := `{"x":"` + strings.Repeat("a", MaxRequestBytes-len(`{"x":""}`)-len("app")-len("T")) + `"}`
	out := f.put(t, entry("app", "T", big))
	if out.FailedEntryCount != 0 {
		t.Fatalf("an entry of exactly 256 KB failed: %+v", out.Entries)
	}
	withTime := entry("app", "T", big)
	withTime.Time = aws.Time(t0)
	_, err = f.client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{withTime}})
	apiError(t, err, "ValidationException", "Total size of the entries in the request is over the limit.")
}

func TestPutEventsEntryErrors(t *testing.T) {
	f := newFixture(t)
	out := f.put(t,
		types.PutEventsRequestEntry{DetailType: aws.String("T"), Detail: aws.String(`{}`)},
		types.PutEventsRequestEntry{Source: aws.String("app"), Detail: aws.String(`{}`)},
		types.PutEventsRequestEntry{Source: aws.String("app"), DetailType: aws.String("T")},
		entry("app", "T", `{"a":`),
		entry("app", "T", `{"ok":true}`),
		types.PutEventsRequestEntry{Source: aws.String("app"), DetailType: aws.String("T"), Detail: aws.String(`{}`), EventBusName: aws.String("nope")},
	)
	want := []struct{ code, msg string }{
		{"InvalidArgument", "Parameter Source is not valid. Reason: Source is a required argument."},
		{"InvalidArgument", "Parameter DetailType is not valid. Reason: DetailType is a required argument."},
		{"InvalidArgument", "Parameter Detail is not valid. Reason: Detail is a required argument."},
		{"MalformedDetail", "Detail is malformed."},
		{"", ""},
		{"ResourceNotFoundException", "Event bus nope does not exist."},
	}
	if out.FailedEntryCount != 5 || len(out.Entries) != len(want) {
		t.Fatalf("FailedEntryCount = %d, entries %d", out.FailedEntryCount, len(out.Entries))
	}
	for i, w := range want {
		e := out.Entries[i]
		if aws.ToString(e.ErrorCode) != w.code || aws.ToString(e.ErrorMessage) != w.msg {
			t.Errorf("entry %d = %s %q, want %s %q", i, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage), w.code, w.msg)
		}
		if (w.code == "") != (e.EventId != nil) {
			t.Errorf("entry %d: EventId %v with error %q", i, e.EventId, w.code)
		}
	}
}

// entryFaults fails the next entries put on one bus, as the fault
// registry would for an EntryError fault with a count.
type entryFaults struct {
	bus   string
	count int
	seen  []string // the bus ARNs asked about
}

func (f *entryFaults) EntryFault(_ context.Context, busARN, _ string) (faults.Fault, bool) {
	f.seen = append(f.seen, busARN)
	if f.count == 0 || !strings.HasSuffix(busARN, ":event-bus/"+f.bus) {
		return faults.Fault{}, false
	}
	f.count--
	return faults.Fault{Spec: faults.Spec{ErrorCode: "InternalFailure", Message: "failed"}}, true
}

// TestInjectedEntryFaultsFailOnlyTheirEntries: a caller's entries for the
// faulted bus fail in the answer (FailedEntryCount), the rest are put, and
// AWS's own publishers (the Go API) are not subject to them.
func TestInjectedEntryFaultsFailOnlyTheirEntries(t *testing.T) {
	ef := &entryFaults{bus: "app", count: 1}
	f := newFixtureWith(t, Options{Faults: ef})
	if _, err := f.client.CreateEventBus(context.Background(), &eventbridge.CreateEventBusInput{Name: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	onApp := entry("app", "T", `{"n":1}`)
	onApp.EventBusName = aws.String("app")
	out := f.put(t, onApp, entry("app", "T", `{"n":2}`), onApp)
	if out.FailedEntryCount != 1 || aws.ToString(out.Entries[0].ErrorCode) != "InternalFailure" ||
		aws.ToString(out.Entries[0].ErrorMessage) != "failed" || out.Entries[0].EventId != nil ||
		out.Entries[1].EventId == nil || out.Entries[2].EventId == nil {
		t.Fatalf("PutEvents = %+v", out)
	}
	want := []string{busARN("app"), busARN(DefaultBus), busARN("app")}
	if strings.Join(ef.seen, " ") != strings.Join(want, " ") {
		t.Errorf("asked about %v, want %v", ef.seen, want)
	}
	ef.count = 1
	if _, err := f.svc.PutEvents(context.Background(), []Entry{{EventBusName: "app", Source: "aws.s3", DetailType: "T", Detail: json.RawMessage(`{}`)}}); err != nil {
		t.Fatal(err)
	}
	if ef.count != 1 {
		t.Error("an AWS service's own event met an injected entry fault")
	}
}

func TestRuleDeliversEnvelopeAndTraceHeader(t *testing.T) {
	f := newFixture(t)
	ruleArn := f.rule(t, "default", "orders", `{"source":["shop"],"detail":{"total":[{"numeric":[">",10]}]}}`, lambdaTarget("fn"))
	if ruleArn != "arn:aws:events:us-east-1:000000000000:rule/orders" {
		t.Errorf("rule ARN %s", ruleArn)
	}
	e := entry("shop", "Order Placed", `{ "total": 12, "id": "o-1" }`)
	e.Resources = []string{"arn:aws:s3:::b"}
	e.TraceHeader = aws.String("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	out := f.put(t, e)

	call := recv(t, f.lambda.calls)
	if call.ARN != fnARN {
		t.Errorf("invoked %s", call.ARN)
	}
	// The invocation's request id is EventBridge's choice, so that what the
	// delivery caused can be followed.
	want := AsyncInvokeOptions{SourceARN: ruleArn, SourceAccount: "000000000000", Principal: "events.amazonaws.com", TraceHeader: *e.TraceHeader,
		RequestID: call.Opts.RequestID}
	if call.Opts != want || len(call.Opts.RequestID) != 36 {
		t.Errorf("options %+v, want %+v", call.Opts, want)
	}
	wantEnvelope := `{"version":"0","id":"` + *out.Entries[0].EventId + `","detail-type":"Order Placed","source":"shop",` +
		`"account":"000000000000","time":"2024-05-01T12:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::b"],` +
		`"detail":{"total":12,"id":"o-1"}}`
	if call.Payload != wantEnvelope {
		t.Errorf("payload\n%s\nwant\n%s", call.Payload, wantEnvelope)
	}
}

// TestTraceHeaderFromRequest: an entry without TraceHeader takes the X-Ray
// header of the PutEvents request.
func TestTraceHeaderFromRequest(t *testing.T) {
	f := newFixture(t)
	f.rule(t, "default", "r", `{"source":["app"]}`, lambdaTarget("fn"))
	ctx := awsproto.WithTraceHeader(context.Background(), "Root=1-abc")
	if _, err := f.svc.PutEvent(ctx, Entry{Source: "app", DetailType: "T", Detail: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, f.lambda.calls).Opts.TraceHeader; got != "Root=1-abc" {
		t.Errorf("trace header %q", got)
	}
}

func TestNonMatchingAndDisabledRulesDeliverNothing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.rule(t, "default", "miss", `{"source":["other"]}`, lambdaTarget("miss"))
	f.rule(t, "default", "off", `{"source":["app"]}`, types.Target{Id: aws.String("off"), Arn: aws.String("arn:aws:sqs:us-east-1:000000000000:off")})
	if _, err := f.client.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("off")}); err != nil {
		t.Fatal(err)
	}
	f.put(t, entry("app", "T", `{}`))
	f.flush(t)
	none(t, f.lambda.calls, "delivery to a rule that does not match")
	none(t, f.sqs.msgs, "delivery to a disabled rule")

	// The canary: the same event reaches the rule once it is enabled.
	if _, err := f.client.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("off")}); err != nil {
		t.Fatal(err)
	}
	f.put(t, entry("app", "T", `{}`))
	if got := recv(t, f.sqs.msgs); got.ARN != "arn:aws:sqs:us-east-1:000000000000:off" {
		t.Errorf("sent to %s", got.ARN)
	}
	f.flush(t)
	none(t, f.lambda.calls, "delivery to a rule that does not match")
}

func TestSubscribeAndGoAPI(t *testing.T) {
	f := newFixture(t)
	got := make(chan string, 10)
	cancel := f.svc.Subscribe("default", func(env []byte) { got <- string(env) })
	id, err := f.svc.PutEvent(context.Background(), Entry{Source: "aws.s3", DetailType: "Object Created",
		Detail: json.RawMessage(`{"bucket":{"name":"b"}}`), Time: t0.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	env := recv(t, got)
	var m map[string]any
	if err := json.Unmarshal([]byte(env), &m); err != nil {
		t.Fatal(err)
	}
	if m["id"] != id || m["time"] != "2024-05-01T11:00:00Z" || m["source"] != "aws.s3" {
		t.Errorf("envelope %s", env)
	}
	cancel()
	if _, err := f.svc.PutEvent(context.Background(), Entry{Source: "a", DetailType: "b", Detail: json.RawMessage(`{}`)}); err != nil {
		t.Fatal(err)
	}
	none(t, got, "event after cancel")

	_, err = f.svc.PutEvent(context.Background(), Entry{EventBusName: "missing", Source: "a", DetailType: "b", Detail: json.RawMessage(`{}`)})
	var ee *EntryError
	if !errors.As(err, &ee) || ee.Code != "ResourceNotFoundException" {
		t.Errorf("PutEvent to a missing bus: %v", err)
	}
}

func TestCustomBusAndCrossBusTarget(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bus, err := f.client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if *bus.EventBusArn != "arn:aws:events:us-east-1:000000000000:event-bus/app" {
		t.Errorf("bus ARN %s", *bus.EventBusArn)
	}
	_, err = f.client.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("app")})
	apiError(t, err, "ResourceAlreadyExistsException", "Event bus app already exists.")

	appRule := f.rule(t, *bus.EventBusArn, "done", `{"detail-type":["Done"]}`, lambdaTarget("fn"))
	if appRule != "arn:aws:events:us-east-1:000000000000:rule/app/done" {
		t.Errorf("custom bus rule ARN %s", appRule)
	}
	f.rule(t, "default", "forward", `{"source":["app"]}`, types.Target{Id: aws.String("bus"), Arn: bus.EventBusArn})
	f.put(t, entry("app", "Done", `{"n":1}`))
	call := recv(t, f.lambda.calls)
	if call.Opts.SourceARN != appRule || !strings.Contains(call.Payload, `"detail":{"n":1}`) {
		t.Errorf("forwarded call %+v", call)
	}
}

func TestInputModesThroughTargets(t *testing.T) {
	f := newFixture(t)
	q := func(id string) *string { return aws.String("arn:aws:sqs:us-east-1:000000000000:" + id) }
	ctx := context.Background()
	ruleArn := f.rule(t, "default", "ec2", `{"source":["aws.ec2"]}`, types.Target{})
	_, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("ec2"), Targets: []types.Target{
		{Id: aws.String("const"), Arn: q("const"), Input: aws.String(`{"fixed":1}`)},
		{Id: aws.String("path"), Arn: q("path"), InputPath: aws.String("$.detail.state")},
		{Id: aws.String("tmpl"), Arn: q("tmpl"), SqsParameters: &types.SqsParameters{MessageGroupId: aws.String("g")},
			InputTransformer: &types.InputTransformer{
				InputPathsMap: map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state"},
				InputTemplate: aws.String(`{"instance": <instance>, "msg": "<instance> is <state>", "rule": <aws.events.rule-arn>}`)}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// EC2 itself publishes aws.ec2 events (callers may not): the Go API.
	if _, err := f.svc.PutEvent(ctx, Entry{Source: "aws.ec2", DetailType: "EC2 Instance State-change Notification",
		Detail: json.RawMessage(`{"instance-id":"i-1","state":"RUNNING"}`)}); err != nil {
		t.Fatal(err)
	}
	got := map[string]QueueMessage{}
	for range 3 {
		c := recv(t, f.sqs.msgs)
		got[c.ARN[strings.LastIndexByte(c.ARN, ':')+1:]] = c.Msg
	}
	if got["const"].Body != `{"fixed":1}` || got["path"].Body != `"RUNNING"` {
		t.Errorf("Input %q, InputPath %q", got["const"].Body, got["path"].Body)
	}
	want := `{"instance": "i-1", "msg": "i-1 is RUNNING", "rule": "` + ruleArn + `"}`
	if got["tmpl"].Body != want || got["tmpl"].MessageGroupID != "g" {
		t.Errorf("InputTransformer %+v, want body %s", got["tmpl"], want)
	}

	res, err := f.client.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("ec2"), Targets: []types.Target{
		{Id: aws.String("both"), Arn: q("x"), Input: aws.String(`{}`), InputPath: aws.String("$.detail")},
	}})
	if err != nil || res.FailedEntryCount != 1 || aws.ToString(res.FailedEntries[0].TargetId) != "both" {
		t.Errorf("PutTargets with Input and InputPath: %v %+v", err, res)
	}
}

// TestCallersCannotSpeakForAWS puts an "aws.s3" "Object Created" through
// the SDK: the entry is refused (NotAuthorizedForSourceException) and no
// rule sees it, while the same event from S3 itself (the Go API the
// wiring uses) is delivered.
func TestCallersCannotSpeakForAWS(t *testing.T) {
	f := newFixture(t)
	f.rule(t, "default", "s3-created", `{"source":["aws.s3"],"detail-type":["Object Created"]}`, lambdaTarget("fn"))
	forged := entry("aws.s3", "Object Created", `{"bucket":{"name":"app"},"object":{"key":"x.png"}}`)
	out := f.put(t, entry("app", "T", `{}`), forged)
	if out.FailedEntryCount != 1 || out.Entries[0].EventId == nil {
		t.Fatalf("FailedEntryCount = %d, entries %+v; want only the aws.s3 entry refused", out.FailedEntryCount, out.Entries)
	}
	if got := out.Entries[1]; aws.ToString(got.ErrorCode) != "NotAuthorizedForSourceException" ||
		aws.ToString(got.ErrorMessage) != "Not authorized for the source." || got.EventId != nil {
		t.Errorf("aws.s3 entry = %s %q (id %v)", aws.ToString(got.ErrorCode), aws.ToString(got.ErrorMessage), got.EventId)
	}
	f.flush(t)
	none(t, f.lambda.calls, "delivery of a forged aws.s3 event")

	if _, err := f.svc.PutEvent(context.Background(), Entry{Source: "aws.s3", DetailType: "Object Created",
		Detail: json.RawMessage(`{"bucket":{"name":"app"}}`)}); err != nil {
		t.Fatalf("S3's own event: %v", err)
	}
	if call := recv(t, f.lambda.calls); call.ARN != fnARN {
		t.Errorf("delivered to %s", call.ARN)
	}
}

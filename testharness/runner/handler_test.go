package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/cfn"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/completion"
	"github.com/tracebridge/tracebridge/testharness/internal/cfnresponse"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

func TestMain(m *testing.M) { os.Exit(localtest.Main(m)) }

// newHandler is a runner of tests on the local cloud, with the app's bus
// a bus of the test's own.
func newHandler(t *testing.T, tests ...testharness.Test) (*Handler, *localtest.Bus) {
	t.Helper()
	bus := localtest.NewBus(t)
	env := testharness.NewEnv(localtest.Config(t), map[string]string{schemas.OutputEventBusName: bus.Name})
	m := map[string]testharness.Test{}
	for _, tt := range tests {
		m[tt.Name] = tt
	}
	return &Handler{
		Tests: m, Env: env,
		Events:         &completion.Publisher{Client: env.EventBridge, Bus: bus.Name, Backoff: func(int) time.Duration { return 0 }},
		AssertPatience: time.Second, AssertPoll: time.Millisecond,
		Log: slog.New(slog.DiscardHandler),
	}, bus
}

// errorType is the errorType aws-lambda-go reports for a returned error
// (lambda/errors.go: the type's name, through one pointer), which Step
// Functions uses as the error name.
func errorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// cfnEndpoint is a CloudFormation response URL that hands over each body.
func cfnEndpoint(t *testing.T) (string, chan []byte) {
	bodies := make(chan []byte, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPut {
			t.Errorf("CloudFormation response sent with %s", r.Method)
		}
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/cfn-response?X-Amz-Signature=abc", bodies
}

func cfnRequest(url string) json.RawMessage {
	raw, _ := json.Marshal(cfn.Event{RequestType: cfn.RequestCreate, RequestID: "r-1", ResponseURL: url,
		ResourceType: "Custom::TestRun", LogicalResourceID: "TestRun", StackID: "arn:aws:cloudformation:us-east-1:000000000000:stack/app/1"})
	return raw
}

func report(t *testing.T, h *Handler, st testharness.ReportState) testharness.RunReport {
	t.Helper()
	out, err := h.Handle(context.Background(), testharness.RunnerRequest{Phase: testharness.PhaseReport, Report: &st,
		ExecutionArn: "arn:aws:states:us-east-1:000000000000:execution:tests:run-1", StartTime: time.Now().Add(-time.Second)})
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	return out.(testharness.RunReport)
}

func TestReportGivesEachFailingTestItsReasonWhenTheyFit(t *testing.T) {
	h, _ := newHandler(t)
	url, bodies := cfnEndpoint(t)
	results := []testharness.Result{
		{Name: "s3_png_metadata", Reason: "no completion event within 30s — nothing happened " + strings.Repeat("é", 400), TraceID: "1-5f84c7a1-000000000000000000000001"},
		{Name: "ddb_user_audit_log", Reason: "assert: two audit entries, want one", TraceID: "1-5f84c7a1-000000000000000000000002"},
		{Name: "fine", Passed: true},
	}
	report(t, h, testharness.ReportState{CloudFormation: cfnRequest(url), Results: results})
	var doc cfn.Response
	if err := json.Unmarshal(<-bodies, &doc); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"2 of 3 integration tests failed", "s3_png_metadata: no completion event within 30s — nothing happened é",
		"[trace 1-5f84c7a1-000000000000000000000001]", "ddb_user_audit_log: assert: two audit entries, want one [trace 1-5f84c7a1-000000000000000000000002]"} {
		if !strings.Contains(doc.Reason, want) {
			t.Errorf("reason lacks %q:\n%s", want, doc.Reason)
		}
	}
	if !utf8.ValidString(doc.Reason) || strings.ContainsRune(doc.Reason, utf8.RuneError) {
		t.Errorf("reason was cut inside a character:\n%s", doc.Reason)
	}
}

func TestReportFailsTheDeploymentWithinFourKB(t *testing.T) {
	h, bus := newHandler(t)
	url, bodies := cfnEndpoint(t)
	var results []testharness.Result
	for i := range 30 {
		results = append(results, testharness.Result{Name: fmt.Sprintf("test_%02d", i), Reason: strings.Repeat("the bucket has no EventBridge notifications ", 40),
			TraceID: fmt.Sprintf("1-5f84c7a1-%024d", i)})
	}
	results = append(results, testharness.Result{Name: "fine", Passed: true})
	rep := report(t, h, testharness.ReportState{CloudFormation: cfnRequest(url), Results: results})
	if rep.Passed != 1 || rep.Failed != 30 || rep.VerdictMs < 1000 {
		t.Errorf("report = %d passed, %d failed, verdict %dms", rep.Passed, rep.Failed, rep.VerdictMs)
	}
	body := <-bodies
	if len(body) > cfnresponse.MaxBodyBytes {
		t.Fatalf("CloudFormation response is %d bytes, over the 4 KB limit", len(body))
	}
	var doc cfn.Response
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != cfn.StatusFailed || doc.PhysicalResourceID != "TestRun" || doc.RequestID != "r-1" {
		t.Errorf("response = %+v", doc)
	}
	// Thirty long reasons cannot all fit: every failing test is named, and
	// the reasons are left to the TestRunCompleted event.
	wants := []string{"30 of 31 integration tests failed", rep.ExecutionArn, "reasons in the TestRunCompleted event"}
	for i := range 30 {
		wants = append(wants, fmt.Sprintf(" test_%02d", i))
	}
	for _, want := range wants {
		if !strings.Contains(doc.Reason, want) {
			t.Errorf("reason lacks %q:\n%s", want, doc.Reason)
		}
	}
	if strings.Contains(doc.Reason, "fine") {
		t.Errorf("reason names a passing test")
	}
	// The full report, untruncated, goes on the app bus.
	events := bus.Events(t)
	if len(events) != 1 || events[0].DetailType != schemas.DetailTypeTestRunCompleted || events[0].Source != schemas.AppEventSource {
		t.Fatalf("events = %+v", events)
	}
	var published testharness.RunReport
	if err := json.Unmarshal(events[0].Detail, &published); err != nil || len(published.Results) != 31 || published.Results[0].Reason != results[0].Reason {
		t.Errorf("published report = %+v (%v)", published, err)
	}
}

func TestReportSucceedsWhenAllPass(t *testing.T) {
	h, _ := newHandler(t)
	url, bodies := cfnEndpoint(t)
	report(t, h, testharness.ReportState{CloudFormation: cfnRequest(url), Results: []testharness.Result{{Name: "a", Passed: true}}})
	var doc cfn.Response
	if err := json.Unmarshal(<-bodies, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Status != cfn.StatusSuccess || doc.Reason != "" || doc.Data["Passed"] != float64(1) {
		t.Errorf("response = %+v", doc)
	}
}

func TestReportWithoutCloudFormationOnlyPublishes(t *testing.T) {
	h, bus := newHandler(t)
	rep := report(t, h, testharness.ReportState{RunError: &testharness.StepError{Error: "States.Runtime", Cause: "boom"}})
	if rep.Failed != 1 || !strings.Contains(rep.Results[0].Reason, "States.Runtime: boom") {
		t.Errorf("report = %+v", rep)
	}
	if evs := bus.Events(t); len(evs) != 1 || evs[0].DetailType != schemas.DetailTypeTestRunCompleted {
		t.Errorf("events = %+v", evs)
	}
}

func TestReportFailsWhenCloudFormationRejectsTheAnswer(t *testing.T) {
	h, _ := newHandler(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "expired", http.StatusForbidden) }))
	defer srv.Close()
	_, err := h.Handle(context.Background(), testharness.RunnerRequest{Phase: testharness.PhaseReport,
		Report: &testharness.ReportState{CloudFormation: cfnRequest(srv.URL), Results: []testharness.Result{{Name: "a", Passed: true}}}})
	if err == nil || !strings.Contains(err.Error(), "HTTP 403") {
		t.Fatalf("err = %v, want the rejected answer (so the Report state retries)", err)
	}
}

// A test whose Assert sees an incomplete trace `incomplete` times.
func flaky(incomplete int, cleaned *[]string) testharness.Test {
	calls := 0
	return testharness.Test{
		Name: "flaky", Deadline: time.Second, Await: testharness.Await{Success: []string{"Done"}},
		Act: func(context.Context, *testharness.Env) (testharness.Run, error) {
			return testharness.Run{CorrelationID: "c-1", State: map[string]string{"k": "v"}}, nil
		},
		Assert: func(_ context.Context, _ *testharness.Env, run testharness.Run, done testharness.Completion) error {
			calls++
			if calls <= incomplete {
				return fmt.Errorf("no S3 CopyObject yet: %w", testharness.ErrTraceIncomplete)
			}
			if done.DetailType != "Done" || run.State["k"] != "v" {
				return errors.New("wrong run or completion")
			}
			return nil
		},
		Cleanup: func(_ context.Context, _ *testharness.Env, run testharness.Run) error {
			*cleaned = append(*cleaned, run.CorrelationID)
			return nil
		},
	}
}

func phase(t *testing.T, h *Handler, name string, b testharness.BranchState) (any, error) {
	t.Helper()
	return h.Handle(context.Background(), testharness.RunnerRequest{Phase: name, Branch: &b})
}

func TestPhasesActAssertCleanupPass(t *testing.T) {
	var cleaned []string
	h, _ := newHandler(t, flaky(3, &cleaned))
	out, err := phase(t, h, testharness.PhaseAct, testharness.BranchState{Test: "flaky"})
	if err != nil {
		t.Fatal(err)
	}
	b := *out.(*testharness.BranchState)
	if b.Run.CorrelationID != "c-1" || b.StartedAtMs == 0 {
		t.Fatalf("after act: %+v", b)
	}
	b.Completion = &testharness.Completion{DetailType: "Done", Detail: json.RawMessage(`{}`), TraceHeader: "Root=1-abc-def;Parent=1;Sampled=1"}
	out, err = phase(t, h, testharness.PhaseAssert, b)
	if err != nil {
		t.Fatalf("assert (trace complete on the 4th look, within the invocation): %v", err)
	}
	b = *out.(*testharness.BranchState)
	out, err = phase(t, h, testharness.PhaseCleanup, b)
	if err != nil {
		t.Fatal(err)
	}
	res := out.(testharness.Result)
	if !res.Passed || res.Reason != "" || res.TraceID != "1-abc-def" || res.CorrelationID != "c-1" || len(cleaned) != 1 {
		t.Errorf("result = %+v, cleaned %v", res, cleaned)
	}
}

func TestErrorsCarryTheNamesTheStateMachineRetriesAndCatches(t *testing.T) {
	var cleaned []string
	h, _ := newHandler(t, flaky(1000, &cleaned))
	h.AssertPatience = 20 * time.Millisecond
	run := testharness.Run{CorrelationID: "c-1", State: map[string]string{"k": "v"}}
	_, err := phase(t, h, testharness.PhaseAssert, testharness.BranchState{Test: "flaky", Run: &run, Completion: &testharness.Completion{DetailType: "Done"}})
	if errorType(err) != testharness.ErrorTraceIncomplete || !strings.Contains(err.Error(), "no S3 CopyObject yet") {
		t.Errorf("incomplete trace: %T %v, want errorType %s", err, err, testharness.ErrorTraceIncomplete)
	}
	_, err = phase(t, h, testharness.PhaseAssert, testharness.BranchState{Test: "flaky", Run: &run, Completion: &testharness.Completion{DetailType: "Other"}})
	if errorType(err) != testharness.ErrorTraceIncomplete {
		t.Errorf("still incomplete: %T %v", err, err)
	}

	h2, _ := newHandler(t, flaky(0, &cleaned))
	_, err = phase(t, h2, testharness.PhaseAssert, testharness.BranchState{Test: "flaky", Run: &run, Completion: &testharness.Completion{DetailType: "Other"}})
	if errorType(err) != testharness.ErrorAssertionFailed || err.Error() != "wrong run or completion" {
		t.Errorf("failed assertion: %T %v", err, err)
	}

	broken := testharness.Test{Name: "broken", Act: func(context.Context, *testharness.Env) (testharness.Run, error) {
		return testharness.Run{CorrelationID: "c-2"}, errors.New("PutObject: AccessDenied")
	}, Assert: func(context.Context, *testharness.Env, testharness.Run, testharness.Completion) error {
		return nil
	}, Cleanup: func(_ context.Context, _ *testharness.Env, run testharness.Run) error {
		cleaned = append(cleaned, run.CorrelationID)
		return nil
	}}
	h3, _ := newHandler(t, broken)
	_, err = phase(t, h3, testharness.PhaseAct, testharness.BranchState{Test: "broken"})
	if errorType(err) != testharness.ErrorActFailed || err.Error() != "PutObject: AccessDenied" || cleaned[len(cleaned)-1] != "c-2" {
		t.Errorf("failed act: %T %v (cleaned %v), want ActFailed and the partial run cleaned up", err, err, cleaned)
	}
	if _, err := phase(t, h3, testharness.PhaseAct, testharness.BranchState{Test: "nope"}); err == nil {
		t.Error("an unknown test was run")
	}
	h4, _ := newHandler(t, testharness.Test{Name: "hollow"})
	if _, err := phase(t, h4, testharness.PhaseCleanup, testharness.BranchState{Test: "hollow"}); err == nil || !strings.Contains(err.Error(), "lacks Act, Assert or Cleanup") {
		t.Errorf("a test without functions: %v", err)
	}
}

func TestCleanupTurnsEachFailureIntoAReason(t *testing.T) {
	var cleaned []string
	h, _ := newHandler(t, flaky(0, &cleaned))
	run := &testharness.Run{CorrelationID: "c-9"}
	doc := func(typ, msg string) string {
		b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
		return string(b)
	}
	for _, c := range []struct {
		b    testharness.BranchState
		want string
	}{
		{testharness.BranchState{ActError: &testharness.StepError{Error: "ActFailed", Cause: doc("ActFailed", "PutObject: AccessDenied")}}, "act: PutObject: AccessDenied"},
		{testharness.BranchState{Run: run, AwaitError: &testharness.StepError{Error: "States.Timeout"}}, "no completion event ([Done]) for correlation id c-9 within 1s: nothing happened — the trigger did not reach the function " +
			"(notifications, rule pattern, pipe, permissions) or the function failed before announcing an outcome (see its log group)"},
		{testharness.BranchState{Run: run, AwaitError: &testharness.StepError{Error: "States.Timeout"}, Diagnosis: &testharness.Diagnosis{Reason: "diagnosis: pipe users is STOPPED"}},
			"no completion event ([Done]) for correlation id c-9 within 1s: diagnosis: pipe users is STOPPED"},
		{testharness.BranchState{Run: run, AwaitError: &testharness.StepError{Error: "GlueBroken", Cause: "diagnosis: bucket b does not send events to EventBridge"}},
			"no completion event ([Done]) for correlation id c-9 can come: diagnosis: bucket b does not send events to EventBridge"},
		{testharness.BranchState{Run: run, AwaitError: &testharness.StepError{Error: "NoOutcome", Cause: "the local cloud settled without it; diagnosis: function f failed"}},
			"no completion event ([Done]) for correlation id c-9: the local cloud settled without it; diagnosis: function f failed"},
		{testharness.BranchState{Run: run, AwaitError: &testharness.StepError{Error: "CompletionFailed", Cause: "ImageMetadataFailed: unknown image format"}}, "failure event ImageMetadataFailed: unknown image format"},
		{testharness.BranchState{Run: run, AssertError: &testharness.StepError{Error: "TraceIncomplete", Cause: doc("TraceIncomplete", "no S3 CopyObject")}}, "assert: still incomplete after the retries: no S3 CopyObject"},
		{testharness.BranchState{Run: run, AssertError: &testharness.StepError{Error: "AssertionFailed", Cause: doc("AssertionFailed", "image_width = \"\"")}}, "assert: image_width = \"\""},
	} {
		c.b.Test = "flaky"
		out, err := phase(t, h, testharness.PhaseCleanup, c.b)
		if err != nil {
			t.Fatal(err)
		}
		if res := out.(testharness.Result); res.Passed || res.Reason != c.want {
			t.Errorf("result = %+v, want reason %q", res, c.want)
		}
	}
	if len(cleaned) != 7 {
		t.Errorf("cleanup ran for %v, want every branch that had a run", cleaned)
	}
}

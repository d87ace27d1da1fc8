package stepfunctions

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// statusRecorder keeps the status change events the service sends.
type statusRecorder struct {
	mu     sync.Mutex
	events []StatusChange
	got    chan struct{}
}

func (r *statusRecorder) PublishStatusChange(_ context.Context, e StatusChange) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	r.got <- struct{}{}
	return nil
}

// next waits for the next event.
func (r *statusRecorder) next(t *testing.T) (StatusChange, map[string]any) {
	t.Helper()
	select {
	case <-r.got:
	case <-time.After(waitLimit):
		t.Fatal("no status change event")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	e := r.events[len(r.events)-1]
	var detail map[string]any
	if err := json.Unmarshal(e.Detail, &detail); err != nil {
		t.Fatalf("detail %s: %v", e.Detail, err)
	}
	return e, detail
}

func TestStandardExecutionsSendStatusChangeEvents(t *testing.T) {
	start := time.Date(2026, 5, 6, 7, 8, 9, 0, time.UTC)
	fake := clock.NewFake(start)
	rec := &statusRecorder{got: make(chan struct{}, 8)}
	f := newFixture(t, func(_ *fixture, o *Options) { o.Clock, o.StatusChanges = fake, rec })
	hung := f.create(t, "hung", `{"TimeoutSeconds": 600, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}`, "")
	out, err := f.client.StartExecution(context.Background(), &sfn.StartExecutionInput{StateMachineArn: aws.String(hung),
		Name: aws.String("run-1"), Input: aws.String(`{"cloudFormation": {"RequestId": "r1"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	e, d := rec.next(t)
	if e.Source != "aws.states" || e.DetailType != "Step Functions Execution Status Change" || len(e.Resources) != 1 || e.Resources[0] != *out.ExecutionArn ||
		d["status"] != "RUNNING" || d["stopDate"] != nil || d["input"] != `{"cloudFormation": {"RequestId": "r1"}}` || d["stateMachineArn"] != hung {
		t.Fatalf("start event %+v detail %v", e, d)
	}
	// The execution's timeout and the Wait state's timer.
	waitForTimers(t, fake, 2)
	fake.Advance(600 * time.Second)
	e, d = rec.next(t)
	if d["status"] != "TIMED_OUT" || d["name"] != "run-1" || d["stopDate"] != float64(start.Add(600*time.Second).UnixMilli()) ||
		d["output"] != nil || d["inputDetails"].(map[string]any)["included"] != true || !e.Time.Equal(start.Add(600*time.Second)) {
		t.Fatalf("timeout event %+v detail %v", e, d)
	}

	express := f.create(t, "express", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`, types.StateMachineTypeExpress)
	f.run(t, express, `{}`)
	select {
	case <-rec.got:
		t.Error("an EXPRESS execution sent a status change event")
	default:
	}
}

// awsStatusExamples reads AWS's documented example of each status's event
// (testdata/status-change-events.json names the source).
func awsStatusExamples(t *testing.T) map[string]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile("testdata/status-change-events.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Examples map[string]json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Examples
}

// awaitStatus waits for the status change event of an execution to status.
func (r *statusRecorder) awaitStatus(t *testing.T, execArn, status string) (StatusChange, map[string]any) {
	t.Helper()
	for {
		e, d := r.next(t)
		if d["executionArn"] == execArn && d["status"] == status {
			return e, d
		}
	}
}

// member is one name and value of a JSON object, in document order.
type member struct {
	name  string
	value json.RawMessage
}

// members lists the members of a JSON object in the order they appear.
func members(t *testing.T, raw json.RawMessage) []member {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s is not a JSON object", raw)
	}
	var out []member
	for dec.More() {
		name, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, member{name: name.(string), value: v})
	}
	return out
}

// jsonKind names a JSON value's type: object, array, string, number,
// boolean or null.
func jsonKind(v json.RawMessage) string {
	switch c := bytes.TrimSpace(v)[0]; {
	case c == '{':
		return "object"
	case c == '[':
		return "array"
	case c == '"':
		return "string"
	case c == 't' || c == 'f':
		return "boolean"
	case c == 'n':
		return "null"
	default:
		return "number"
	}
}

// sameShape compares a detail member for member with AWS's example: the
// same names in the same order, each of the same JSON type, objects
// alike inside. error and cause, which the examples lack, are left to
// the caller.
func sameShape(t *testing.T, path string, got, want json.RawMessage) {
	t.Helper()
	var names []string
	for _, m := range members(t, got) {
		if path == "detail" && (m.name == "error" || m.name == "cause") {
			continue
		}
		names = append(names, m.name)
	}
	var wantNames []string
	wantMembers := members(t, want)
	for _, m := range wantMembers {
		wantNames = append(wantNames, m.name)
	}
	if !slices.Equal(names, wantNames) {
		t.Fatalf("%s members = %v, want AWS's %v", path, names, wantNames)
	}
	gotMembers := members(t, got)
	for _, w := range wantMembers {
		g := gotMembers[slices.IndexFunc(gotMembers, func(m member) bool { return m.name == w.name })]
		if jsonKind(g.value) != jsonKind(w.value) {
			t.Errorf("%s.%s = %s (%s), AWS's is %s (%s)", path, w.name, g.value, jsonKind(g.value), w.value, jsonKind(w.value))
		} else if jsonKind(w.value) == "object" {
			sameShape(t, path+"."+w.name, g.value, w.value)
		}
	}
}

// Each status's event has the members of AWS's documented example, of the
// same types, and for the example's execution (input "{}", output
// "Hello World!") the same input and output members.
func TestStatusChangeEventsAreShapedAsAWSExamples(t *testing.T) {
	examples := awsStatusExamples(t)
	fake := clock.NewFake(time.Date(2019, 2, 26, 19, 42, 21, 0, time.UTC))
	rec := &statusRecorder{got: make(chan struct{}, 16)}
	f := newFixture(t, func(_ *fixture, o *Options) { o.Clock, o.StatusChanges = fake, rec })
	ctx := context.Background()
	start := func(smArn string) string {
		out, err := f.client.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(smArn), Input: aws.String("{}")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ExecutionArn)
	}
	check := func(execArn, status string) {
		t.Helper()
		e, d := rec.awaitStatus(t, execArn, status)
		var want struct {
			Source     string          `json:"source"`
			DetailType string          `json:"detail-type"`
			Resources  []string        `json:"resources"`
			Detail     json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(examples[status], &want); err != nil {
			t.Fatal(err)
		}
		if e.Source != want.Source || e.DetailType != want.DetailType || !slices.Equal(e.Resources, []string{execArn}) || len(want.Resources) != 1 {
			t.Errorf("%s: source %q, detail-type %q, resources %v; AWS's: %q, %q, one execution ARN %v", status, e.Source, e.DetailType, e.Resources,
				want.Source, want.DetailType, want.Resources)
		}
		sameShape(t, "detail", e.Detail, want.Detail)
		var wantDetail map[string]any
		if err := json.Unmarshal(want.Detail, &wantDetail); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"status", "input", "inputDetails", "output", "outputDetails"} {
			if !reflect.DeepEqual(d[name], wantDetail[name]) {
				t.Errorf("%s: detail.%s = %#v, AWS's example has %#v", status, name, d[name], wantDetail[name])
			}
		}
		described, err := f.client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execArn)})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]*string{"error": described.Error, "cause": described.Cause} {
			if got, ok := d[name]; (want == nil) != !ok || ok && got != aws.ToString(want) {
				t.Errorf("%s: detail.%s = %v, DescribeExecution has %v", status, name, got, aws.ToString(want))
			}
		}
	}

	waiting := f.create(t, "waiting", `{"TimeoutSeconds": 1, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}}`, "")
	timedOut := start(waiting)
	check(timedOut, "RUNNING")
	waitForTimers(t, fake, 2)
	fake.Advance(time.Second)
	check(timedOut, "TIMED_OUT")

	stopped := start(waiting)
	if _, err := f.client.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(stopped)}); err != nil {
		t.Fatal(err)
	}
	check(stopped, "ABORTED")

	hello := f.create(t, "hello", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "Hello World!", "End": true}}}`, "")
	check(start(hello), "SUCCEEDED")

	failing := f.create(t, "failing", `{"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "States.Runtime", "Cause": "An error occurred"}}}`, "")
	check(start(failing), "FAILED")
}

// An input or output too large for an event is left out, as the
// developer guide's "EventBridge payloads" says: the input when the
// escaped input and output together exceed 248KB, the output when it
// alone does.
func TestStatusChangeEventsLeaveOutLargeData(t *testing.T) {
	rec := &statusRecorder{got: make(chan struct{}, 16)}
	f := newFixture(t, func(_ *fixture, o *Options) { o.StatusChanges = rec })
	echo := f.create(t, "echo", `{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}`, "")
	for _, tt := range []struct {
		name                          string
		inputBytes                    int
		inputIncluded, outputIncluded bool
	}{
		{"both fit", 100 * 1024, true, true},
		{"together over 248KB", 130 * 1024, false, true},
		{"output over 248KB", 250 * 1024, false, false},
	} {
		input := `"` + strings.Repeat("x", tt.inputBytes-2) + `"`
		r := f.run(t, echo, input)
		_, d := rec.awaitStatus(t, r.ExecutionArn, "SUCCEEDED")
		in, out := d["inputDetails"].(map[string]any)["included"], d["outputDetails"].(map[string]any)["included"]
		if in != tt.inputIncluded || out != tt.outputIncluded || (d["input"] != nil) != tt.inputIncluded || (d["output"] != nil) != tt.outputIncluded {
			t.Errorf("%s: input included %v (%d bytes), output included %v (%d bytes); want %v, %v", tt.name,
				in, len(fmt.Sprint(d["input"])), out, len(fmt.Sprint(d["output"])), tt.inputIncluded, tt.outputIncluded)
		}
	}
}

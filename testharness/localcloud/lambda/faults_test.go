package lambda

import (
	"context"
	"errors"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
)

// registryFaults answers Lambda's question from a fault registry, as the
// local cloud's wiring does.
type registryFaults struct{ r *faults.Registry }

func (f registryFaults) InvocationFault(_ context.Context, functionARN, _ string, actions ...faults.Action) (faults.Fault, bool) {
	return f.r.Hit(faults.Request{Service: "lambda", Operations: []string{"lambda:InvokeFunction"},
		Resources: []string{functionARN}}, actions...)
}

// faultHarness is a harness whose Lambda service injects the faults added
// to the returned registry.
func faultHarness(t *testing.T, clk clock.Clock) (*harness, *faults.Registry) {
	h := newHarness(t, clk)
	reg := faults.NewRegistry(rand.NewSource(1))
	h.svc.opts.Faults = registryFaults{reg}
	return h, reg
}

func addFault(t *testing.T, reg *faults.Registry, s faults.Spec) {
	t.Helper()
	if _, err := reg.Add(s); err != nil {
		t.Fatal(err)
	}
}

func decodeErrorDoc(t *testing.T, out *lambdasdk.InvokeOutput) errorDoc {
	t.Helper()
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("FunctionError = %q, payload %s; want Unhandled", aws.ToString(out.FunctionError), out.Payload)
	}
	return decode[errorDoc](t, out.Payload)
}

func TestFailFaultIsAnUnhandledFunctionErrorForItsCount(t *testing.T) {
	h, reg := faultHarness(t, clock.Real{})
	name := h.deploy(t, "Failing", map[string]any{"TracingConfig": map[string]any{"Mode": "Active"}})
	addFault(t, reg, faults.Spec{Service: "lambda", Resource: name, Action: faults.Fail, Count: 1,
		ErrorCode: "Injected", Message: "the disk is full"})
	doc := decodeErrorDoc(t, invoke(t, h, name, `{"action":"ok"}`))
	if doc != (errorDoc{ErrorMessage: "the disk is full", ErrorType: "Injected"}) {
		t.Errorf("error document = %+v", doc)
	}
	if out := invoke(t, h, name, `{"action":"ok"}`); out.FunctionError != nil {
		t.Errorf("second invocation failed too: %s", out.Payload)
	}
	if recs := h.traces.snapshot(); len(recs) != 2 || recs[0].FaultID != "fault-1" || recs[1].FaultID != "" {
		t.Errorf("trace records' faults = %+v, want fault-1 on the first only", recs)
	}
}

func TestTimeoutFaultAnswersAsLambdaTimesOut(t *testing.T) {
	h, reg := faultHarness(t, clock.Real{})
	name := h.deploy(t, "Slow", map[string]any{"Timeout": 7})
	addFault(t, reg, faults.Spec{Service: "lambda", Action: faults.Timeout, Count: 1})
	doc := decodeErrorDoc(t, invoke(t, h, name, `{}`))
	if !strings.HasSuffix(doc.ErrorMessage, "Task timed out after 7.00 seconds") {
		t.Errorf("errorMessage = %q", doc.ErrorMessage)
	}
}

func TestKillFaultIsRuntimeExitErrorAndTheNextInvocationGetsANewProcess(t *testing.T) {
	h, reg := faultHarness(t, clock.Real{})
	name := h.deploy(t, "Killed", nil)
	first := decode[echo](t, invoke(t, h, name, `{}`).Payload)
	addFault(t, reg, faults.Spec{Service: "lambda", Action: faults.Kill, Count: 1})
	doc := decodeErrorDoc(t, invoke(t, h, name, `{"action":"sleep","sleepMs":60000}`))
	if doc.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(doc.ErrorMessage, "Runtime exited with error: signal: killed") {
		t.Errorf("error document = %+v", doc)
	}
	next := decode[echo](t, invoke(t, h, name, `{}`).Payload)
	if next.PID == first.PID || next.PID == 0 {
		t.Errorf("the invocation after the kill ran in process %d, the killed one was %d", next.PID, first.PID)
	}
}

func TestErrorFaultIsTheInvokersErrorForEveryInvoker(t *testing.T) {
	h, reg := faultHarness(t, clock.Real{})
	name := h.deploy(t, "Throttled", nil)
	addFault(t, reg, faults.Spec{Service: "lambda", Action: faults.Error, Count: 2})
	_, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name)})
	var throttled *types.TooManyRequestsException
	if !errors.As(err, &throttled) || aws.ToString(throttled.Message) != "Rate Exceeded." {
		t.Errorf("Invoke: %v, want TooManyRequestsException", err)
	}
	// An in-process invoker (a pipe, a state machine) hears it too.
	_, err = h.svc.Invoke(context.Background(), name, []byte(`{}`), InvokeOptions{})
	if err == nil || awsproto.AsError(err).Code != "TooManyRequestsException" {
		t.Errorf("in-process Invoke: %v", err)
	}
	if out := invoke(t, h, name, `{}`); out.FunctionError != nil {
		t.Errorf("third invocation: %s", out.Payload)
	}
}

// An asynchronous Invoke meets an Error fault at the call, as a throttled
// Invoke does on AWS: the invoker hears it (EventBridge then retries and
// dead-letters) and nothing is queued, so Lambda does not retry it.
func TestErrorFaultAnswersAnAsynchronousInvokeAndQueuesNothing(t *testing.T) {
	h, reg := faultHarness(t, clock.Real{})
	name := h.deploy(t, "ThrottledAsync", nil)
	addFault(t, reg, faults.Spec{Service: "lambda", Action: faults.Error, Count: 2})
	_, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeEvent})
	var throttled *types.TooManyRequestsException
	if !errors.As(err, &throttled) {
		t.Errorf("Invoke (Event): %v, want TooManyRequestsException", err)
	}
	if err := h.svc.InvokeEvent(context.Background(), name, []byte(`{}`), ""); err == nil || awsproto.AsError(err).Code != "TooManyRequestsException" {
		t.Errorf("in-process InvokeEvent: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.svc.WaitAsyncIdle(ctx); err != nil {
		t.Fatal(err)
	}
	for _, l := range h.logs.snapshot() {
		if strings.Contains(l.message, "START RequestId:") {
			t.Errorf("the function ran after its asynchronous invokes were throttled: %s", l.message)
		}
	}
}

func TestLatencyFaultWaitsOnTheServiceClock(t *testing.T) {
	fake := clock.NewFake(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
	h, reg := faultHarness(t, fake)
	name := h.deploy(t, "Delayed", nil)
	addFault(t, reg, faults.Spec{Service: "lambda", Action: faults.Latency, Latency: faults.Duration(90 * time.Second), Count: 1})
	done := make(chan *lambdasdk.InvokeOutput, 1)
	go func() { done <- invoke(t, h, name, `{}`) }()
	waitForTimers(t, fake, 1)
	select {
	case out := <-done:
		t.Fatalf("the invocation ended before its latency passed: %s", out.Payload)
	default:
	}
	fake.Advance(90 * time.Second)
	if out := <-done; out.FunctionError != nil {
		t.Errorf("delayed invocation failed: %s", out.Payload)
	}
}

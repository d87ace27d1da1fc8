package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

type echo struct {
	PID       int               `json:"pid"`
	RequestID string            `json:"requestId"`
	TraceID   string            `json:"traceId"`
	Env       map[string]string `json:"env"`
	Message   string            `json:"message"`
}

type errorDoc struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

func invoke(t *testing.T, h *harness, name, payload string) *lambdasdk.InvokeOutput {
	t.Helper()
	out, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{
		FunctionName: aws.String(name), Payload: []byte(payload), LogType: types.LogTypeTail,
	})
	if err != nil {
		t.Fatalf("invoke %s: %v", payload, err)
	}
	return out
}

func decode[T any](t *testing.T, b []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

func TestInvokeEchoesThroughTheRuntimeAPI(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Echo", map[string]any{"FunctionName": "echo"})
	out := invoke(t, h, name, `{"message":"hello"}`)
	if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("status %d, error %v, version %v", out.StatusCode, aws.ToString(out.FunctionError), aws.ToString(out.ExecutedVersion))
	}
	got := decode[echo](t, out.Payload)
	if got.Message != "hello" || got.RequestID == "" {
		t.Fatalf("echo = %+v", got)
	}
}

func TestWarmProcessIsReused(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Warm", nil)
	first := decode[echo](t, invoke(t, h, name, `{}`).Payload)
	second := decode[echo](t, invoke(t, h, name, `{}`).Payload)
	if first.PID != second.PID {
		t.Fatalf("pids %d then %d: the warm process was not reused", first.PID, second.PID)
	}
	if first.RequestID == second.RequestID {
		t.Fatal("two invocations shared a request id")
	}
}

func TestConcurrentInvocationsStartProcessesUpToTheCap(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Parallel", map[string]any{"ReservedConcurrentExecutions": 3.0})
	// Each invocation holds its process until all three have arrived at a
	// barrier, so they can only succeed in three processes at once.
	barrier := t.TempDir()
	payload := fmt.Sprintf(`{"action":"barrier","barrier":%q,"parties":3}`, barrier)
	var wg sync.WaitGroup
	pids := make([]int, 3)
	for i := range pids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{
				FunctionName: aws.String(name), Payload: []byte(payload)})
			if err != nil {
				t.Errorf("invoke: %v", err)
				return
			}
			if out.FunctionError != nil {
				t.Errorf("invocation failed: %s", out.Payload)
				return
			}
			pids[i] = decode[echo](t, out.Payload).PID
		}()
	}
	wg.Wait()
	distinct := map[int]bool{}
	for _, p := range pids {
		distinct[p] = true
	}
	if len(distinct) != 3 {
		t.Fatalf("pids %v: want 3 processes for 3 overlapping invocations under a cap of 3", pids)
	}
	if n := len(h.pids(t, name)); n > 3 {
		t.Fatalf("%d processes, cap is 3", n)
	}
}

func TestReservedConcurrencyZeroThrottles(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Throttled", map[string]any{"ReservedConcurrentExecutions": 0.0})
	_, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
	var tooMany *types.TooManyRequestsException
	if !errors.As(err, &tooMany) || tooMany.Reason != types.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("err = %v, want TooManyRequestsException", err)
	}
}

func TestFunctionEnvironment(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Env", map[string]any{
		"FunctionName": "env-fn", "MemorySize": 256.0,
		"Environment": map[string]any{"Variables": map[string]any{"TABLE": "users"}},
	})
	env := decode[echo](t, invoke(t, h, name, `{}`).Payload).Env
	want := map[string]string{
		"TABLE": "users", "AWS_LAMBDA_FUNCTION_NAME": "env-fn", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
		"_HANDLER": "bootstrap", "LAMBDA_TASK_ROOT": testBinDir, "TZ": ":UTC",
		"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/env-fn", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
		"AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000", "_AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1", "_AWS_XRAY_DAEMON_PORT": "2000",
		"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !strings.Contains(env["AWS_LAMBDA_LOG_STREAM_NAME"], "/[$LATEST]") || env["AWS_LAMBDA_RUNTIME_API"] == "" {
		t.Errorf("stream %q, runtime API %q", env["AWS_LAMBDA_LOG_STREAM_NAME"], env["AWS_LAMBDA_RUNTIME_API"])
	}
	p, _, ok := h.ids.Lookup(env["AWS_ACCESS_KEY_ID"])
	if !ok || p.RoleARN != "arn:aws:iam::000000000000:role/fn-role" || p.SessionName != "env-fn" || env["AWS_SESSION_TOKEN"] == "" {
		t.Errorf("credentials act as %+v (known %v)", p, ok)
	}
}

func TestTimeoutFailsAndReplacesTheProcess(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Slow", map[string]any{"Timeout": 1.0})
	warm := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID
	out := invoke(t, h, name, `{"action":"sleep","sleepMs":30000}`)
	if aws.ToString(out.FunctionError) != "Unhandled" {
		t.Fatalf("function error = %q", aws.ToString(out.FunctionError))
	}
	if msg := decode[errorDoc](t, out.Payload).ErrorMessage; !strings.HasSuffix(msg, "Task timed out after 1.00 seconds") {
		t.Fatalf("errorMessage = %q", msg)
	}
	next := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID
	if next == warm {
		t.Fatal("the timed-out process was reused")
	}
	if alive(warm) {
		t.Fatalf("timed-out process %d still runs", warm)
	}
}

func TestPanicReportsTheErrorAndRestartsTheRuntime(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Panics", nil)
	before := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID
	out := invoke(t, h, name, `{"action":"panic","message":"bad input"}`)
	doc := decode[errorDoc](t, out.Payload)
	if aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(doc.ErrorMessage, "handler panicked: bad input") {
		t.Fatalf("function error %q, payload %s", aws.ToString(out.FunctionError), out.Payload)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if !strings.Contains(string(tail), "Runtime exited with error: exit status") {
		t.Errorf("log tail lacks the runtime exit:\n%s", tail)
	}
	after := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID
	if after == before {
		t.Fatal("the runtime that exited after a panic was reused")
	}
}

func TestExitIsRuntimeExitError(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Exits", nil)
	out := invoke(t, h, name, `{"action":"exit"}`)
	doc := decode[errorDoc](t, out.Payload)
	if doc.ErrorType != "Runtime.ExitError" || !strings.HasSuffix(doc.ErrorMessage, "Error: Runtime exited with error: exit status 3") ||
		!strings.HasPrefix(doc.ErrorMessage, "RequestId: ") {
		t.Fatalf("payload = %s", out.Payload)
	}
	if got := decode[echo](t, invoke(t, h, name, `{"message":"again"}`).Payload); got.Message != "again" {
		t.Fatalf("next invocation = %+v", got)
	}
}

func TestInitFailures(t *testing.T) {
	h := newHarness(t, clock.Real{})
	for _, tc := range []struct{ mode, errorType, message string }{
		{"error", "Runtime.InitError", "config missing"},
		{"exit", "Runtime.ExitError", "Runtime exited with error: exit status 2"},
	} {
		name := h.deploy(t, "Init"+tc.mode, map[string]any{"Environment": map[string]any{"Variables": map[string]any{"INIT_MODE": tc.mode}}})
		out := invoke(t, h, name, `{}`)
		doc := decode[errorDoc](t, out.Payload)
		if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != tc.errorType || !strings.Contains(doc.ErrorMessage, tc.message) {
			t.Errorf("INIT_MODE=%s: function error %q, payload %s", tc.mode, aws.ToString(out.FunctionError), out.Payload)
		}
		if n := len(h.pids(t, name)); n != 0 {
			t.Errorf("INIT_MODE=%s: %d processes left after a failed init", tc.mode, n)
		}
	}
}

func TestFunctionErrorIsHandledByTheRuntime(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Errs", nil)
	before := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID
	out := invoke(t, h, name, `{"action":"error","message":"not an image"}`)
	if doc := decode[errorDoc](t, out.Payload); doc.ErrorType != "errorString" || doc.ErrorMessage != "not an image" {
		t.Fatalf("payload = %s", out.Payload)
	}
	if after := decode[echo](t, invoke(t, h, name, `{}`).Payload).PID; after != before {
		t.Fatal("a returned error must not reset the environment")
	}
}

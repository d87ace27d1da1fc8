package xray

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsxray "github.com/aws/aws-sdk-go-v2/service/xray"
	"github.com/aws/aws-xray-sdk-go/strategy/sampling"
	xraysdk "github.com/aws/aws-xray-sdk-go/xray"
	"github.com/aws/aws-xray-sdk-go/xraylog"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/xray/traceheader"
)

// configureSDK points the aws-xray-sdk-go at the daemon, sampling every
// request (a localized rule, so no sampling calls are needed).
func configureSDK(t *testing.T, addr string) {
	t.Helper()
	all, err := sampling.NewLocalizedStrategyFromJSONBytes([]byte(`{"version": 2, "default": {"fixed_target": 1, "rate": 1.0}, "rules": []}`))
	if err != nil {
		t.Fatal(err)
	}
	xraysdk.SetLogger(xraylog.NewDefaultLogger(io.Discard, xraylog.LogLevelError))
	if err := xraysdk.Configure(xraysdk.Config{DaemonAddr: addr, SamplingStrategy: all}); err != nil {
		t.Fatal(err)
	}
}

func (e *env) listen(t *testing.T) string {
	t.Helper()
	addr, err := e.svc.ListenDaemon("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if e.svc.DaemonAddress() != addr {
		t.Fatalf("DaemonAddress %q, ListenDaemon %q", e.svc.DaemonAddress(), addr)
	}
	return addr
}

// batchDoc fetches a trace's documents decoded.
func (e *env) batchDocs(t *testing.T, traceID string) []map[string]any {
	t.Helper()
	out, err := e.client.BatchGetTraces(ctx(), &awsxray.BatchGetTracesInput{TraceIds: []string{traceID}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Traces) != 1 {
		t.Fatalf("trace %s not found", traceID)
	}
	var docs []map[string]any
	for _, s := range out.Traces[0].Segments {
		var m map[string]any
		if err := json.Unmarshal([]byte(aws.ToString(s.Document)), &m); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, m)
	}
	return docs
}

func subsegmentNames(m map[string]any) []string {
	var out []string
	subs, _ := m["subsegments"].([]any)
	for _, s := range subs {
		out = append(out, s.(map[string]any)["name"].(string))
	}
	return out
}

func TestSDKSegmentOverUDP(t *testing.T) {
	e := newEnv(t, nil)
	configureSDK(t, e.listen(t))
	w := e.await(t)

	c, root := xraysdk.BeginSegment(context.Background(), "checkout")
	traceID := root.TraceID
	if err := xraysdk.AddAnnotation(c, "correlation_id", "x"); err != nil {
		t.Fatal(err)
	}
	sc, sub := xraysdk.BeginSubsegment(c, "charge-card")
	if err := xraysdk.AddAnnotation(sc, "amount", 42); err != nil {
		t.Fatal(err)
	}
	sub.Close(errors.New("card declined"))
	root.Close(nil)

	var sums []string
	w.wait(t, "the SDK's segment", func() bool {
		sums = ids(e.summaries(t, `annotation.correlation_id = "x"`))
		return len(sums) == 1
	})
	if sums[0] != traceID {
		t.Fatalf("summary %s, want %s", sums[0], traceID)
	}
	if got := ids(e.summaries(t, `annotation.amount = 42 AND service("checkout")`)); len(got) != 1 {
		t.Errorf("subsegment annotation not indexed: %v", got)
	}
	docs := e.batchDocs(t, traceID)
	if len(docs) != 1 || docs[0]["name"] != "checkout" {
		t.Fatalf("documents = %v", docs)
	}
	if names := subsegmentNames(docs[0]); len(names) != 1 || names[0] != "charge-card" {
		t.Errorf("subsegments = %v", names)
	}
	if st := e.svc.Stats(); st.Datagrams != 1 || st.Rejected != 0 {
		t.Errorf("stats = %+v", st)
	}
}

// TestLambdaModeSubsegmentsJoinFunctionSegment is the metadata function's
// trace: Lambda records its two segments, the function's SDK (in Lambda
// mode: a facade segment it never sends, subsegments sent alone with
// type "subsegment" and parent_id) records S3 calls under the function
// segment.
func TestLambdaModeSubsegmentsJoinFunctionSegment(t *testing.T) {
	e := newEnv(t, nil)
	configureSDK(t, e.listen(t))
	w := e.await(t)
	fnARN := arn.New("lambda", "function:image-metadata")
	// The caller (EventBridge) passed Root and Parent in its trace header.
	callerTrace, callerParent := traceheader.NewTraceID(time.Now()), "cccccccccccccccc"

	start := time.Now()
	l, err := e.svc.StartLambdaInvocation(ctx(), LambdaInvocation{TraceID: callerTrace, ParentID: callerParent,
		FunctionARN: fnARN, RequestID: "req-1", Start: start, ColdStart: true, InitDuration: 80 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Root=" + callerTrace + ";Parent=" + l.FunctionSegmentID + ";Sampled=1"; l.RuntimeHeader() != want {
		t.Fatalf("RuntimeHeader = %q, want %q", l.RuntimeHeader(), want)
	}
	if got := ids(e.summaries(t, "partial")); len(got) != 1 {
		t.Fatalf("running invocation not partial: %v", got)
	}

	// What aws-lambda-go hands the handler: the runtime's trace header in the context.
	//lint:ignore SA1029 the X-Ray SDK reads the Lambda trace header under this string key, where aws-lambda-go puts it
	fctx := context.WithValue(context.Background(), xraysdk.LambdaTraceHeaderKey, l.RuntimeHeader())
	gctx, get := xraysdk.BeginSubsegment(fctx, "S3")
	get.Namespace = "aws"
	_ = xraysdk.AddAnnotation(gctx, "correlation_id", "img-7")
	get.Close(nil)
	_, cp := xraysdk.BeginSubsegment(fctx, "S3")
	cp.Namespace = "aws"
	cp.Close(nil)
	w.wait(t, "two SDK subsegments", func() bool { return e.svc.Stats().Datagrams == 2 })

	if err := l.Finish(LambdaOutcome{End: time.Now()}); err != nil {
		t.Fatal(err)
	}
	sums := e.summaries(t, `annotation.correlation_id = "img-7" AND service(id(name: "image-metadata", type: "AWS::Lambda::Function")) AND !partial`)
	if len(sums) != 1 || aws.ToString(sums[0].Id) != callerTrace {
		t.Fatalf("summaries = %v", ids(sums))
	}
	docs := e.batchDocs(t, callerTrace)
	if len(docs) != 2 {
		t.Fatalf("want the service and function segments, got %d documents", len(docs))
	}
	svc, fn := docs[0], docs[1]
	if svc["origin"] != "AWS::Lambda" || svc["parent_id"] != callerParent || svc["resource_arn"] != fnARN ||
		svc["aws"].(map[string]any)["request_id"] != "req-1" ||
		svc["http"].(map[string]any)["response"].(map[string]any)["status"] != 200.0 {
		t.Errorf("service segment = %v", svc)
	}
	if fn["origin"] != "AWS::Lambda::Function" || fn["parent_id"] != l.ServiceSegmentID || fn["id"] != l.FunctionSegmentID ||
		fn["name"] != "image-metadata" || fn["aws"].(map[string]any)["function_arn"] != fnARN {
		t.Errorf("function segment = %v", fn)
	}
	if got := strings.Join(subsegmentNames(fn), ","); got != "Initialization,Invocation,Overhead,S3,S3" {
		t.Errorf("function subsegments = %s", got)
	}
	sg, err := e.client.GetTraceGraph(ctx(), &awsxray.GetTraceGraphInput{TraceIds: []string{callerTrace}})
	if err != nil {
		t.Fatal(err)
	}
	var nodes []string
	for _, s := range sg.Services {
		nodes = append(nodes, aws.ToString(s.Name)+"|"+aws.ToString(s.Type))
	}
	if got := strings.Join(nodes, ","); got != "image-metadata|AWS::Lambda,image-metadata|AWS::Lambda::Function,S3|AWS::S3" {
		t.Errorf("trace graph nodes = %s", got)
	}
}

func TestRecordLambdaInvocationWithFunctionError(t *testing.T) {
	e := newEnv(t, nil)
	start := time.Now()
	id, err := e.svc.RecordLambdaInvocation(ctx(), LambdaInvocation{FunctionARN: arn.New("lambda", "function:audit:live"),
		RequestID: "req-2", Start: start, ServiceSegmentID: "1234567890abcdef", FunctionSegmentID: "fedcba0987654321"},
		LambdaOutcome{End: start.Add(300 * time.Millisecond), FunctionError: "Unhandled", ErrorType: "Runtime.ExitError"})
	if err != nil || id != "fedcba0987654321" {
		t.Fatalf("RecordLambdaInvocation = %q, %v", id, err)
	}
	sums := e.summaries(t, `service(id(name: "audit", type: "AWS::Lambda::Function")) { fault }`)
	if len(sums) != 1 {
		t.Fatalf("fault on the function node not found: %v", ids(sums))
	}
	s := sums[0]
	// The entry point is the AWS::Lambda node, which answered 200.
	if aws.ToBool(s.HasFault) || aws.ToString(s.EntryPoint.Type) != "AWS::Lambda" || aws.ToFloat64(s.Duration) != 0.3 {
		t.Errorf("summary = %+v", s)
	}
	fn := e.batchDocs(t, aws.ToString(s.Id))[1]
	if fn["fault"] != true || strings.Join(subsegmentNames(fn), ",") != "Invocation,Overhead" {
		t.Errorf("function segment = %v", fn)
	}
	if _, err := e.svc.StartLambdaInvocation(ctx(), LambdaInvocation{Start: start}); err == nil {
		t.Error("StartLambdaInvocation without an ARN succeeded")
	}
	if _, err := e.svc.StartLambdaInvocation(ctx(), LambdaInvocation{FunctionARN: arn.New("lambda", "function:f"), TraceID: "bad"}); err == nil {
		t.Error("StartLambdaInvocation with a bad trace id succeeded")
	}
}

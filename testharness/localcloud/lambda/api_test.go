package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

func TestDryRun(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Dry", nil)
	out, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name), InvocationType: types.InvocationTypeDryRun})
	if err != nil || out.StatusCode != 204 {
		t.Fatalf("dry run: %v %v", out, err)
	}
	if n := len(h.pids(t, name)); n != 0 {
		t.Fatalf("a dry run started %d processes", n)
	}
}

func TestUnknownFunctionIsResourceNotFound(t *testing.T) {
	h := newHarness(t, clock.Real{})
	_, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope" {
		t.Fatalf("err = %v", err)
	}
	name := h.deploy(t, "Versioned", nil)
	_, err = h.client.GetFunction(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String(name), Qualifier: aws.String("3")})
	if !errors.As(err, &nf) {
		t.Fatalf("qualifier 3: %v", err)
	}
}

func TestBadPayloadIsInvalidRequestContent(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Bad", nil)
	_, err := h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`hello`)})
	var bad *types.InvalidRequestContentException
	if !errors.As(err, &bad) || !strings.HasPrefix(aws.ToString(bad.Message), "Could not parse request body into json") {
		t.Fatalf("err = %v", err)
	}
	_, err = h.client.Invoke(context.Background(), &lambdasdk.InvokeInput{FunctionName: aws.String(name),
		Payload: []byte(`"` + strings.Repeat("x", maxSyncPayload) + `"`)})
	var tooLarge *types.RequestTooLargeException
	if !errors.As(err, &tooLarge) {
		t.Fatalf("7 MB payload: %v", err)
	}
}

func TestFunctionReadAPIs(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Described", map[string]any{
		"FunctionName": "described", "Timeout": 30.0, "Architectures": []any{"arm64"},
		"LoggingConfig": map[string]any{"LogFormat": "JSON", "LogGroup": "/custom/group"},
		"Tags":          []any{map[string]any{"Key": "team", "Value": "media"}},
	})
	ctx := context.Background()
	got, err := h.client.GetFunction(ctx, &lambdasdk.GetFunctionInput{FunctionName: aws.String(functionARN(name))})
	if err != nil {
		t.Fatal(err)
	}
	c := got.Configuration
	if aws.ToString(c.FunctionName) != "described" || aws.ToInt32(c.Timeout) != 30 || aws.ToInt32(c.MemorySize) != 128 ||
		c.Architectures[0] != types.ArchitectureArm64 || c.LoggingConfig.LogFormat != types.LogFormatJson ||
		aws.ToString(c.LoggingConfig.LogGroup) != "/custom/group" || c.State != types.StateActive || got.Tags["team"] != "media" {
		t.Fatalf("configuration = %+v", c)
	}
	list, err := h.client.ListFunctions(ctx, &lambdasdk.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionArn) != functionARN(name) {
		t.Fatalf("list = %+v, %v", list, err)
	}
	tags, err := h.client.ListTags(ctx, &lambdasdk.ListTagsInput{Resource: aws.String(functionARN(name))})
	if err != nil || tags.Tags["team"] != "media" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}
	// JSON log format: platform lines are records.
	out := invoke(t, h, name, `{}`)
	if !strings.Contains(string(decodeTail(t, out)), `"type":"platform.report"`) {
		t.Errorf("JSON log tail:\n%s", decodeTail(t, out))
	}
}

func TestPermissionAPIs(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Perm", nil)
	ctx := context.Background()
	_, err := h.client.GetPolicy(ctx, &lambdasdk.GetPolicyInput{FunctionName: aws.String(name)})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("policy before any permission: %v", err)
	}
	add := &lambdasdk.AddPermissionInput{FunctionName: aws.String(name), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceArn: aws.String("arn:aws:s3:::uploads"), SourceAccount: aws.String("000000000000")}
	added, err := h.client.AddPermission(ctx, add)
	if err != nil || !strings.Contains(aws.ToString(added.Statement), `"Service":"s3.amazonaws.com"`) {
		t.Fatalf("add = %v, %v", added, err)
	}
	var conflict *types.ResourceConflictException
	if _, err := h.client.AddPermission(ctx, add); !errors.As(err, &conflict) {
		t.Fatalf("duplicate sid: %v", err)
	}
	pol, err := h.client.GetPolicy(ctx, &lambdasdk.GetPolicyInput{FunctionName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Statement []struct {
			Sid       string
			Condition map[string]map[string]string
		}
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil || len(doc.Statement) != 1 ||
		doc.Statement[0].Condition["ArnLike"]["AWS:SourceArn"] != "arn:aws:s3:::uploads" {
		t.Fatalf("policy = %s (%v)", aws.ToString(pol.Policy), err)
	}
	if err := h.svc.InvokeAsync(ctx, name, []byte(`{}`), AsyncOptions{Principal: "s3.amazonaws.com",
		SourceARN: "arn:aws:s3:::uploads", SourceAccount: "000000000000"}); err != nil {
		t.Fatalf("the added permission does not allow s3: %v", err)
	}
	if _, err := h.client.RemovePermission(ctx, &lambdasdk.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("s3")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.RemovePermission(ctx, &lambdasdk.RemovePermissionInput{FunctionName: aws.String(name), StatementId: aws.String("s3")}); !errors.As(err, &nf) {
		t.Fatalf("removing twice: %v", err)
	}
}

func TestEventInvokeConfigAPIs(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Conf", nil)
	ctx := context.Background()
	var nf *types.ResourceNotFoundException
	if _, err := h.client.GetFunctionEventInvokeConfig(ctx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)}); !errors.As(err, &nf) {
		t.Fatalf("get before put: %v", err)
	}
	retries := int32(5)
	var invalid *types.InvalidParameterValueException
	if _, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambdasdk.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumRetryAttempts: &retries}); !errors.As(err, &invalid) {
		t.Fatalf("5 retries: %v", err)
	}
	retries = 1
	if _, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambdasdk.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String(name), MaximumRetryAttempts: &retries,
		DestinationConfig: &types.DestinationConfig{OnFailure: &types.OnFailure{Destination: aws.String(queueARN)}}}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetFunctionEventInvokeConfig(ctx, &lambdasdk.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToInt32(got.MaximumRetryAttempts) != 1 || aws.ToString(got.DestinationConfig.OnFailure.Destination) != queueARN ||
		aws.ToString(got.FunctionArn) != functionARN(name)+":$LATEST" {
		t.Fatalf("get = %+v, %v", got, err)
	}
}

// A function the local cloud cannot run fails its deployment, naming the
// function and why, rather than deploying as one that does nothing.
func TestOtherRuntimesFailAtDeployment(t *testing.T) {
	h := newHarness(t, clock.Real{})
	_, err := h.svc.Provisioners()["AWS::Lambda::Function"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "Notifier", Type: "AWS::Lambda::Function",
		Properties: map[string]any{"Role": "arn:aws:iam::000000000000:role/r", "Runtime": "python3.12", "Handler": "index.handler",
			"Code": map[string]any{"ZipFile": "def handler(e, c): pass"}},
	})
	want := "Notifier: the local cloud runs provided.* runtimes with a bootstrap; python3.12 is not supported locally"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %q", err, want)
	}
	if list, err := h.client.ListFunctions(context.Background(), &lambdasdk.ListFunctionsInput{}); err != nil || len(list.Functions) != 0 {
		t.Fatalf("functions = %+v, %v", list, err)
	}
}

func TestGoPackageIsBuiltAtDeployment(t *testing.T) {
	h := newHarness(t, clock.Real{})
	res, err := h.svc.Provisioners()["AWS::Lambda::Function"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "Built", Type: "AWS::Lambda::Function",
		Properties: map[string]any{"Role": "arn:aws:iam::000000000000:role/r", "Runtime": "provided.al2023", "Handler": "bootstrap"},
		Metadata:   map[string]any{MetadataGoPackage: testPackage},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode[echo](t, invoke(t, h, res.PhysicalID, `{"message":"built"}`).Payload); got.Message != "built" {
		t.Fatalf("echo = %+v", got)
	}
	_, err = h.svc.Provisioners()["AWS::Lambda::Function"].Create(context.Background(), cfnresource.Request{
		StackName: "test", LogicalID: "Broken", Type: "AWS::Lambda::Function",
		Properties: map[string]any{"Role": "arn:aws:iam::000000000000:role/r"},
		Metadata:   map[string]any{MetadataGoPackage: "./no/such/package"},
	})
	if err == nil || !strings.Contains(err.Error(), "go build ./no/such/package") {
		t.Fatalf("broken package: %v", err)
	}
}

func TestNoProcessOutlivesCloseOrDelete(t *testing.T) {
	h := newHarness(t, clock.Real{})
	a := h.deploy(t, "A", map[string]any{"FunctionName": "a"})
	b := h.deploy(t, "B", map[string]any{"FunctionName": "b"})
	invoke(t, h, a, `{}`)
	invoke(t, h, b, `{}`)
	pidA, pidB := h.pids(t, a), h.pids(t, b)
	if len(pidA) != 1 || len(pidB) != 1 {
		t.Fatalf("pids %v %v", pidA, pidB)
	}
	if _, err := h.client.DeleteFunction(context.Background(), &lambdasdk.DeleteFunctionInput{FunctionName: aws.String(a)}); err != nil {
		t.Fatal(err)
	}
	if alive(pidA[0]) {
		t.Fatalf("process %d of a deleted function runs", pidA[0])
	}
	// One invocation is still running when Close comes.
	done := make(chan error, 1)
	go func() {
		_, err := h.svc.Invoke(context.Background(), b, []byte(`{"action":"sleep","sleepMs":60000}`), InvokeOptions{})
		done <- err
	}()
	h.logs.awaitMessage(t, "handling sleep")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.svc.Close(ctx); err != nil {
		t.Fatal(err)
	}
	<-done
	if alive(pidB[0]) {
		t.Errorf("process %d outlived Close", pidB[0])
	}
}

func decodeTail(t *testing.T, out *lambdasdk.InvokeOutput) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestListRoutesWithAndWithoutSlash lists functions and event source
// mappings along the paths of the SDK models ("…/functions/") and without
// the trailing slash, as the AWS CLI v1 and boto3 send them: both answer
// 200, never a redirect.
func TestListRoutesWithAndWithoutSlash(t *testing.T) {
	h := newHarness(t, clock.Real{})
	name := h.deploy(t, "Listed", map[string]any{"FunctionName": "listed"})
	ctx := context.Background()
	// A redirect would be the answer itself, as for clients that do not
	// follow it.
	noRedirects := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, trim := range []bool{false, true} {
		opts := func(o *lambdasdk.Options) {
			o.HTTPClient = noRedirects
			if trim {
				o.APIOptions = append(o.APIOptions, trimTrailingSlash)
			}
		}
		list, err := h.client.ListFunctions(ctx, &lambdasdk.ListFunctionsInput{}, opts)
		if err != nil || len(list.Functions) != 1 || aws.ToString(list.Functions[0].FunctionArn) != functionARN(name) {
			t.Fatalf("ListFunctions (trimmed %v) = %+v, %v", trim, list, err)
		}
		mappings, err := h.client.ListEventSourceMappings(ctx, &lambdasdk.ListEventSourceMappingsInput{}, opts)
		if err != nil || mappings.EventSourceMappings == nil || len(mappings.EventSourceMappings) != 0 {
			t.Fatalf("ListEventSourceMappings (trimmed %v) = %+v, %v", trim, mappings, err)
		}
	}
}

// trimTrailingSlash sends a request's path without its trailing slash,
// before it is signed.
func trimTrailingSlash(stack *middleware.Stack) error {
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("trimTrailingSlash",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				req.URL.Path = strings.TrimSuffix(req.URL.Path, "/")
				req.URL.RawPath = strings.TrimSuffix(req.URL.RawPath, "/")
			}
			return next.HandleFinalize(ctx, in)
		}), "Signing", middleware.Before)
}

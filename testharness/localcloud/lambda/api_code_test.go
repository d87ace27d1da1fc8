package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
)

// createFromZip creates a provided.al2023 function from a zip through the
// SDK.
func createFromZip(t *testing.T, h *harness, name string, zip []byte) *lambdasdk.CreateFunctionOutput {
	t.Helper()
	out, err := h.client.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String(name), Role: aws.String("arn:aws:iam::000000000000:role/fn-role"),
		Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: zip}, Environment: &types.Environment{Variables: map[string]string{"STAGE": "test"}},
	})
	if err != nil {
		t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

// wantSDKError checks an SDK error's code and that its message holds
// every part.
func wantSDKError(t *testing.T, err error, code string, parts ...string) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
	for _, p := range parts {
		if !strings.Contains(apiErr.ErrorMessage(), p) {
			t.Errorf("message %q does not say %q", apiErr.ErrorMessage(), p)
		}
	}
}

func TestCreateFunctionWithAZipRunsItsBootstrap(t *testing.T) {
	h := newHarness(t, clock.Real{})
	zip := zipOf(t, testBootstrap(t))
	out := createFromZip(t, h, "zipped", zip)
	sum := sha256.Sum256(zip)
	if out.State != types.StatePending || out.StateReasonCode != types.StateReasonCodeCreating ||
		aws.ToString(out.CodeSha256) != base64.StdEncoding.EncodeToString(sum[:]) || out.CodeSize != int64(len(zip)) {
		t.Errorf("CreateFunction = state %s (%s), sha %s, size %d", out.State, out.StateReasonCode, aws.ToString(out.CodeSha256), out.CodeSize)
	}
	// The SDK's waiter sees the function active at once.
	if err := lambdasdk.NewFunctionActiveV2Waiter(h.client).Wait(context.Background(),
		&lambdasdk.GetFunctionInput{FunctionName: aws.String("zipped")}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	got := decode[echo](t, invoke(t, h, "zipped", `{"message":"from a zip"}`).Payload)
	if got.Message != "from a zip" || got.Env["STAGE"] != "test" {
		t.Fatalf("echo = %+v", got)
	}
	if root := got.Env["LAMBDA_TASK_ROOT"]; filepath.Base(root) != hexSHA256(zip) {
		t.Errorf("LAMBDA_TASK_ROOT = %s, want the package unpacked under its SHA-256", root)
	}
}

// hexSHA256 is the name a zip's package is unpacked under.
func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestCreateFunctionFromS3(t *testing.T) {
	h := newHarness(t, clock.Real{})
	h.objects["deploy-bucket/fn.zip"] = zipOf(t, testBootstrap(t))
	_, err := h.client.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("from-s3"), Role: aws.String("arn:aws:iam::000000000000:role/fn-role"),
		Runtime: types.RuntimeProvidedal2, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{S3Bucket: aws.String("deploy-bucket"), S3Key: aws.String("fn.zip")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := decode[echo](t, invoke(t, h, "from-s3", `{"message":"s3"}`).Payload); got.Message != "s3" {
		t.Fatalf("echo = %+v", got)
	}
	_, err = h.client.CreateFunction(context.Background(), &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("missing"), Role: aws.String("arn:aws:iam::000000000000:role/fn-role"),
		Runtime: types.RuntimeProvidedal2, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{S3Bucket: aws.String("deploy-bucket"), S3Key: aws.String("nothing.zip")},
	})
	wantSDKError(t, err, "InvalidParameterValueException",
		"Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified key does not exist.")
}

// A package without a bootstrap deploys, and its invocations fail as
// Lambda's do.
func TestPackageWithoutBootstrapFailsAtInvoke(t *testing.T) {
	h := newHarness(t, clock.Real{})
	createFromZip(t, h, "no-bootstrap", zipOf(t, zipEntry{name: "main", mode: 0o755, data: testBootstrap(t).data}))
	out := invoke(t, h, "no-bootstrap", `{}`)
	doc := decode[errorDoc](t, out.Payload)
	if aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "Runtime.InvalidEntrypoint" ||
		!strings.HasPrefix(doc.ErrorMessage, "RequestId: ") ||
		!strings.HasSuffix(doc.ErrorMessage, " Error: Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]") {
		t.Fatalf("function error %q, %+v", aws.ToString(out.FunctionError), doc)
	}
}

func TestUpdateFunctionCodeReplacesTheRunningCode(t *testing.T) {
	h := newHarness(t, clock.Real{})
	createFromZip(t, h, "updated", zipOf(t, testBootstrap(t)))
	before := decode[echo](t, invoke(t, h, "updated", `{}`).Payload)

	next := zipOf(t, testBootstrap(t), zipEntry{name: "VERSION", mode: 0o644, data: []byte("2")})
	out, err := h.client.UpdateFunctionCode(context.Background(), &lambdasdk.UpdateFunctionCodeInput{
		FunctionName: aws.String("updated"), ZipFile: next})
	if err != nil {
		t.Fatal(err)
	}
	if out.LastUpdateStatus != types.LastUpdateStatusInProgress || out.CodeSize != int64(len(next)) {
		t.Errorf("UpdateFunctionCode = %s, size %d", out.LastUpdateStatus, out.CodeSize)
	}
	after := decode[echo](t, invoke(t, h, "updated", `{}`).Payload)
	if after.PID == before.PID || filepath.Base(after.Env["LAMBDA_TASK_ROOT"]) != hexSHA256(next) {
		t.Errorf("after the update: pid %d (was %d), task root %s", after.PID, before.PID, after.Env["LAMBDA_TASK_ROOT"])
	}
	if pids := h.pids(t, "updated"); !slices.Equal(pids, []int{after.PID}) {
		t.Errorf("live processes %v, want only the new code's %d", pids, after.PID)
	}
	if got, err := h.client.GetFunction(context.Background(), &lambdasdk.GetFunctionInput{FunctionName: aws.String("updated")}); err != nil ||
		got.Configuration.LastUpdateStatus != types.LastUpdateStatusSuccessful {
		t.Errorf("GetFunction after the update: %+v, %v", got, err)
	}

	_, err = h.client.UpdateFunctionCode(context.Background(), &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("updated")})
	wantSDKError(t, err, "InvalidParameterValueException", "Please provide a source for function code.")
	_, err = h.client.UpdateFunctionCode(context.Background(), &lambdasdk.UpdateFunctionCodeInput{
		FunctionName: aws.String("absent"), ZipFile: next})
	wantSDKError(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:absent")
}

func TestCreateFunctionRefusesWhatTheLocalCloudCannotRun(t *testing.T) {
	h := newHarness(t, clock.Real{})
	ctx := context.Background()
	role := aws.String("arn:aws:iam::000000000000:role/fn-role")
	_, err := h.client.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("node-fn"), Role: role, Runtime: types.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Code: &types.FunctionCode{ZipFile: zipOf(t, zipEntry{name: "index.js", mode: 0o644, data: []byte("exports.handler = async () => 1")})},
	})
	wantSDKError(t, err, "InvalidParameterValueException",
		"Function node-fn: the local cloud runs provided.* runtimes with a bootstrap; nodejs20.x is not supported locally")

	_, err = h.client.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("image-fn"), Role: role, PackageType: types.PackageTypeImage,
		Code: &types.FunctionCode{ImageUri: aws.String("000000000000.dkr.ecr.us-east-1.amazonaws.com/fn:latest")},
	})
	wantSDKError(t, err, "InvalidParameterValueException", "Function image-fn: container images (PackageType Image) are not supported locally")

	arch, _ := foreignArch()
	_, err = h.client.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("foreign-fn"), Role: role, Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: zipOf(t, foreignBootstrap(t))},
	})
	wantSDKError(t, err, "InvalidParameterValueException",
		"Function foreign-fn: its bootstrap is a linux/"+arch+" executable and this host is "+hostPlatform, "build it for "+hostPlatform)

	_, err = h.client.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("no-runtime"), Role: role, Code: &types.FunctionCode{ZipFile: zipOf(t, testBootstrap(t))},
	})
	wantSDKError(t, err, "InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages.")

	createFromZip(t, h, "twice", zipOf(t, testBootstrap(t)))
	_, err = h.client.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("twice"), Role: role, Runtime: types.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &types.FunctionCode{ZipFile: zipOf(t, testBootstrap(t))},
	})
	wantSDKError(t, err, "ResourceConflictException", "Function already exist: twice")

	list, err := h.client.ListFunctions(ctx, &lambdasdk.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Fatalf("functions after the refusals: %+v, %v", list, err)
	}
}

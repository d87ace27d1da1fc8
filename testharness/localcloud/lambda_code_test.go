package localcloud_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	lambdasdk "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda"
	"github.com/tracebridge/tracebridge/testharness/localcloud/lambda/build"
)

// echoFunction is the lambda package's test program, built once per run
// into the cache the local cloud's own builds use.
var echoFunction = sync.OnceValues(func() (string, error) {
	dir := lambda.DefaultBuildDir()
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "tracebridge-lambda-builds")
	}
	return build.New(moduleRoot, dir).Build(context.Background(), "./testharness/localcloud/lambda/testdata/testfn")
})

// echoZip is a deployment package of the test program, with padding that
// makes the base64 of an upload larger than the gateway's default body
// limit, as real Go functions' packages can be.
func echoZip(t *testing.T, padding int) []byte {
	t.Helper()
	bin, err := echoFunction()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range []struct {
		name string
		data []byte
	}{{"bootstrap", data}, {"assets/padding", make([]byte, padding)}} {
		hdr := &zip.FileHeader{Name: f.name, Method: zip.Store}
		hdr.SetMode(0o755)
		w, err := zw.CreateHeader(hdr)
		if err == nil {
			_, err = w.Write(f.data)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A team that deploys with other tools than CloudFormation creates its
// function from a zip in S3 and updates it with a zip in the request.
func TestFunctionFromAZipInTheLocalS3(t *testing.T) {
	cloud := localcloud.RunT(t, localcloud.Options{})
	cfg := awstest.Config(t, cloud.Endpoint())
	ctx := context.Background()
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("deployments")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("deployments"), Key: aws.String("echo.zip"),
		Body: bytes.NewReader(echoZip(t, 0))}); err != nil {
		t.Fatal(err)
	}
	lc := lambdasdk.NewFromConfig(cfg)
	if _, err := lc.CreateFunction(ctx, &lambdasdk.CreateFunctionInput{
		FunctionName: aws.String("echo"), Role: aws.String("arn:aws:iam::000000000000:role/echo"),
		Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Code: &lambdatypes.FunctionCode{S3Bucket: aws.String("deployments"), S3Key: aws.String("echo.zip")},
	}); err != nil {
		t.Fatal(err)
	}
	echo := func() map[string]any {
		t.Helper()
		out, err := lc.Invoke(ctx, &lambdasdk.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"message":"hi"}`)})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke: %v %s", err, out.Payload)
		}
		var got map[string]any
		if err := json.Unmarshal(out.Payload, &got); err != nil || got["message"] != "hi" {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return got
	}
	first := echo()

	// 20 MB of padding: a request over the 16 MiB other APIs are held to.
	update := echoZip(t, 20<<20)
	out, err := lc.UpdateFunctionCode(ctx, &lambdasdk.UpdateFunctionCodeInput{FunctionName: aws.String("echo"), ZipFile: update})
	if err != nil {
		t.Fatal(err)
	}
	if out.CodeSize != int64(len(update)) {
		t.Errorf("CodeSize %d, want %d", out.CodeSize, len(update))
	}
	if second := echo(); second["pid"] == first["pid"] {
		t.Errorf("the updated code ran in the old process %v", first["pid"])
	}
}

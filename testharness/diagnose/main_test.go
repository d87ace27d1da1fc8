package diagnose_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness"
	"github.com/tracebridge/tracebridge/testharness/diagnose"
	"github.com/tracebridge/tracebridge/testharness/internal/assemblyedit"
	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/synth"
)

// These tests deploy the app's real synthesized template (without the
// deploy-time test run) into a local cloud of their own, break one link of
// the glue through the AWS APIs, act as a test would, and check that the
// diagnosis names exactly that link.

// orderFlowAssemblyDir is where deployOrderFlow copies the order flow
// example's assembly, synthesized only when a test needs it.
var moduleRoot, appAssemblyDir, orderFlowAssemblyDir string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := synth.ModuleRoot(".")
	if err == nil {
		err = synth.Ensure(context.Background(), root, synth.DefaultAssemblyDir(root), os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagnose tests:", err)
		return 1
	}
	dir, err := os.MkdirTemp("", "diagnose-app-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagnose tests:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	flowDir, err := os.MkdirTemp("", "diagnose-orderflow-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagnose tests:", err)
		return 1
	}
	defer os.RemoveAll(flowDir)
	if err := assemblyedit.CopyTo(synth.DefaultAssemblyDir(root), dir, withoutTestRun); err != nil {
		fmt.Fprintln(os.Stderr, "diagnose tests:", err)
		return 1
	}
	moduleRoot, appAssemblyDir, orderFlowAssemblyDir = root, dir, flowDir
	return m.Run()
}

// withoutTestRun leaves the deploy-time test run out of a template: the
// tests act themselves.
func withoutTestRun(t assemblyedit.Template) {
	t.RemoveResourcesOfType(testharness.TestRunResourceType)
}

// app is a local cloud with the app deployed, and a diagnoser for it.
type app struct {
	cloud *localcloud.Cloud
	stack *cloudformation.StackResult
	cfg   aws.Config
	env   *testharness.Env
	d     *diagnose.Diagnoser
}

func deployApp(t *testing.T) *app {
	t.Helper()
	return deployAssembly(t, appAssemblyDir)
}

// deployAssembly deploys an assembly's stack into a local cloud of the
// test's own.
func deployAssembly(t *testing.T, dir string) *app {
	t.Helper()
	cloud := localcloud.RunT(t, localcloud.Options{SourceRoot: moduleRoot})
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	stack, err := cloud.Deploy(ctx, dir)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	cfg, err := testharness.LocalConfig(ctx, cloud.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	return &app{cloud: cloud, stack: stack, cfg: cfg, env: testharness.NewEnv(cfg, stack.Outputs), d: diagnose.New(cfg)}
}

func (a *app) output(t *testing.T, key string) string {
	t.Helper()
	v, ok := a.stack.Outputs[key]
	if !ok {
		t.Fatalf("stack has no output %s", key)
	}
	return v
}

// physicalID is the deployed name of a resource of the template, found by
// its logical id without the 8-character hash CDK appends.
func (a *app) physicalID(t *testing.T, logicalPrefix string) string {
	t.Helper()
	var found []string
	for id, physical := range a.stack.PhysicalIDs {
		if strings.HasPrefix(id, logicalPrefix) && len(id) == len(logicalPrefix)+8 {
			found = append(found, physical)
		}
	}
	if len(found) != 1 {
		t.Fatalf("resources %s*: %v, want one", logicalPrefix, found)
	}
	return found[0]
}

// putObject uploads an object as the image tests do and returns its trigger.
func (a *app) putObject(t *testing.T, key, correlationID string) testharness.Trigger {
	t.Helper()
	bucket := a.output(t, schemas.OutputBucketName)
	at := time.Now()
	_, err := a.env.S3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("not really a png"),
		Metadata: map[string]string{schemas.S3UserMetadataCorrelationID: correlationID},
	})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return testharness.Trigger{S3Object: &testharness.S3ObjectTrigger{Bucket: bucket, Key: key}, At: at}
}

// putItem writes an item as the user tests do and returns its trigger.
func (a *app) putItem(t *testing.T, pk, correlationID string) testharness.Trigger {
	t.Helper()
	table := a.output(t, schemas.OutputTableName)
	at := time.Now()
	_, err := a.env.DynamoDB.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: map[string]ddbtypes.AttributeValue{
		schemas.TablePartitionKey:              &ddbtypes.AttributeValueMemberS{Value: pk},
		schemas.TableSortKey:                   &ddbtypes.AttributeValueMemberS{Value: "PROFILE"},
		schemas.DynamoDBCorrelationIDAttribute: &ddbtypes.AttributeValueMemberS{Value: correlationID},
	}})
	if err != nil {
		t.Fatalf("PutItem %s: %v", pk, err)
	}
	return testharness.Trigger{At: at, DynamoDBItem: &testharness.DynamoDBItemTrigger{
		Table: table, Key: map[string]string{schemas.TablePartitionKey: pk, schemas.TableSortKey: "PROFILE"}}}
}

// expectBroken checks that the report's broken link is of this kind and
// its detail says every one of want.
func expectBroken(t *testing.T, r diagnose.Report, err error, link string, want ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("diagnosis failed: %v (report so far: %s)", err, r)
	}
	if r.Broken == nil {
		t.Fatalf("nothing broken found; want the %s: %s", link, r)
	}
	t.Log(r)
	if r.Broken.Link != link {
		t.Errorf("broken link %q, want %q: %s", r.Broken.Link, link, r)
	}
	for _, w := range want {
		if !strings.Contains(r.Broken.Detail, w) {
			t.Errorf("the diagnosis does not say %q:\n%s", w, r)
		}
	}
	if !strings.Contains(r.String(), r.Broken.Detail) {
		t.Errorf("String() leaves out the broken link: %s", r)
	}
}

// streamARN is the table's stream, as DescribeTable names it.
func (a *app) streamARN(t *testing.T) string {
	t.Helper()
	out, err := a.env.DynamoDB.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(a.output(t, schemas.OutputTableName))})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Table.LatestStreamArn)
}

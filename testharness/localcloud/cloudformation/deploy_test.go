package cloudformation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

const assetHash = "3f1c2a9b8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"

func TestDeployAssembly(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	res, err := h.engine.Deploy(ctx, "testdata/assembly", DeployOptions{})
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	if res.Status != StatusCreateComplete || res.StackName != "App" {
		t.Fatalf("result = %+v", res)
	}
	if !strings.HasPrefix(res.StackID, "arn:aws:cloudformation:us-east-1:000000000000:stack/App/") {
		t.Errorf("stack id %s", res.StackID)
	}
	wantLog := []string{"create Bucket83908E77", "create HandlerServiceRoleFCDC14AE", "create Handler886CB40B"}
	if got := h.rec.entries(); !reflect.DeepEqual(got, wantLog) {
		t.Errorf("provisioner calls = %v, want %v (CDKMetadata creates nothing, ProdOnlyTopic's condition is false)", got, wantLog)
	}

	fn := h.rec.request("Handler886CB40B")
	code := fn.Properties["Code"].(map[string]any)
	bucket, key := code["S3Bucket"].(string), code["S3Key"].(string)
	if bucket != "cdk-hnb659fds-assets-000000000000-us-east-1" || key != assetHash+".zip" {
		t.Errorf("Code = %v", code)
	}
	dir, ok := fn.AssetPath(bucket, key)
	abs, _ := filepath.Abs(filepath.Join("testdata/assembly", "asset."+assetHash))
	if !ok || dir != abs {
		t.Errorf("AssetPath = %q, %v; want %s", dir, ok, abs)
	}
	if _, err := os.Stat(filepath.Join(dir, "bootstrap")); err != nil {
		t.Errorf("asset dir: %v", err)
	}
	if got := filepath.Join(fn.AssemblyDir, fn.Metadata["aws:asset:path"].(string)); got != abs {
		t.Errorf("AssemblyDir + aws:asset:path = %s, want %s", got, abs)
	}
	if fn.Properties["Role"] != "arn:aws:fake:us-east-1:000000000000:handlerservicerolefcdc14ae-2" {
		t.Errorf("Role = %v", fn.Properties["Role"])
	}
	vars := fn.Properties["Environment"].(map[string]any)["Variables"].(map[string]any)
	if !reflect.DeepEqual(vars, map[string]any{"BUCKET": "bucket83908e77-1", "DEBUG": "1"}) {
		t.Errorf("Environment.Variables = %v", vars)
	}
	wantOutputs := map[string]string{"BucketName": "bucket83908e77-1", "FunctionArn": "arn:aws:fake:us-east-1:000000000000:handler886cb40b-3"}
	if !reflect.DeepEqual(res.Outputs, wantOutputs) {
		t.Errorf("outputs = %v, want %v", res.Outputs, wantOutputs)
	}
	if got, _ := h.engine.Outputs("App"); !reflect.DeepEqual(got, wantOutputs) {
		t.Errorf("Outputs(App) = %v", got)
	}

	// The AWS SDK reads the stack back through the query API.
	ds, err := h.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("App")})
	if err != nil {
		t.Fatalf("DescribeStacks: %v", err)
	}
	st := ds.Stacks[0]
	if string(st.StackStatus) != StatusCreateComplete || aws.ToString(st.StackId) != res.StackID || !st.CreationTime.Equal(h.clk.Now()) {
		t.Errorf("stack = %+v", st)
	}
	outputs := map[string]string{}
	for _, o := range st.Outputs {
		outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
	}
	if !reflect.DeepEqual(outputs, wantOutputs) || aws.ToString(st.Outputs[1].Description) != "the handler" {
		t.Errorf("SDK outputs = %v", st.Outputs)
	}
	params := map[string]string{}
	for _, p := range st.Parameters {
		params[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue) + "|" + aws.ToString(p.ResolvedValue)
	}
	if want := map[string]string{"BootstrapVersion": BootstrapVersionParameter + "|" + DefaultBootstrapVersion, "Env": "test|"}; !reflect.DeepEqual(params, want) {
		t.Errorf("parameters = %v, want %v", params, want)
	}

	lr, err := h.cfn.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("App")})
	if err != nil {
		t.Fatalf("ListStackResources: %v", err)
	}
	var listed []string
	for _, r := range lr.StackResourceSummaries {
		listed = append(listed, aws.ToString(r.LogicalResourceId)+"="+aws.ToString(r.PhysicalResourceId)+" "+string(r.ResourceStatus))
	}
	if len(listed) != 4 || listed[0] != "Bucket83908E77=bucket83908e77-1 CREATE_COMPLETE" || !strings.HasPrefix(listed[1], "CDKMetadata=") {
		t.Errorf("resources = %v", listed)
	}

	ev, err := h.cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(res.StackID)})
	if err != nil {
		t.Fatalf("DescribeStackEvents: %v", err)
	}
	first, last := ev.StackEvents[len(ev.StackEvents)-1], ev.StackEvents[0]
	if aws.ToString(first.LogicalResourceId) != "App" || string(first.ResourceStatus) != StatusCreateInProgress || aws.ToString(first.ResourceStatusReason) != "User Initiated" ||
		string(last.ResourceStatus) != StatusCreateComplete || aws.ToString(last.ResourceType) != "AWS::CloudFormation::Stack" {
		t.Errorf("events first %+v last %+v", first, last)
	}
	if len(ev.StackEvents) != 10 {
		t.Errorf("%d events, want 2 per resource and 2 for the stack", len(ev.StackEvents))
	}

	tpl, err := h.cfn.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("App")})
	if err != nil || !strings.Contains(aws.ToString(tpl.TemplateBody), "CheckBootstrapVersion") {
		t.Errorf("GetTemplate: %v", err)
	}

	// Delete goes newest first, then the stack is gone by name but
	// describable by id.
	if err := h.engine.DeleteStack(ctx, "App"); err != nil {
		t.Fatalf("DeleteStack: %v", err)
	}
	wantDeletes := []string{"delete Handler886CB40B handler886cb40b-3", "delete HandlerServiceRoleFCDC14AE handlerservicerolefcdc14ae-2", "delete Bucket83908E77 bucket83908e77-1"}
	if got := h.rec.entries()[3:]; !reflect.DeepEqual(got, wantDeletes) {
		t.Errorf("deletes = %v, want %v", got, wantDeletes)
	}
	_, err = h.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("App")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationError" || apiErr.ErrorMessage() != "Stack with id App does not exist" {
		t.Errorf("DescribeStacks after delete: %v", err)
	}
	byID, err := h.cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(res.StackID)})
	if err != nil || string(byID.Stacks[0].StackStatus) != StatusDeleteComplete {
		t.Errorf("DescribeStacks by id after delete: %v", err)
	}
	ls, err := h.cfn.ListStacks(ctx, &cloudformation.ListStacksInput{})
	if err != nil || len(ls.StackSummaries) != 1 || string(ls.StackSummaries[0].StackStatus) != StatusDeleteComplete {
		t.Errorf("ListStacks: %v %+v", err, ls)
	}
}

const chainTemplate = `{"Resources": {
	"A": {"Type": "Test::Thing"},
	"B": {"Type": "Test::Thing", "Properties": {"Parent": {"Ref": "A"}}},
	"C": {"Type": "Test::Thing", "Properties": {"Parent": {"Fn::GetAtt": ["B", "Arn"]}}}
}}`

func TestRollbackDeletesCreatedResourcesInReverse(t *testing.T) {
	h := newHarness(t, nil)
	h.rec.fail["C"] = errors.New("Thing limit exceeded")
	res, err := h.deploy(t, "Chain", chainTemplate)
	var de *DeployError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a DeployError", err)
	}
	if res.Status != StatusRollbackComplete || res.Reason != "The following resource(s) failed to create: [C]. Rollback requested by user." {
		t.Errorf("result = %+v", res)
	}
	if got := de.FailedResources["C"]; got != `Resource handler returned message: "Thing limit exceeded"` {
		t.Errorf("C's reason = %q", got)
	}
	want := []string{"create A", "create B", "create C", "delete B b-2", "delete A a-1"}
	if got := h.rec.entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	wantEvents := []string{"Chain CREATE_IN_PROGRESS", "A CREATE_IN_PROGRESS", "A CREATE_COMPLETE", "B CREATE_IN_PROGRESS", "B CREATE_COMPLETE",
		"C CREATE_IN_PROGRESS", "C CREATE_FAILED", "Chain ROLLBACK_IN_PROGRESS", "C DELETE_COMPLETE",
		"B DELETE_IN_PROGRESS", "B DELETE_COMPLETE", "A DELETE_IN_PROGRESS", "A DELETE_COMPLETE", "Chain ROLLBACK_COMPLETE"}
	if got := h.resourceEvents(t, "Chain"); !reflect.DeepEqual(got, wantEvents) {
		t.Errorf("events =\n%v\nwant\n%v", got, wantEvents)
	}

	// The SDK sees the failed stack and its reason; a new deploy of the
	// same name replaces the rolled-back stack.
	ds, err := h.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("Chain")})
	if err != nil || aws.ToString(ds.Stacks[0].StackStatusReason) != res.Reason {
		t.Fatalf("DescribeStacks: %v", err)
	}
	delete(h.rec.fail, "C")
	again, err := h.deploy(t, "Chain", chainTemplate)
	if err != nil || again.Status != StatusCreateComplete || again.StackID == res.StackID {
		t.Fatalf("redeploy: %v %+v", err, again)
	}
}

func TestUnsupportedResourceType(t *testing.T) {
	h := newHarness(t, nil)
	res, err := h.deploy(t, "S", `{"Resources": {"A": {"Type": "Test::Thing"}, "MyThing": {"Type": "AWS::Foo::Bar", "DependsOn": "A"}}}`)
	var de *DeployError
	if !errors.As(err, &de) || de.FailedResources["MyThing"] != "Resource type AWS::Foo::Bar of resource MyThing is not supported by the local cloud" {
		t.Fatalf("err = %v", err)
	}
	if res.Status != StatusRollbackComplete {
		t.Errorf("status %s", res.Status)
	}
}

func TestValidationErrorsCreateNothing(t *testing.T) {
	h := newHarness(t, nil)
	cases := map[string]string{
		`{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"X": {"Ref": "Ghost"}}}}}`:                                                   "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template",
		`{"Resources": {"A": {"Type": "Test::Thing", "DependsOn": "B"}, "B": {"Type": "Test::Thing", "DependsOn": "A"}}}`:                        "Circular dependency between resources: [A, B]",
		`{"Parameters": {"P": {"Type": "String"}}, "Resources": {"A": {"Type": "Test::Thing"}}}`:                                                 "Parameters: [P] must have values",
		`{"Parameters": {"P": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/nope"}}, "Resources": {"A": {"Type": "Test::Thing"}}}`: "Unable to fetch parameters [/nope] from parameter store for this account.",
		`{"Resources": {}}`: "Template format error: At least one Resources member must be defined.",
	}
	for body, want := range cases {
		_, err := h.deploy(t, "Invalid", body)
		var apiErr *awsproto.Error
		if !errors.As(err, &apiErr) || apiErr.Code != "ValidationError" || apiErr.Status != 400 || !strings.Contains(apiErr.Message, want) {
			t.Errorf("deploy %s: err %v, want ValidationError %q", body, err, want)
		}
	}
	if got := h.rec.entries(); len(got) != 0 {
		t.Errorf("provisioners were called: %v", got)
	}
}

func TestPropertiesThatResolveToANonObjectFailTheResource(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy(t, "Props", `{"Parameters": {"P": {"Type": "String", "Default": "x"}},
		"Resources": {"A": {"Type": "Test::Thing", "Properties": {"Ref": "P"}}}}`)
	var de *DeployError
	if !errors.As(err, &de) || !strings.Contains(de.FailedResources["A"], "Every Properties member must be an object") {
		t.Fatalf("err = %v, want resource A failed because its properties are not an object", err)
	}
	res, err := h.deploy(t, "NoProps", `{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"Ref": "AWS::NoValue"}}}}`)
	if err != nil || res.Status != StatusCreateComplete {
		t.Fatalf("properties of AWS::NoValue: %v %+v, want created without properties", err, res)
	}
}

// Progress hears of each resource the deployment creates, from none to
// all of those it goes through (CDKMetadata too, a false condition's not).
func TestDeployProgressCountsResourcesAsTheyAreCreated(t *testing.T) {
	h := newHarness(t, nil)
	var got [][2]int
	_, err := h.engine.Deploy(context.Background(), "testdata/assembly", DeployOptions{
		Progress: func(done, total int) { got = append(got, [2]int{done, total}) },
	})
	if err != nil {
		t.Fatalf("Deploy: %v", err)
	}
	want := [][2]int{{0, 4}, {1, 4}, {2, 4}, {3, 4}, {4, 4}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("progress %v, want %v", got, want)
	}
}

package cloudformation

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

func TestUpdateReplacesChangedAddsAndRemoves(t *testing.T) {
	h := newHarness(t, nil)
	_, err := h.deploy(t, "U", `{"Resources": {
		"Keep": {"Type": "Test::Thing", "Properties": {"V": 1}},
		"Change": {"Type": "Test::Thing", "Properties": {"V": 1}},
		"Dependent": {"Type": "Test::Thing", "Properties": {"Parent": {"Ref": "Change"}}},
		"Gone": {"Type": "Test::Thing"}}}`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := h.deploy(t, "U", `{"Resources": {
		"Keep": {"Type": "Test::Thing", "Properties": {"V": 1}},
		"Change": {"Type": "Test::Thing", "Properties": {"V": 2}},
		"Dependent": {"Type": "Test::Thing", "Properties": {"Parent": {"Ref": "Change"}}},
		"New": {"Type": "Test::Thing"}}}`)
	if err != nil || res.Status != StatusUpdateComplete {
		t.Fatalf("update: %v %+v", err, res)
	}
	want := []string{"create Change", "create Dependent", "create Gone", "create Keep",
		"delete Change change-1", "create Change", "delete Dependent dependent-2", "create Dependent", "create New", "delete Gone gone-3"}
	if got := h.rec.entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls =\n%v\nwant\n%v", got, want)
	}
	if h.rec.request("Dependent").Properties["Parent"] != "change-5" {
		t.Errorf("dependent not re-pointed: %v", h.rec.request("Dependent").Properties)
	}
	if _, ok := res.PhysicalIDs["Gone"]; ok {
		t.Errorf("removed resource still listed: %v", res.PhysicalIDs)
	}
}

func TestUpdateFailureRollsBack(t *testing.T) {
	h := newHarness(t, nil)
	if _, err := h.deploy(t, "U", `{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"V": 1}}}}`); err != nil {
		t.Fatal(err)
	}
	h.rec.fail["B"] = errors.New("boom")
	res, err := h.deploy(t, "U", `{"Resources": {"A": {"Type": "Test::Thing", "Properties": {"V": 2}}, "B": {"Type": "Test::Thing", "DependsOn": "A"}}}`)
	if err == nil || res.Status != StatusUpdateRollbackComplete || !strings.HasPrefix(res.Reason, "The following resource(s) failed to create: [B]") {
		t.Fatalf("err %v result %+v", err, res)
	}
	want := []string{"create A", "delete A a-1", "create A", "create B", "delete A a-2", "create A"}
	if got := h.rec.entries(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if v := h.rec.request("A").Properties["V"]; fmt.Sprint(v) != "1" {
		t.Errorf("A restored with V=%v", v)
	}
}

func TestCreateStackThroughTheSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	out, err := h.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Api"),
		TemplateBody: aws.String(`{"Parameters": {"N": {"Type": "String"}}, "Resources": {"A": {"Type": "Test::Thing", "Properties": {"N": {"Ref": "N"}}}}, "Outputs": {"O": {"Value": {"Fn::Sub": "${A}-${N}"}, "Export": {"Name": "exported"}}}}`),
		Parameters:   []types.Parameter{{ParameterKey: aws.String("N"), ParameterValue: aws.String("seven")}}})
	if err != nil {
		t.Fatalf("CreateStack: %v", err)
	}
	waiter := cloudformation.NewStackCreateCompleteWaiter(h.cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Millisecond, 10*time.Millisecond
	})
	ds, err := waiter.WaitForOutput(ctx, &cloudformation.DescribeStacksInput{StackName: out.StackId}, 10*time.Second)
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	o := ds.Stacks[0].Outputs[0]
	if aws.ToString(o.OutputValue) != "a-1-seven" || aws.ToString(o.ExportName) != "exported" {
		t.Errorf("output %+v", o)
	}
	_, err = h.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Api"), TemplateBody: aws.String(`{"Resources": {"A": {"Type": "Test::Thing"}}}`)})
	var exists *types.AlreadyExistsException
	if !errors.As(err, &exists) {
		t.Errorf("second CreateStack: %v", err)
	}
	_, err = h.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("Bad"), TemplateBody: aws.String(`{"Resources": {"A": {"Type": "Test::Thing", "DependsOn": "A2"}}}`)})
	if err == nil || !strings.Contains(err.Error(), "Unresolved resource dependencies [A2]") {
		t.Errorf("invalid CreateStack: %v", err)
	}
	r, err := h.cfn.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("Api"), LogicalResourceId: aws.String("A")})
	if err != nil || aws.ToString(r.StackResourceDetail.PhysicalResourceId) != "a-1" {
		t.Errorf("DescribeStackResource: %v", err)
	}
	rs, err := h.cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{PhysicalResourceId: aws.String("a-1")})
	if err != nil || len(rs.StackResources) != 1 || aws.ToString(rs.StackResources[0].StackName) != "Api" {
		t.Errorf("DescribeStackResources: %v", err)
	}
}

func BenchmarkDeploy200Resources(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"Resources": {`)
	for i := range 200 {
		if i > 0 {
			sb.WriteString(",")
		}
		dep := ""
		if i > 0 {
			dep = fmt.Sprintf(`, "Properties": {"Parent": {"Fn::Sub": "${R%d}-${AWS::Region}"}}`, i/2)
		}
		fmt.Fprintf(&sb, `"R%d": {"Type": "Test::Thing"%s}`, i, dep)
	}
	sb.WriteString(`}}`)
	body := []byte(sb.String())
	rec := newRecorder()
	e := New(Options{Provisioners: rec.registry("Test::Thing")})
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		name := fmt.Sprintf("S%d", i)
		if _, err := e.DeployTemplate(ctx, TemplateInput{StackName: name, Body: body}); err != nil {
			b.Fatal(err)
		}
		if err := e.DeleteStack(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
}

package stepfunctions

import (
	"context"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

func machineRequest(props map[string]any) cfnresource.Request {
	return cfnresource.Request{StackName: "App", LogicalID: "TestMachine", Type: "AWS::StepFunctions::StateMachine", Properties: props}
}

func TestProvisionerSubstitutionsAndUpdate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.svc.Provisioners()["AWS::StepFunctions::StateMachine"]
	req := machineRequest(map[string]any{
		"RoleArn":                 roleArn,
		"DefinitionString":        `{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"${FnArn}","End":true}}}`,
		"DefinitionSubstitutions": map[string]any{"FnArn": "arn:aws:lambda:us-east-1:000000000000:function:fn"},
		"TracingConfiguration":    map[string]any{"Enabled": true},
	})
	res, err := p.Create(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	name := res.Attributes["Name"].(string)
	if !strings.HasPrefix(name, "TestMachine-") || res.RefValue() != res.Attributes["Arn"] || res.Attributes["StateMachineRevisionId"] == "" {
		t.Fatalf("resource = %+v", res)
	}
	d, err := f.svc.DescribeStateMachine(ctx, &StateMachineArnInput{StateMachineArn: res.PhysicalID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d.Definition, `"Resource":"arn:aws:lambda:us-east-1:000000000000:function:fn"`) || !d.TracingConfiguration.Enabled {
		t.Fatalf("describe = %+v", d)
	}
	if r := f.run(t, res.PhysicalID, `{"x":1}`); r.Status != StatusSucceeded || f.lambda.Calls()[0].Function != "arn:aws:lambda:us-east-1:000000000000:function:fn" {
		t.Fatalf("run = %+v, calls %+v", r, f.lambda.Calls())
	}

	// A new definition (an object this time) updates the machine in place.
	newReq := machineRequest(map[string]any{"RoleArn": roleArn,
		"Definition": map[string]any{"StartAt": "S", "States": map[string]any{"S": map[string]any{"Type": "Succeed"}}}})
	updated, err := p.(interface {
		Update(ctx context.Context, req, old cfnresource.Request, res cfnresource.Resource) (cfnresource.Resource, error)
	}).Update(ctx, newReq, req, res)
	if err != nil {
		t.Fatal(err)
	}
	if updated.PhysicalID != res.PhysicalID || updated.Attributes["StateMachineRevisionId"] == res.Attributes["StateMachineRevisionId"] {
		t.Fatalf("updated = %+v, was %+v", updated, res)
	}
	d, _ = f.svc.DescribeStateMachine(ctx, &StateMachineArnInput{StateMachineArn: res.PhysicalID})
	if d.Definition != `{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}` {
		t.Fatalf("definition after update = %s", d.Definition)
	}
	if err := p.Delete(ctx, newReq, updated); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DescribeStateMachine(ctx, &StateMachineArnInput{StateMachineArn: res.PhysicalID}); err == nil {
		t.Fatal("state machine survived Delete")
	}
}

func TestProvisionerRejectsBadDefinitions(t *testing.T) {
	f := newFixture(t)
	p := f.svc.Provisioners()["AWS::StepFunctions::StateMachine"]
	cases := map[string]struct {
		props map[string]any
		want  string
	}{
		"invalid definition": {map[string]any{"RoleArn": roleArn, "StateMachineName": "broken",
			"DefinitionString": `{"StartAt":"Missing","States":{"A":{"Type":"Succeed"}}}`}, "InvalidDefinition: Invalid State Machine Definition: '"},
		"S3 location": {map[string]any{"RoleArn": roleArn, "DefinitionS3Location": map[string]any{"Bucket": "b", "Key": "k"}},
			"DefinitionS3Location is not supported"},
		"no definition": {map[string]any{"RoleArn": roleArn}, "one of Definition, DefinitionString or DefinitionS3Location is required"},
	}
	for name, c := range cases {
		_, err := p.Create(context.Background(), machineRequest(c.props))
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "TestMachine") {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
	list, _ := f.svc.ListStateMachines(context.Background(), &ListStateMachinesInput{})
	if len(list.StateMachines) != 0 {
		t.Fatalf("failed creates left %+v", list.StateMachines)
	}
}

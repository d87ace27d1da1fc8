package stepfunctions

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

const passDef = `{"StartAt":"P","States":{"P":{"Type":"Pass","Result":{"ok":true},"End":true}}}`

func TestStateMachineCreateDescribeListDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	arnA := f.create(t, "alpha", passDef, "")
	if arnA != "arn:aws:states:us-east-1:000000000000:stateMachine:alpha" {
		t.Fatalf("arn = %s", arnA)
	}
	f.create(t, "beta", passDef, types.StateMachineTypeExpress)

	d, err := f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arnA)})
	if err != nil {
		t.Fatal(err)
	}
	if *d.Name != "alpha" || *d.Definition != passDef || *d.RoleArn != roleArn || d.Type != types.StateMachineTypeStandard ||
		d.Status != types.StateMachineStatusActive || d.CreationDate == nil || d.RevisionId == nil {
		t.Fatalf("describe = %+v", d)
	}

	// Same definition and role: the existing machine; another: an error.
	if again := f.create(t, "alpha", passDef, ""); again != arnA {
		t.Fatalf("idempotent create = %s", again)
	}
	_, err = f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("alpha"), RoleArn: aws.String(roleArn),
		Definition: aws.String(`{"StartAt":"X","States":{"X":{"Type":"Succeed"}}}`)})
	wantAPIError(t, err, "StateMachineAlreadyExists", "State Machine Already Exists: '"+arnA+"'")

	_, err = f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad name"), RoleArn: aws.String(roleArn), Definition: aws.String(passDef)})
	wantAPIError(t, err, "InvalidName", "Invalid Name: 'bad name'")

	list, err := f.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{MaxResults: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StateMachines) != 1 || *list.StateMachines[0].Name != "alpha" || list.NextToken == nil {
		t.Fatalf("first page = %+v", list)
	}
	list, err = f.client.ListStateMachines(ctx, &sfn.ListStateMachinesInput{NextToken: list.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.StateMachines) != 1 || *list.StateMachines[0].Name != "beta" || list.StateMachines[0].Type != types.StateMachineTypeExpress || list.NextToken != nil {
		t.Fatalf("second page = %+v", list)
	}

	up, err := f.client.UpdateStateMachine(ctx, &sfn.UpdateStateMachineInput{StateMachineArn: aws.String(arnA),
		Definition: aws.String(`{"StartAt":"S","States":{"S":{"Type":"Succeed"}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	if *up.RevisionId == *d.RevisionId {
		t.Fatal("UpdateStateMachine kept the revision id")
	}

	if _, err := f.client.DeleteStateMachine(ctx, &sfn.DeleteStateMachineInput{StateMachineArn: aws.String(arnA)}); err != nil {
		t.Fatal(err)
	}
	_, err = f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(arnA)})
	wantAPIError(t, err, "StateMachineDoesNotExist", "State Machine Does Not Exist: '"+arnA+"'")
	_, err = f.client.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String("not-an-arn")})
	wantAPIError(t, err, "InvalidArn", "Invalid Arn: 'Invalid ARN prefix: not-an-arn'")
}

func TestInvalidDefinitionRejected(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := `{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"Nowhere"}}}`
	_, err := f.client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("bad"), RoleArn: aws.String(roleArn), Definition: aws.String(bad)})
	wantAPIError(t, err, "InvalidDefinition", "Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET")
	wantAPIError(t, err, "InvalidDefinition", "Nowhere")

	v, err := f.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(bad)})
	if err != nil {
		t.Fatal(err)
	}
	if v.Result != types.ValidateStateMachineDefinitionResultCodeFail || len(v.Diagnostics) == 0 {
		t.Fatalf("validate = %+v", v)
	}
	diag := v.Diagnostics[0]
	if diag.Severity != types.ValidateStateMachineDefinitionSeverityError || *diag.Code != "MISSING_TRANSITION_TARGET" ||
		*diag.Location != "/States/A/Next" || !strings.Contains(*diag.Message, "Nowhere") {
		t.Fatalf("diagnostic = %+v", diag)
	}
	v, err = f.client.ValidateStateMachineDefinition(ctx, &sfn.ValidateStateMachineDefinitionInput{Definition: aws.String(passDef)})
	if err != nil || v.Result != types.ValidateStateMachineDefinitionResultCodeOk || len(v.Diagnostics) != 0 {
		t.Fatalf("validate good = %+v, %v", v, err)
	}
}

package diagnose_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
)

func TestStoppedPipeIsNamed(t *testing.T) {
	a := deployApp(t)
	pipe := a.physicalID(t, "UsersPipe")
	if _, err := pipes.NewFromConfig(a.cfg).StopPipe(context.Background(), &pipes.StopPipeInput{Name: aws.String(pipe)}); err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(context.Background(), a.putItem(t, "USER#stopped", "corr-stopped"))
	expectBroken(t, r, err, "pipe", "pipe "+pipe+" is STOPPED")
}

func TestPipeFilterNamesTheRejectedField(t *testing.T) {
	a := deployApp(t)
	pipe := a.physicalID(t, "UsersPipe")
	r, err := a.d.Static(context.Background(), a.putItem(t, "ORDER#1", "corr-order"))
	expectBroken(t, r, err, "pipe filter",
		`pipe `+pipe+`'s filter drops the record: dynamodb.Keys.PK.S is "ORDER#1", the filter wants [{"prefix":"USER#"}]`)
}

func TestPipeRoleWithoutAGrantIsNamed(t *testing.T) {
	a := deployApp(t)
	ctx := context.Background()
	client := iam.NewFromConfig(a.cfg)
	roleName := a.physicalID(t, "UsersPipeRole")
	role, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(roleName)})
	if err != nil {
		t.Fatal(err)
	}
	stream := a.streamARN(t)
	// The pipe's policy without dynamodb:GetRecords.
	_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("Pipe"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["dynamodb:DescribeStream","dynamodb:GetShardIterator","dynamodb:ListStreams"],"Resource":"` + stream + `"},
			{"Effect":"Allow","Action":["lambda:InvokeFunction","sqs:SendMessage"],"Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.d.Static(ctx, a.putItem(t, "USER#unread", "corr-unread"))
	expectBroken(t, r, err, "role", aws.ToString(role.Role.Arn)+" is not authorized to perform: dynamodb:GetRecords on resource: "+stream+
		" because no identity-based policy allows the dynamodb:GetRecords action")
}

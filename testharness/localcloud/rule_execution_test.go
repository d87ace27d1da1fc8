package localcloud_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/tracebridge/tracebridge/testharness/localcloud"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// ruleToStateMachineTemplate: a rule with two state machine targets, one
// whose role may start the machine (its input transformed), one whose
// role may not (its deliveries go to a dead-letter queue).
func ruleToStateMachineTemplate() map[string]any {
	getAtt := func(id, attr string) any { return map[string]any{"Fn::GetAtt": []string{id, attr}} }
	eventsTrust := policyDocument(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
		"Principal": map[string]any{"Service": "events.amazonaws.com"}})
	return map[string]any{"Resources": map[string]any{
		"MachineRole": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": policyDocument(map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": map[string]any{"Service": "states.amazonaws.com"}})}},
		"Machine": map[string]any{"Type": "AWS::StepFunctions::StateMachine", "Properties": map[string]any{
			"RoleArn":          getAtt("MachineRole", "Arn"),
			"DefinitionString": `{"StartAt":"Done","States":{"Done":{"Type":"Pass","End":true}}}`}},
		"StartRole": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
			"AssumeRolePolicyDocument": eventsTrust,
			"Policies": []any{map[string]any{"PolicyName": "start", "PolicyDocument": policyDocument(map[string]any{
				"Effect": "Allow", "Action": "states:StartExecution", "Resource": map[string]any{"Ref": "Machine"}})}}}},
		"NoRole":      map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{"AssumeRolePolicyDocument": eventsTrust}},
		"DeadLetters": map[string]any{"Type": "AWS::SQS::Queue"},
		"DeadLettersPolicy": map[string]any{"Type": "AWS::SQS::QueuePolicy", "Properties": map[string]any{
			"Queues": []any{map[string]any{"Ref": "DeadLetters"}},
			"PolicyDocument": policyDocument(map[string]any{"Effect": "Allow", "Action": "sqs:SendMessage",
				"Principal": map[string]any{"Service": "events.amazonaws.com"}, "Resource": getAtt("DeadLetters", "Arn")})}},
		"Rule": map[string]any{"Type": "AWS::Events::Rule", "DependsOn": "DeadLettersPolicy", "Properties": map[string]any{
			"Name": "orders", "EventPattern": map[string]any{"source": []string{"shop"}},
			"Targets": []any{
				map[string]any{"Id": "start", "Arn": map[string]any{"Ref": "Machine"}, "RoleArn": getAtt("StartRole", "Arn"),
					"InputTransformer": map[string]any{"InputPathsMap": map[string]string{"order": "$.detail.order"},
						"InputTemplate": `{"order": <order>, "from": "rule"}`}},
				map[string]any{"Id": "denied", "Arn": map[string]any{"Ref": "Machine"}, "RoleArn": getAtt("NoRole", "Arn"),
					"DeadLetterConfig": map[string]any{"Arn": getAtt("DeadLetters", "Arn")}},
			}}},
	}}
}

// An EventBridge rule starts a state machine as its target's role, with
// the input its InputTransformer makes; a role that may not start it
// sends the event to the dead-letter queue with NO_PERMISSIONS.
func TestRuleStartsAStateMachineAsItsTargetRole(t *testing.T) {
	body, err := json.Marshal(ruleToStateMachineTemplate())
	if err != nil {
		t.Fatal(err)
	}
	cloud := localcloud.RunT(t, localcloud.Options{})
	ctx := context.Background()
	res, err := cloud.CloudFormation.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "Orders", Body: body})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	cfg := awstest.Config(t, cloud.Endpoint())
	events, states, queues := eventbridge.NewFromConfig(cfg), sfn.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	put, err := events.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source: aws.String("shop"), DetailType: aws.String("Order Placed"), Detail: aws.String(`{"order":{"id":"o-1","total":12}}`)}}})
	if err != nil || put.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %+v %v", put, err)
	}
	settled, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := cloud.WaitSettled(settled, time.Time{}); err != nil {
		t.Fatal(err)
	}

	machine := res.PhysicalIDs["Machine"]
	list, err := states.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
	if err != nil || len(list.Executions) != 1 {
		t.Fatalf("ListExecutions = %+v, %v; want the one the permitted target started", list, err)
	}
	exec, err := states.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: list.Executions[0].ExecutionArn})
	if err != nil {
		t.Fatal(err)
	}
	var input map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(exec.Input)), &input); err != nil || input["from"] != "rule" ||
		input["order"].(map[string]any)["id"] != "o-1" {
		t.Errorf("execution input = %s, want the transformed event", aws.ToString(exec.Input))
	}
	dead, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(res.PhysicalIDs["DeadLetters"]),
		MessageAttributeNames: []string{"All"}})
	if err != nil || len(dead.Messages) != 1 {
		t.Fatalf("dead-letter queue = %+v, %v; want the denied target's event", dead, err)
	}
	attrs := dead.Messages[0].MessageAttributes
	if code := aws.ToString(attrs["ERROR_CODE"].StringValue); code != "NO_PERMISSIONS" {
		t.Errorf("ERROR_CODE = %q (%s), want NO_PERMISSIONS", code, aws.ToString(attrs["ERROR_MESSAGE"].StringValue))
	}

	// A state machine target without a role is refused outright.
	_, err = events.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("orders"),
		Targets: []ebtypes.Target{{Id: aws.String("roleless"), Arn: aws.String(machine)}}})
	wantAPIError(t, err, "ValidationException", "RoleArn is required for target "+machine+".")
}

package iam

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/clock"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
	"github.com/tracebridge/tracebridge/testharness/localcloud/gateway"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
	"github.com/tracebridge/tracebridge/testharness/localcloud/internal/awstest"
)

// The shapes CDK synthesizes for a function's role and its default policy.
const rolesTemplate = `{"Resources": {
	"HandlerServiceRole": {"Type": "AWS::IAM::Role", "Properties": {
		"AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}}], "Version": "2012-10-17"},
		"ManagedPolicyArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]]}],
		"Policies": [{"PolicyName": "Inline", "PolicyDocument": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\"}]}"}]}},
	"HandlerServiceRoleDefaultPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
		"PolicyName": "HandlerServiceRoleDefaultPolicy",
		"PolicyDocument": {"Statement": [{"Action": ["s3:GetObject*", "s3:PutObject"], "Effect": "Allow", "Resource": "arn:aws:s3:::bucket/*"}], "Version": "2012-10-17"},
		"Roles": [{"Ref": "HandlerServiceRole"}]}},
	"Extra": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
		"Path": "/app/",
		"PolicyDocument": {"Statement": [{"Action": "events:PutEvents", "Effect": "Allow", "Resource": "*"}], "Version": "2012-10-17"},
		"Roles": [{"Ref": "HandlerServiceRole"}]}},
	"Named": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "named-role", "Path": "/service-role/",
		"AssumeRolePolicyDocument": {"Statement": [{"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}}]}}}
}, "Outputs": {"RoleArn": {"Value": {"Fn::GetAtt": ["HandlerServiceRole", "Arn"]}}, "RoleName": {"Value": {"Ref": "HandlerServiceRole"}},
	"PolicyArn": {"Value": {"Ref": "Extra"}}, "RoleId": {"Value": {"Fn::GetAtt": ["Named", "RoleId"]}}}}`

func setup(t *testing.T) (*Service, *cloudformation.Engine, *iam.Client) {
	t.Helper()
	clk := clock.NewFake(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	s := New(Options{Clock: clk})
	g := gateway.New(identity.NewStore())
	g.Register(s.Route())
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	e := cloudformation.New(cloudformation.Options{Clock: clk, Provisioners: s.Provisioners(), Endpoint: srv.URL})
	return s, e, iam.NewFromConfig(awstest.Config(t, srv.URL))
}

func TestRolesAndPoliciesFromATemplate(t *testing.T) {
	s, e, client := setup(t)
	ctx := context.Background()
	res, err := e.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "App", Body: []byte(rolesTemplate)})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	roleName := res.Outputs["RoleName"]
	if !strings.HasPrefix(roleName, "App-HandlerServiceRole-") || res.Outputs["RoleArn"] != "arn:aws:iam::000000000000:role/"+roleName {
		t.Errorf("outputs %v", res.Outputs)
	}
	if !strings.HasPrefix(res.Outputs["PolicyArn"], "arn:aws:iam::000000000000:policy/app/App-Extra-") || !strings.HasPrefix(res.Outputs["RoleId"], "AROA") {
		t.Errorf("outputs %v", res.Outputs)
	}

	policies, err := s.RolePolicies(res.Outputs["RoleArn"])
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range policies {
		names = append(names, p.Name)
		if p.Document == nil {
			t.Errorf("policy %s has no document", p.Name)
		}
	}
	if want := []string{"HandlerServiceRoleDefaultPolicy", "Inline", "AWSLambdaBasicExecutionRole", res.Outputs["PolicyArn"][strings.LastIndex(res.Outputs["PolicyArn"], "/")+1:]}; !reflect.DeepEqual(names, want) {
		t.Errorf("policies = %v, want %v", names, want)
	}
	stmt := policies[0].Document["Statement"].([]any)[0].(map[string]any)
	if !reflect.DeepEqual(stmt["Action"], []any{"s3:GetObject*", "s3:PutObject"}) {
		t.Errorf("statement %v", stmt)
	}
	if policies[1].Document["Statement"].([]any)[0].(map[string]any)["Action"] != "sqs:SendMessage" {
		t.Errorf("inline policy from a JSON string: %v", policies[1].Document)
	}

	// The SDK reads the same through the query API.
	got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("named-role")})
	if err != nil {
		t.Fatalf("GetRole: %v", err)
	}
	if aws.ToString(got.Role.Arn) != "arn:aws:iam::000000000000:role/service-role/named-role" || aws.ToString(got.Role.Path) != "/service-role/" ||
		!got.Role.CreateDate.Equal(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("role %+v", got.Role)
	}
	trust, _ := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if !strings.Contains(trust, `"states.amazonaws.com"`) {
		t.Errorf("trust policy %s", trust)
	}
	list, err := client.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil || len(list.Roles) != 2 {
		t.Fatalf("ListRoles: %v %d", err, len(list.Roles))
	}
	inline, err := client.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil || !reflect.DeepEqual(inline.PolicyNames, []string{"HandlerServiceRoleDefaultPolicy", "Inline"}) {
		t.Errorf("ListRolePolicies: %v %v", err, inline)
	}
	doc, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("Inline")})
	if err != nil {
		t.Fatalf("GetRolePolicy: %v", err)
	}
	if raw, _ := url.QueryUnescape(aws.ToString(doc.PolicyDocument)); !strings.Contains(raw, "sqs:SendMessage") {
		t.Errorf("policy document %s", raw)
	}
	attached, err := client.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleName)})
	if err != nil || len(attached.AttachedPolicies) != 2 || aws.ToString(attached.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Errorf("ListAttachedRolePolicies: %v %+v", err, attached)
	}

	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("ghost")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchEntity" || apiErr.ErrorMessage() != "The role with name ghost cannot be found." {
		t.Errorf("GetRole ghost: %v", err)
	}

	// Deleting the stack removes the policy from the role, then the roles.
	if err := e.DeleteStack(ctx, "App"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Role(res.Outputs["RoleArn"]); err == nil {
		t.Error("role survived the stack")
	}
}

func TestPolicyForMissingRoleFails(t *testing.T) {
	_, e, _ := setup(t)
	_, err := e.DeployTemplate(context.Background(), cloudformation.TemplateInput{StackName: "Bad", Body: []byte(`{"Resources": {
		"P": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "p", "PolicyDocument": {"Statement": []}, "Roles": ["ghost"]}}}}`)})
	if err == nil || !strings.Contains(err.Error(), "The role with name ghost cannot be found.") {
		t.Errorf("err = %v", err)
	}
}

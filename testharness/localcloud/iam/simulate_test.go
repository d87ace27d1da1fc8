package iam

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cloudformation"
)

// simulate asks the simulator about one action on one resource.
func simulate(t *testing.T, client *iam.Client, role, action, resource string) types.EvaluationResult {
	t.Helper()
	out, err := client.SimulatePrincipalPolicy(context.Background(), &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(role), ActionNames: []string{action}, ResourceArns: []string{resource},
	})
	if err != nil {
		t.Fatalf("SimulatePrincipalPolicy %s on %s: %v", action, resource, err)
	}
	if len(out.EvaluationResults) != 1 {
		t.Fatalf("%d evaluation results, want one per action", len(out.EvaluationResults))
	}
	return out.EvaluationResults[0]
}

func TestSimulatePrincipalPolicyDecidesAsTheRoleIsAuthorized(t *testing.T) {
	_, e, client := setup(t)
	ctx := context.Background()
	res, err := e.DeployTemplate(ctx, cloudformation.TemplateInput{StackName: "App", Body: []byte(rolesTemplate)})
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	role, roleName := res.Outputs["RoleArn"], res.Outputs["RoleName"]

	for _, c := range []struct {
		action, resource, decision, policy, policyType string
	}{
		{"s3:PutObject", "arn:aws:s3:::bucket/a.png", "allowed", "HandlerServiceRoleDefaultPolicy", "role"},
		{"s3:DeleteObject", "arn:aws:s3:::bucket/a.png", "implicitDeny", "", ""},
		{"events:PutEvents", "arn:aws:events:us-east-1:000000000000:event-bus/default", "allowed", "Extra", "user-managed"},
		{"logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:g:log-stream:s", "allowed", "AWSLambdaBasicExecutionRole", "aws-managed"},
	} {
		r := simulate(t, client, role, c.action, c.resource)
		if aws.ToString(r.EvalActionName) != c.action || aws.ToString(r.EvalResourceName) != c.resource || string(r.EvalDecision) != c.decision {
			t.Errorf("%s: result %s on %s = %s, want %s", c.action, aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName), r.EvalDecision, c.decision)
		}
		if len(r.ResourceSpecificResults) != 1 || string(r.ResourceSpecificResults[0].EvalResourceDecision) != c.decision {
			t.Errorf("%s: resource-specific results %+v", c.action, r.ResourceSpecificResults)
		}
		if c.policy == "" {
			if len(r.MatchedStatements) != 0 {
				t.Errorf("%s: an implicit deny matched %+v", c.action, r.MatchedStatements)
			}
			continue
		}
		if len(r.MatchedStatements) != 1 || !strings.Contains(aws.ToString(r.MatchedStatements[0].SourcePolicyId), c.policy) ||
			string(r.MatchedStatements[0].SourcePolicyType) != c.policyType {
			t.Errorf("%s: matched statements %+v, want policy %s of type %s", c.action, r.MatchedStatements, c.policy, c.policyType)
		}
	}

	// An inline deny put through the API wins over the allow; deleting it
	// restores the allow.
	_, err = client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("NoWrites"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatalf("PutRolePolicy: %v", err)
	}
	if r := simulate(t, client, role, "s3:PutObject", "arn:aws:s3:::bucket/a.png"); r.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny ||
		len(r.MatchedStatements) != 1 || aws.ToString(r.MatchedStatements[0].SourcePolicyId) != "NoWrites" {
		t.Errorf("after the deny: %s %+v", r.EvalDecision, r.MatchedStatements)
	}
	if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("NoWrites")}); err != nil {
		t.Fatalf("DeleteRolePolicy: %v", err)
	}
	if r := simulate(t, client, role, "s3:PutObject", "arn:aws:s3:::bucket/a.png"); r.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed {
		t.Errorf("after deleting the deny: %s", r.EvalDecision)
	}
	if _, err := client.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String(roleName), PolicyName: aws.String("NoWrites")}); !isCode(err, "NoSuchEntity") {
		t.Errorf("DeleteRolePolicy of a deleted policy: %v", err)
	}

	_, err = client.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/ghost"), ActionNames: []string{"s3:GetObject"}})
	if !isCode(err, "NoSuchEntity") {
		t.Errorf("simulating a missing role: %v", err)
	}
}

func isCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

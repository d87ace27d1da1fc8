package diagnose

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// denials asks the IAM policy simulator whether role may perform each
// action on resource and returns a sentence per action it may not, in the
// words of AWS's AccessDenied messages.
func (d *Diagnoser) denials(ctx context.Context, role string, actions []string, resource string) ([]string, error) {
	out, err := d.iam.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String(role), ActionNames: actions, ResourceArns: []string{resource},
	})
	if err != nil {
		return nil, fmt.Errorf("SimulatePrincipalPolicy %s: %w", role, err)
	}
	var denied []string
	for _, r := range out.EvaluationResults {
		action := aws.ToString(r.EvalActionName)
		switch r.EvalDecision {
		case iamtypes.PolicyEvaluationDecisionTypeAllowed:
		case iamtypes.PolicyEvaluationDecisionTypeExplicitDeny:
			denied = append(denied, fmt.Sprintf("%s is not authorized to perform: %s on resource: %s with an explicit deny in an identity-based policy", role, action, resource))
		default:
			denied = append(denied, fmt.Sprintf("%s is not authorized to perform: %s on resource: %s because no identity-based policy allows the %s action", role, action, resource, action))
		}
	}
	return denied, nil
}

// checkRole records the role's permission to do actions on resource as a
// link of the flow; it reports false when the role may not.
func (d *Diagnoser) checkRole(ctx context.Context, r *report, who, role string, actions []string, resource string) (bool, error) {
	denied, err := d.denials(ctx, role, actions, resource)
	if err != nil {
		return true, r.couldNotCheck(ctx, "role", role, err)
	}
	if len(denied) > 0 {
		r.broken("role", role, "%s cannot do its work: %s", who, strings.Join(denied, "; "))
		return false, nil
	}
	r.ok("role", role, fmt.Sprintf("%s may %s on %s", who, strings.Join(actions, ", "), resource))
	return true, nil
}

// glob matches s against an IAM-style pattern with * and ?.
func glob(pattern, s string) bool {
	var b strings.Builder
	b.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	ok, _ := regexp.MatchString(b.String(), s)
	return ok
}

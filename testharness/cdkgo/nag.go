package cdkgo

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Suppress records a cdk-nag suppression of rule on construct (and its
// children) with the reason a reviewer needs. appliesTo narrows it to the
// named findings, such as "Resource::*".
func Suppress(construct constructs.IConstruct, rule, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		list := make([]interface{}, len(appliesTo))
		for i, a := range appliesTo {
			list[i] = a
		}
		s.AppliesTo = &list
	}
	cdknag.NagSuppressions_AddResourceSuppressions(construct, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// LogicalID is the CloudFormation logical id of an L2 construct's resource,
// as cdk-nag prints it inside an appliesTo finding such as
// "Resource::<BucketABC123.Arn>/*".
func LogicalID(c constructs.IConstruct) string {
	return *awscdk.Stack_Of(c).GetLogicalId(c.Node().DefaultChild().(awscdk.CfnElement))
}

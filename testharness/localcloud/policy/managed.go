package policy

import (
	"embed"
	"fmt"
	"strings"
)

// managedDocs are the AWS managed policies the reference app attaches that
// the IAM store (iam/managed.go) does not already carry; that store keeps
// AWSLambdaBasicExecutionRole and AWSXrayWriteOnlyAccess. Documents as
// published in the AWS Managed Policy Reference
// (docs.aws.amazon.com/aws-managed-policy/latest/reference/<Name>.html),
// default version v1.
//
//go:embed managed/*.json
var managedDocs embed.FS

// AWSManaged returns an AWS managed policy's document by its ARN
// (arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole),
// or false for one this package does not ship.
func AWSManaged(policyARN string) ([]byte, bool) {
	name := policyARN[strings.LastIndex(policyARN, "/")+1:]
	if !strings.HasPrefix(policyARN, "arn:aws:iam::aws:policy/") || name == "" {
		return nil, false
	}
	doc, err := managedDocs.ReadFile(fmt.Sprintf("managed/%s.json", name))
	return doc, err == nil
}

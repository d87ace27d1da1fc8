package iam

// awsManagedPolicies are the documents of the AWS managed policies CDK
// apps attach most, by the path after arn:aws:iam::aws:policy/ (AWS
// publishes them in the IAM console and the Managed Policy Reference).
var awsManagedPolicies = map[string]map[string]any{
	"service-role/AWSLambdaBasicExecutionRole": {
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":   "Allow",
			"Action":   []any{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
			"Resource": "*",
		}},
	},
	"AWSXrayWriteOnlyAccess": {
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect": "Allow",
			"Action": []any{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
				"xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"},
			"Resource": "*",
		}},
	},
}

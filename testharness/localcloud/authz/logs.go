package authz

import (
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// groupName is the log group a request names (logGroupIdentifier may be
// the group's ARN).
func groupName(f *fields) string {
	if f.LogGroupName != "" {
		return f.LogGroupName
	}
	if a, err := arn.Parse(f.LogGroupIdentifier); err == nil {
		return strings.TrimSuffix(strings.TrimPrefix(a.Resource, "log-group:"), ":*")
	}
	return f.LogGroupIdentifier
}

// logGroup is arn:…:log-group:NAME:*, the resource CloudWatch Logs
// evaluates for log group operations (which is why policies name groups
// with the trailing ":*" that CloudFormation's Arn attribute has).
func logGroup(f *fields) []string {
	return []string{arn.New("logs", "log-group:"+groupName(f)+":*")}
}

// logStream is arn:…:log-group:NAME:log-stream:STREAM.
func logStream(f *fields) []string {
	return []string{arn.New("logs", "log-group:"+groupName(f)+":log-stream:"+f.LogStreamName)}
}

// logsService maps CloudWatch Logs (Service Authorization Reference,
// "Actions defined by Amazon CloudWatch Logs"): writing and reading a
// stream acts on the log-stream ARN, group operations on the group's.
var logsService = jsonService{prefix: "logs", ops: map[string]jsonRule{
	"PutLogEvents":          {resources: logStream},
	"CreateLogStream":       {resources: logStream},
	"DeleteLogStream":       {resources: logStream},
	"GetLogEvents":          {resources: logStream},
	"CreateLogGroup":        {resources: logGroup},
	"DeleteLogGroup":        {resources: logGroup},
	"DescribeLogStreams":    {resources: logGroup},
	"FilterLogEvents":       {resources: logGroup},
	"PutRetentionPolicy":    {resources: logGroup},
	"DeleteRetentionPolicy": {resources: logGroup},
	"PutMetricFilter":       {resources: logGroup},
	"DeleteMetricFilter":    {resources: logGroup},
	"PutSubscriptionFilter": {resources: logGroup},
	"TagLogGroup":           {resources: logGroup},
	"UntagLogGroup":         {resources: logGroup},
	"ListTagsLogGroup":      {resources: logGroup},
	"DescribeLogGroups":     {resources: one(func(*fields) string { return arn.New("logs", "log-group:*") })},
}}

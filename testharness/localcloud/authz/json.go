package authz

import (
	"encoding/json"
	"net/http"
	"strings"
)

// target is one question a request asks: may the principal do action on
// resource?
type target struct{ action, resource string }

// fields are the request members that name resources in the awsJson
// services' operations. encoding/json matches names case-insensitively,
// so "logGroupName" and "name" fill LogGroupName and Name.
type fields struct {
	// DynamoDB and DynamoDB Streams
	TableName, IndexName, StreamArn, ShardIterator, ResourceArn string
	RequestItems                                                map[string]json.RawMessage
	TransactItems                                               []map[string]struct{ TableName string }
	// SQS
	QueueUrl, QueueName string
	// EventBridge (Entries is PutEvents')
	EventBusName, Name, Rule, ArchiveName, ReplayName string
	Entries                                           []struct{ EventBusName string }
	// CloudWatch Logs
	LogGroupName, LogStreamName, LogGroupIdentifier string
	// Step Functions
	StateMachineArn, ExecutionArn string
}

// jsonRule maps one operation: the IAM action ("" for prefix:Operation)
// and the resources it acts on, or, for operations that ask several
// actions (TransactWriteItems), the targets themselves.
type jsonRule struct {
	action    string
	resources func(f *fields) []string
	targets   func(f *fields) []target
}

// jsonService is one awsJson service's mapping. Operations not in ops
// are prefix:Operation on "*".
type jsonService struct {
	prefix string
	ops    map[string]jsonRule
}

func (s jsonService) targets(r *http.Request, body []byte) ([]target, error) {
	_, op, ok := strings.Cut(r.Header.Get("X-Amz-Target"), ".")
	if !ok || op == "" {
		return nil, nil
	}
	rule, ok := s.ops[op]
	if !ok {
		return []target{{s.prefix + ":" + op, "*"}}, nil
	}
	var f fields
	if len(body) > 0 {
		// A member of an unexpected type leaves the others decoded; a body
		// that is not JSON is the service's to reject.
		if err := decodeFields(body, &f); err != nil {
			return nil, err
		}
	}
	if rule.targets != nil {
		return rule.targets(&f), nil
	}
	action := rule.action
	if action == "" {
		action = s.prefix + ":" + op
	}
	resources := rule.resources(&f)
	out := make([]target, 0, len(resources))
	for _, res := range resources {
		out = append(out, target{action, res})
	}
	return out, nil
}

// one returns a resources function of a single ARN.
func one(f func(f *fields) string) func(*fields) []string {
	return func(x *fields) []string { return []string{f(x)} }
}

// orARN keeps a name that is already an ARN (DynamoDB and Logs accept
// both) and builds the ARN of a plain name.
func orARN(name string, build func(string) string) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return build(name)
}

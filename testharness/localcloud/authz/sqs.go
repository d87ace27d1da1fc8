package authz

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// queueARN turns a queue URL (http://host/ACCOUNT/NAME) or a queue name
// into the queue's ARN.
func queueARN(urlOrName string) string {
	name := urlOrName
	if u, err := url.Parse(urlOrName); err == nil && u.Path != "" && strings.Contains(urlOrName, "/") {
		name = u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	}
	return arn.New("sqs", name)
}

func queue(f *fields) []string {
	if f.QueueUrl != "" {
		return []string{queueARN(f.QueueUrl)}
	}
	return []string{queueARN(f.QueueName)}
}

// sqsBatchActions are the actions of SQS's batch operations (Service
// Authorization Reference: a batch needs the single action).
var sqsBatchActions = map[string]string{
	"SendMessageBatch":             "sqs:SendMessage",
	"DeleteMessageBatch":           "sqs:DeleteMessage",
	"ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}

// sqsOps lists the SQS operations that act on a queue; the others
// (ListQueues) act on "*".
var sqsOps = map[string]jsonRule{}

func init() {
	for _, op := range []string{"SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
		"GetQueueAttributes", "SetQueueAttributes", "GetQueueUrl", "CreateQueue", "DeleteQueue", "PurgeQueue",
		"TagQueue", "UntagQueue", "ListQueueTags", "ListDeadLetterSourceQueues"} {
		sqsOps[op] = jsonRule{resources: queue}
	}
	for op, action := range sqsBatchActions {
		sqsOps[op] = jsonRule{action: action, resources: queue}
	}
}

var sqsService = jsonService{prefix: "sqs", ops: sqsOps}

// sqsTargets maps SQS in both of its protocols: awsJson (X-Amz-Target)
// and query (Action and QueueUrl form parameters, or the queue URL path).
func sqsTargets(r *http.Request, body []byte) ([]target, error) {
	if r.Header.Get("X-Amz-Target") != "" {
		return sqsService.targets(r, body)
	}
	params, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, err
	}
	for k, v := range r.URL.Query() {
		params[k] = append(params[k], v...)
	}
	op := params.Get("Action")
	rule, ok := sqsOps[op]
	if op == "" {
		return nil, nil
	}
	if !ok {
		return []target{{"sqs:" + op, "*"}}, nil
	}
	f := fields{QueueUrl: params.Get("QueueUrl"), QueueName: params.Get("QueueName")}
	if f.QueueUrl == "" && f.QueueName == "" && strings.Count(r.URL.Path, "/") == 2 {
		f.QueueUrl = r.URL.Path
	}
	action := rule.action
	if action == "" {
		action = "sqs:" + op
	}
	return []target{{action, queue(&f)[0]}}, nil
}

package localcloud

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/authz"
	"github.com/tracebridge/tracebridge/testharness/localcloud/observe"
)

// IAM in the local cloud: the gateway verifies and authorizes every
// request (gateway.Security with the authorizer built here), and the
// adapters in wiring.go ask the same authorizer about the calls services
// make to each other in process as a role:
//
//	Pipe role     ──▶ dynamodb:DescribeStream/GetRecords/GetShardIterator/ListStreams on its stream (pipes.Permissions)
//	Pipe role     ──▶ lambda:InvokeFunction, states:StartExecution, events:PutEvents on its target; sqs:SendMessage on its DLQ
//	State machine ──▶ lambda:InvokeFunction, events:PutEvents for its tasks
//	Function role ──▶ logs:CreateLogStream and logs:PutLogEvents for the output Lambda writes for it
//	Function role ──▶ sqs:ReceiveMessage/DeleteMessage/GetQueueAttributes on the queues its event source mappings poll
//
//	EventBridge   ──▶ sqs:SendMessage as events.amazonaws.com for a rule: the queue's policy must allow it
//	Target role   ──▶ states:StartExecution on a rule's state machine target (eventbridge.ExecutionStarter)
//
// EventBridge invoking a function as events.amazonaws.com is checked by
// Lambda against the function's resource policy (lambda.InvokeAsync).

// newAuthorizer builds the authorizer when IAM is on, nil when off. It
// also sets c.operationNames, which fault injection names requests with
// whether IAM is on or not.
func (c *Cloud) newAuthorizer(mode IAMMode) *authz.Authorizer {
	// Resource policies and S3 addresses are looked up through c at each
	// request: S3, SQS and the rest are built after the authorizer, which
	// their adapters need.
	a := authz.New(authz.Options{Roles: c.IAM, Resources: resourcePolicies{c},
		S3Address: func(r *http.Request) (bucket, key string) { return c.S3.Address(r) }})
	c.operationNames = a
	if mode == IAMOff {
		return nil
	}
	return a
}

// permissions asks the authorizer about an in-process call as the
// principal in ctx; with IAM off (nil) everything is allowed. Denials go
// to the history.
type permissions struct {
	a       *authz.Authorizer
	observe *observe.Recorder
}

func (p permissions) Check(ctx context.Context, service, action, resource string) error {
	if p.a == nil {
		return nil
	}
	err := p.a.Check(ctx, authz.Check{Service: service, Action: action, Resource: resource})
	recordDenial(ctx, p.observe, service, err)
	return err
}

// CheckService asks whether an AWS service principal, acting for
// sourceARN, may act on a resource: only the resource's policy can allow.
func (p permissions) CheckService(ctx context.Context, principal, service, action, resource, sourceARN string) error {
	if p.a == nil {
		return nil
	}
	err := p.a.CheckService(ctx, principal, authz.Check{Service: service, Action: action, Resource: resource,
		Context: map[string][]string{"aws:SourceArn": {sourceARN}}})
	recordDenial(ctx, p.observe, service, err)
	return err
}

// resourcePolicies finds the resource-based policy of an ARN through the
// owning service's Go API: a bucket's policy governs the bucket and its
// objects; a queue's policy its queue.
type resourcePolicies struct{ c *Cloud }

func (r resourcePolicies) ResourcePolicy(ctx context.Context, resourceARN string) (string, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return "", err
	}
	switch a.Service {
	case "s3":
		bucket, _, _ := strings.Cut(a.Resource, "/")
		return r.c.S3.BucketPolicy(ctx, bucket)
	case "sqs":
		url, err := r.c.SQS.QueueURL(ctx, a.Resource)
		if err != nil {
			return "", err
		}
		attrs, err := r.c.SQS.QueueAttributes(ctx, url, []string{"Policy"})
		return attrs["Policy"], err
	}
	return "", nil
}

// deniedGroups remembers the log groups whose writes were denied, so that
// the local cloud says so once per group rather than once per line.
type deniedGroups struct{ seen sync.Map }

// first tells whether group is denied for the first time.
func (d *deniedGroups) first(group string) bool {
	_, seen := d.seen.LoadOrStore(group, true)
	return !seen
}

// eventBusARN is the ARN of a bus named by name or ARN ("" is default).
func eventBusARN(nameOrARN string) string {
	switch {
	case strings.HasPrefix(nameOrARN, "arn:"):
		return nameOrARN
	case nameOrARN == "":
		nameOrARN = "default"
	}
	return arn.New("events", "event-bus/"+nameOrARN)
}

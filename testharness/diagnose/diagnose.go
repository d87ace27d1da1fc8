// Package diagnose follows the deployed glue of a test's flow through the
// public AWS APIs and names the first broken link, in the terms a person
// fixes it with: a bucket that does not send events to EventBridge, a rule
// whose pattern rejects a field of the act's event, a rule without a
// target, a function whose resource policy does not let the rule invoke
// it, a pipe that is stopped or whose filter drops the record, a queue no
// event source mapping reads or whose mapping is disabled or filters the
// message out, a role the IAM policy simulator denies an action,
// deliveries or messages that land in a dead-letter queue, a function
// that logged an error.
//
// A read that fails (throttled, denied, any API error) leaves its link
// unchecked, named with the read and AWS's error, and the diagnosis goes
// on to the next links and the evidence; it fails only when nothing at
// all could be checked, or when its context ends.
//
// It reads the glue as deployed (notification configurations, rules,
// targets, policies, pipes), never a table of known breakages, and works
// against AWS and the local cloud alike. Static checks configuration only
// and is cheap enough to run right after a test's act; Full adds what
// happened (dead letters, logged errors).
package diagnose

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/pipes"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/tracebridge/tracebridge/testharness"
)

// Diagnoser holds the clients the diagnosis reads the glue with.
type Diagnoser struct {
	region          string
	s3              *s3.Client
	events          *eventbridge.Client
	lambda          *lambda.Client
	iam             *iam.Client
	pipes           *pipes.Client
	dynamodb        *dynamodb.Client
	dynamodbStreams *dynamodbstreams.Client
	sqs             *sqs.Client
	logs            *cloudwatchlogs.Client
	sts             *sts.Client

	mu     sync.Mutex
	caller *sts.GetCallerIdentityOutput // once known; guarded by mu
}

// New builds the clients from cfg (S3 as testharness.NewS3Client does).
func New(cfg aws.Config) *Diagnoser {
	return &Diagnoser{
		region:          cfg.Region,
		s3:              testharness.NewS3Client(cfg),
		events:          eventbridge.NewFromConfig(cfg),
		lambda:          lambda.NewFromConfig(cfg),
		iam:             iam.NewFromConfig(cfg),
		pipes:           pipes.NewFromConfig(cfg),
		dynamodb:        dynamodb.NewFromConfig(cfg),
		dynamodbStreams: dynamodbstreams.NewFromConfig(cfg),
		sqs:             sqs.NewFromConfig(cfg),
		logs:            cloudwatchlogs.NewFromConfig(cfg),
		sts:             sts.NewFromConfig(cfg),
	}
}

// Finding is one link of the flow as the diagnosis found it.
type Finding struct {
	// Link names the kind of glue: "bucket notifications", "rule",
	// "rule target", "invoke permission", "role", "dead-letter queue",
	// "function log", "table stream", "pipe", "pipe filter", "stream
	// record", "queue", "event source mapping", "mapping filter".
	Link string `json:"link"`
	// Resource is the name or ARN of what was checked.
	Resource string `json:"resource"`
	// OK is false for the broken link, and for an unchecked one.
	OK bool `json:"ok"`
	// Unchecked is the read that failed when the link could not be
	// checked: it is neither fine nor broken.
	Unchecked *FailedRead `json:"unchecked,omitempty"`
	// Detail says what was found, in the terms a person fixes it with.
	Detail string `json:"detail"`
}

// Report is the outcome of a diagnosis.
type Report struct {
	// Broken is the first broken link, nil when every link checked holds.
	Broken *Finding `json:"broken,omitempty"`
	// Path lists the links checked, in the order the flow passes them,
	// the unchecked ones included.
	Path []Finding `json:"path"`
}

// String is one paragraph a person reads in a test failure: the broken
// link, the links that are fine, and those that could not be checked.
func (r Report) String() string {
	var ok, unchecked []string
	for _, f := range r.Path {
		name := f.Link + " " + f.Resource
		switch {
		case f.Unchecked != nil:
			unchecked = append(unchecked, name+": "+f.Unchecked.String())
		case f.OK && !slices.Contains(ok, name):
			ok = append(ok, name)
		}
	}
	tail := ""
	if len(ok) > 0 {
		tail += " (checked and fine: " + strings.Join(ok, "; ") + ")"
	}
	if len(unchecked) > 0 {
		tail += " (could not check: " + strings.Join(unchecked, "; ") + ")"
	}
	switch {
	case r.Broken != nil:
		return "diagnosis: " + r.Broken.Detail + tail
	case len(unchecked) > 0:
		return "diagnosis: no link checked is broken, but not every link could be checked" + tail
	}
	return "diagnosis: every link of the flow checks out" + tail
}

// report collects findings in the order the flow passes them.
type report struct{ Report }

func (r *report) ok(link, resource, detail string) {
	r.Path = append(r.Path, Finding{Link: link, Resource: resource, OK: true, Detail: detail})
}

func (r *report) broken(link, resource, format string, args ...any) {
	r.Path = append(r.Path, Finding{Link: link, Resource: resource, Detail: fmt.Sprintf(format, args...)})
}

// done returns the report with Broken pointing at its first broken link.
func (r *report) done() Report {
	out := Report{Path: r.Path}
	for i := range out.Path {
		if !out.Path[i].OK && out.Path[i].Unchecked == nil {
			out.Broken = &out.Path[i]
			break
		}
	}
	return out
}

// firstHealthy follows n candidates (the rules that match an event, the
// pipes of a stream, the mappings of a queue), each into a report of its
// own, and keeps the first whose links all hold, or else the first with
// no broken link (some unchecked), or else the first candidate's: one
// working path is the flow, and an unrelated broken one is not its fault.
// follow reports whether its candidate has no broken link.
func (r *report) firstHealthy(n int, follow func(i int, sub *report) (bool, error)) error {
	var chosen *report
	best := -1
	for i := range n {
		var sub report
		notBroken, err := follow(i, &sub)
		if err != nil {
			return err
		}
		rank := 0
		if notBroken {
			rank = 1
			if !sub.hasUnchecked() {
				rank = 2
			}
		}
		if rank > best {
			chosen, best = &sub, rank
		}
		if best == 2 {
			break
		}
	}
	if chosen != nil {
		r.Path = append(r.Path, chosen.Path...)
	}
	return nil
}

// Static checks the configuration of the trigger's flow: cheap, read-only,
// safe to run right after the act.
func (d *Diagnoser) Static(ctx context.Context, t testharness.Trigger) (Report, error) {
	return d.diagnose(ctx, t, nil)
}

// Full checks the configuration and then what happened since t.At: the
// dead-letter queues of the flow's deliveries and the functions' logged
// errors that name this correlation id, object or item.
func (d *Diagnoser) Full(ctx context.Context, t testharness.Trigger, correlationID string) (Report, error) {
	return d.diagnose(ctx, t, &evidence{terms: []string{correlationID}, since: t.At})
}

// diagnose follows the trigger's flow; with ev it also looks for what
// happened.
func (d *Diagnoser) diagnose(ctx context.Context, t testharness.Trigger, ev *evidence) (Report, error) {
	var (
		r   report
		err error
	)
	switch {
	case t.S3Object != nil:
		err = d.objectFlow(ctx, &r, t, ev)
	case t.DynamoDBItem != nil:
		err = d.itemFlow(ctx, &r, t, ev)
	case t.SQSMessage != nil:
		err = d.messageFlow(ctx, &r, t, ev)
	default:
		return Report{}, fmt.Errorf("diagnose: the trigger names no S3 object, DynamoDB item or SQS message")
	}
	rep := r.done()
	if err != nil {
		return rep, fmt.Errorf("diagnose: %w", err)
	}
	if rep.Broken == nil && !slices.ContainsFunc(rep.Path, func(f Finding) bool { return f.OK }) {
		return rep, fmt.Errorf("diagnose: nothing could be checked: %s", rep)
	}
	return rep, nil
}

// account is the caller's account id, which S3 puts in its events
// (GetCallerIdentity needs no permission: STS API Reference).
func (d *Diagnoser) account(ctx context.Context) (string, error) {
	caller, err := d.callerIdentity(ctx)
	return aws.ToString(caller.Account), err
}

// partition is the caller's partition ("aws", "aws-cn", …), which the
// ARNs of its resources name.
func (d *Diagnoser) partition(ctx context.Context) (string, error) {
	caller, err := d.callerIdentity(ctx)
	return arnPart(aws.ToString(caller.Arn), 1), err
}

func (d *Diagnoser) callerIdentity(ctx context.Context) (*sts.GetCallerIdentityOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.caller != nil {
		return d.caller, nil
	}
	out, err := d.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return &sts.GetCallerIdentityOutput{}, fmt.Errorf("GetCallerIdentity: %w", err)
	}
	d.caller = out
	return out, nil
}

package diagnose

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// evidence is what Full looks for in what happened: the terms that name
// the run (its correlation id, the object's key, the item's key values)
// in logs and dead letters since the act.
type evidence struct {
	terms []string
	since time.Time
}

// mentions tells whether s names the run.
func (e *evidence) mentions(s string) bool {
	for _, t := range e.terms {
		if t != "" && strings.Contains(s, t) {
			return true
		}
	}
	return false
}

// maxDeadLetterReceives bounds the receives of one dead-letter queue: ten
// messages each.
const maxDeadLetterReceives = 3

// deadLetters returns the messages of a queue that about accepts, leaving
// every message visible to others: a receive, then a batch visibility
// change back to 0 (the SDK leaves a ReceiveMessage VisibilityTimeout of 0
// out of the request, so the queue's default would hide them).
func (d *Diagnoser) deadLetters(ctx context.Context, queueARN string, about func(sqstypes.Message) bool) ([]sqstypes.Message, error) {
	url, err := d.queueURL(ctx, queueARN)
	if err != nil {
		return nil, err
	}
	var found []sqstypes.Message
	seen := map[string]bool{}
	for range maxDeadLetterReceives {
		out, err := d.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			return nil, fmt.Errorf("ReceiveMessage %s: %w", queueARN, err)
		}
		if len(out.Messages) == 0 {
			break
		}
		entries := make([]sqstypes.ChangeMessageVisibilityBatchRequestEntry, 0, len(out.Messages))
		fresh := false
		for i, m := range out.Messages {
			entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(fmt.Sprint(i)), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0,
			})
			if id := aws.ToString(m.MessageId); !seen[id] {
				seen[id], fresh = true, true
				if about(m) {
					found = append(found, m)
				}
			}
		}
		if _, err := d.sqs.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: entries}); err != nil {
			return nil, fmt.Errorf("ChangeMessageVisibilityBatch %s: %w", queueARN, err)
		}
		if len(found) > 0 || !fresh {
			break
		}
	}
	return found, nil
}

// queueURL finds a queue's URL from its ARN.
func (d *Diagnoser) queueURL(ctx context.Context, queueARN string) (string, error) {
	out, err := d.sqs.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{
		QueueName: aws.String(arnResourceName(queueARN)), QueueOwnerAWSAccountId: aws.String(arnAccount(queueARN)),
	})
	if err != nil {
		return "", fmt.Errorf("GetQueueUrl %s: %w", queueARN, err)
	}
	return aws.ToString(out.QueueUrl), nil
}

// messageAttribute is a message attribute's string value.
func messageAttribute(m sqstypes.Message, name string) string {
	if a, ok := m.MessageAttributes[name]; ok {
		return aws.ToString(a.StringValue)
	}
	return ""
}

// targetEvidence looks at what a rule's deliveries to a target left: the
// dead letters of this event, and a function target's logged errors. It
// reports whether they show nothing broken.
func (d *Diagnoser) targetEvidence(ctx context.Context, r *report, rule ebtypes.Rule, t ebtypes.Target, ev *evidence) (bool, error) {
	ruleName, target := aws.ToString(rule.Name), aws.ToString(t.Arn)
	if t.DeadLetterConfig != nil && t.DeadLetterConfig.Arn != nil {
		queue := aws.ToString(t.DeadLetterConfig.Arn)
		letters, err := d.deadLetters(ctx, queue, func(m sqstypes.Message) bool { return ev.mentions(aws.ToString(m.Body)) })
		switch {
		case err != nil:
			if err := r.couldNotCheck(ctx, "dead-letter queue", queue, err); err != nil {
				return false, err
			}
		case len(letters) > 0:
			m := letters[0]
			// EventBridge's attributes on a dead letter (EventBridge User
			// Guide, "Using dead-letter queues to process undelivered events").
			r.broken("dead-letter queue", queue, "deliveries of rule %s to %s land in its dead-letter queue %s: ERROR_CODE %s, ERROR_MESSAGE %s",
				ruleName, arnResourceName(target), arnResourceName(queue), messageAttribute(m, "ERROR_CODE"), messageAttribute(m, "ERROR_MESSAGE"))
			return false, nil
		default:
			r.ok("dead-letter queue", queue, "holds no delivery of this event")
		}
	}
	if arnService(target) != "lambda" {
		return true, nil
	}
	return d.functionErrors(ctx, r, target, ev)
}

// errorLine picks log lines that report a failure: an error level, an
// error document, an AccessDenied.
var errorLine = regexp.MustCompile(`(?i)("level":\s*"(error|warn)"|level=(error|warn)|errorMessage|exception|not authorized|access ?denied|\berror\b|\bfail(ed|ure)?\b)`)

// functionErrors searches a function's log group for lines since the act
// that name the run and report a failure; it reports false when it finds
// one.
func (d *Diagnoser) functionErrors(ctx context.Context, r *report, function string, ev *evidence) (bool, error) {
	cfg, err := d.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		return true, r.couldNotCheck(ctx, "function log", function, err)
	}
	name := aws.ToString(cfg.FunctionName)
	group := "/aws/lambda/" + name
	if cfg.LoggingConfig != nil && aws.ToString(cfg.LoggingConfig.LogGroup) != "" {
		group = aws.ToString(cfg.LoggingConfig.LogGroup)
	}
	var terms []string
	for _, t := range ev.terms {
		if t != "" && !strings.ContainsAny(t, `"\`) {
			terms = append(terms, `?"`+t+`"`)
		}
	}
	if len(terms) == 0 {
		return true, nil
	}
	p := cloudwatchlogs.NewFilterLogEventsPaginator(d.logs, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName: aws.String(group), FilterPattern: aws.String(strings.Join(terms, " ")),
		StartTime: aws.Int64(ev.since.Add(-time.Second).UnixMilli()),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		var noGroup *logstypes.ResourceNotFoundException
		if errors.As(err, &noGroup) {
			r.ok("function log", group, "the function has logged nothing yet")
			return true, nil
		}
		if err != nil {
			return true, r.couldNotCheck(ctx, "function log", group, err)
		}
		for _, e := range page.Events {
			if msg := strings.TrimSpace(aws.ToString(e.Message)); errorLine.MatchString(msg) {
				r.broken("function log", group, "function %s failed on the event: %s", name, msg)
				return false, nil
			}
		}
	}
	r.ok("function log", group, "no error logged for this run")
	return true, nil
}

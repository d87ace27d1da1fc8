package diagnose

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/tracebridge/tracebridge/testharness"
)

// queueConsumerActions are what a function's execution role needs for
// its event source mapping to read a queue (AWS Lambda Developer Guide,
// "Using Lambda with Amazon SQS", execution role permissions).
var queueConsumerActions = []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}

// mappingReads tells whether an event source mapping in this state polls
// its queue, or will once it is made or enabled; Disabled, Disabling and
// Deleting mappings read nothing (Lambda API Reference,
// EventSourceMappingConfiguration State).
func mappingReads(state string) bool {
	switch state {
	case "Disabled", "Disabling", "Deleting":
		return false
	}
	return true
}

// sentMessage is the act's message as the diagnosis follows it.
type sentMessage struct {
	queueARN, id, body string
	at                 time.Time
	redrive            redrivePolicy
}

// redrivePolicy is a queue's RedrivePolicy attribute (Amazon SQS API
// Reference, SetQueueAttributes); maxReceiveCount comes as a number or a
// string.
type redrivePolicy struct {
	DeadLetterTargetArn string      `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.Number `json:"maxReceiveCount"`
}

// messageFlow follows a message sent to a queue: an event source mapping
// must read the queue, be enabled and let the message through its filter;
// the function's role must allow reading the queue; with evidence, the
// message must not sit in the queue's dead-letter queue, and the function
// must not have logged an error about it.
func (d *Diagnoser) messageFlow(ctx context.Context, r *report, t testharness.Trigger, ev *evidence) error {
	m := sentMessage{id: t.SQSMessage.MessageID, body: t.SQSMessage.Body, at: t.At}
	queue := t.SQSMessage.Queue
	url := queue
	if strings.HasPrefix(queue, "arn:") {
		var err error
		if url, err = d.queueURL(ctx, queue); err != nil {
			return r.couldNotCheck(ctx, "queue", queue, err)
		}
	}
	attrs, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNameRedrivePolicy}})
	if err != nil {
		return r.couldNotCheck(ctx, "queue", queue, fmt.Errorf("GetQueueAttributes %s: %w", url, err))
	}
	m.queueARN = attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
	if p := attrs.Attributes[string(sqstypes.QueueAttributeNameRedrivePolicy)]; p != "" {
		if err := jsonUnmarshal(p, &m.redrive); err != nil {
			return r.couldNotCheck(ctx, "queue", m.queueARN, fmt.Errorf("RedrivePolicy %s: %w", p, err))
		}
		r.ok("queue", m.queueARN, fmt.Sprintf("redrives a message received %s times to %s", m.redrive.MaxReceiveCount, m.redrive.DeadLetterTargetArn))
	} else {
		r.ok("queue", m.queueARN, "no redrive policy")
	}
	if ev != nil && m.id != "" {
		ev.terms = append(ev.terms, m.id)
	}
	mappings, err := d.queueMappings(ctx, m.queueARN)
	if err != nil {
		return r.couldNotCheck(ctx, "event source mapping", m.queueARN, err)
	}
	if len(mappings) == 0 {
		r.broken("event source mapping", m.queueARN, "no function reads queue %s: it has no event source mapping", arnResourceName(m.queueARN))
		return nil
	}
	return r.firstHealthy(len(mappings), func(i int, sub *report) (bool, error) {
		return d.followMapping(ctx, sub, mappings[i], m, ev)
	})
}

// queueMappings lists the event source mappings that read a queue.
func (d *Diagnoser) queueMappings(ctx context.Context, queueARN string) ([]lambdatypes.EventSourceMappingConfiguration, error) {
	var out []lambdatypes.EventSourceMappingConfiguration
	in := &lambda.ListEventSourceMappingsInput{EventSourceArn: aws.String(queueARN)}
	for {
		page, err := d.lambda.ListEventSourceMappings(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("ListEventSourceMappings %s: %w", queueARN, err)
		}
		out = append(out, page.EventSourceMappings...)
		if page.NextMarker == nil {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}

// followMapping checks one event source mapping of the queue against the
// message; it reports whether no link is broken.
func (d *Diagnoser) followMapping(ctx context.Context, r *report, mapping lambdatypes.EventSourceMappingConfiguration, m sentMessage, ev *evidence) (bool, error) {
	uuid, function := aws.ToString(mapping.UUID), aws.ToString(mapping.FunctionArn)
	queueName, functionName := arnResourceName(m.queueARN), arnResourceName(function)
	who := fmt.Sprintf("event source mapping %s (queue %s → function %s)", uuid, queueName, functionName)
	if state := aws.ToString(mapping.State); !mappingReads(state) {
		reason := ""
		if s := aws.ToString(mapping.StateTransitionReason); s != "" {
			reason = " (" + s + ")"
		}
		r.broken("event source mapping", uuid, "%s is %s%s: nothing reads the queue's messages", who, state, reason)
		return false, nil
	}
	r.ok("event source mapping", uuid, aws.ToString(mapping.State)+": function "+functionName+" reads queue "+queueName)
	event, err := sqsRecordEvent(m, arnPart(m.queueARN, 3))
	if err != nil {
		return false, err
	}
	owner := filterOwner{link: "mapping filter", resource: uuid, who: who, item: "message"}
	if ok, err := d.checkFilter(ctx, r, owner, mappingFilterPatterns(mapping.FilterCriteria), event); err != nil || !ok {
		return false, err
	}
	cfg, err := d.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		if err := r.couldNotCheck(ctx, "role", function, err); err != nil {
			return false, err
		}
	} else if ok, err := d.checkRole(ctx, r, "function "+functionName+" (reading queue "+queueName+")", aws.ToString(cfg.Role), queueConsumerActions, m.queueARN); err != nil || !ok {
		return false, err
	}
	if ev == nil {
		return true, nil
	}
	if dlq := m.redrive.DeadLetterTargetArn; dlq != "" {
		letters, err := d.deadLetters(ctx, dlq, func(l sqstypes.Message) bool {
			return (m.id != "" && aws.ToString(l.MessageId) == m.id) || ev.mentions(aws.ToString(l.Body))
		})
		switch {
		case err != nil:
			if err := r.couldNotCheck(ctx, "dead-letter queue", dlq, err); err != nil {
				return false, err
			}
		case len(letters) > 0:
			r.broken("dead-letter queue", dlq, "function %s took the message %s from queue %s %s times (maxReceiveCount) without deleting it, so the queue's redrive policy moved it to its dead-letter queue %s",
				functionName, aws.ToString(letters[0].MessageId), queueName, m.redrive.MaxReceiveCount, arnResourceName(dlq))
			return false, nil
		default:
			r.ok("dead-letter queue", dlq, "does not hold the message")
		}
	}
	return d.functionErrors(ctx, r, function, ev)
}

func mappingFilterPatterns(c *lambdatypes.FilterCriteria) []string {
	if c == nil {
		return nil
	}
	var patterns []string
	for _, f := range c.Filters {
		patterns = append(patterns, aws.ToString(f.Pattern))
	}
	return patterns
}

// sqsRecordEvent renders the message as an event source mapping's filter
// sees it: the record Lambda passes its function, with a body that is a
// JSON object matched as that object and any other body as a string
// (AWS Lambda Developer Guide, "Filtering Amazon SQS messages"); plus the
// envelope members TestEventPattern requires of an event, which a record
// does not have (as pipeEvent). The receive attributes the diagnosis
// cannot know (ApproximateReceiveCount, SenderId …) are left out, so a
// filter on them is judged without them.
func sqsRecordEvent(m sentMessage, region string) ([]byte, error) {
	var body any = m.body
	var object map[string]any
	if json.Unmarshal([]byte(m.body), &object) == nil {
		body = object
	}
	id := m.id
	if id == "" {
		id = "00000000-0000-0000-0000-000000000000"
	}
	at := m.at
	if at.IsZero() {
		at = time.Now()
	}
	sum := md5.Sum([]byte(m.body))
	return json.Marshal(map[string]any{
		"messageId":         id,
		"receiptHandle":     "",
		"body":              body,
		"attributes":        map[string]any{"SentTimestamp": strconv.FormatInt(at.UnixMilli(), 10)},
		"messageAttributes": map[string]any{},
		"md5OfBody":         hex.EncodeToString(sum[:]),
		"eventSource":       "aws:sqs",
		"eventSourceARN":    m.queueARN,
		"awsRegion":         region,
		// The envelope TestEventPattern wants.
		"id":          id,
		"account":     arnAccount(m.queueARN),
		"source":      "aws.sqs",
		"time":        at.UTC().Format(time.RFC3339),
		"region":      region,
		"resources":   []string{m.queueARN},
		"detail-type": "SQS Message",
	})
}

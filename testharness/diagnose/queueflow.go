package diagnose

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	neturl "net/url"
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

// awsManagedSQSKey is the KMS key SQS encrypts with when a queue names
// no key of its own; its key policy lets every principal of the account
// that may use SQS use it (Amazon SQS Developer Guide, "Amazon SQS key
// management").
const awsManagedSQSKey = "alias/aws/sqs"

// mappingState says whether an event source mapping in this state reads
// its queue, and how the report says so. The states are Creating,
// Enabling, Enabled, Disabling, Disabled, Updating and Deleting (Lambda
// API Reference, EventSourceMappingConfiguration). A Creating or Updating
// mapping ends Enabled or Disabled as its Enabled setting says, which the
// API does not show meanwhile, so it is not called broken.
func mappingState(state string) (reads bool, how string) {
	switch state {
	case "Enabled":
		return true, "reads"
	case "Enabling":
		return true, "reads, once Enabled,"
	case "Creating", "Updating":
		return true, "reads, if it ends Enabled,"
	case "Disabled", "Disabling", "Deleting":
		return false, ""
	}
	return true, "reads, in state " + state + ","
}

// sentMessage is the act's message as the diagnosis follows it.
type sentMessage struct {
	queueARN, id, body string
	at                 time.Time
	redrive            redrivePolicy
	kmsKey             string // the queue's KmsMasterKeyId, "" without SSE-KMS
}

// redrivePolicy is a queue's RedrivePolicy attribute (Amazon SQS API
// Reference, SetQueueAttributes); maxReceiveCount comes as a number or a
// string. A message received maxReceiveCount times without being deleted
// moves to the dead-letter queue (Amazon SQS Developer Guide, "Using
// dead-letter queues").
type redrivePolicy struct {
	DeadLetterTargetArn string      `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.Number `json:"maxReceiveCount"`
}

// messageFlow follows a message sent to a queue: an event source mapping
// must read the queue, be enabled and let the message through its filter;
// the function's role must allow reading the queue; with evidence, the
// message must not sit in the queue's dead-letter queue, and the function
// must not have logged an error about it. Of a queue with several
// mappings, the first that holds is the flow (each message goes to one of
// them). FIFO queues are followed alike; that a message waits behind a
// failing one of its message group is not diagnosed, but the dead letter
// and the logged error of the failing one are.
func (d *Diagnoser) messageFlow(ctx context.Context, r *report, t testharness.Trigger, ev *evidence) error {
	m := sentMessage{id: t.SQSMessage.MessageID, body: t.SQSMessage.Body, at: t.At}
	if ev != nil && m.id != "" {
		ev.terms = append(ev.terms, m.id)
	}
	if err := d.readQueue(ctx, r, t.SQSMessage.Queue, &m); err != nil || m.queueARN == "" {
		return err
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

// readQueue reads the queue's ARN, redrive policy and KMS key into m.
// When they cannot be read, the queue is left unchecked and its mappings
// are still followed, by the ARN the trigger names or the one its URL
// makes; m.queueARN stays "" only when neither can be had.
func (d *Diagnoser) readQueue(ctx context.Context, r *report, queue string, m *sentMessage) error {
	attrs, err := d.queueAttributes(ctx, queue)
	if err != nil {
		if err := r.couldNotCheck(ctx, "queue", queue, err); err != nil {
			return err
		}
		m.queueARN, err = d.queueARNOf(ctx, queue)
		if err != nil {
			return r.couldNotCheck(ctx, "event source mapping", queue, err)
		}
		return nil
	}
	m.queueARN = attrs[string(sqstypes.QueueAttributeNameQueueArn)]
	m.kmsKey = attrs[string(sqstypes.QueueAttributeNameKmsMasterKeyId)]
	p := attrs[string(sqstypes.QueueAttributeNameRedrivePolicy)]
	switch {
	case p == "":
		r.ok("queue", m.queueARN, "no redrive policy: a message that fails stays in the queue until it expires")
	case jsonUnmarshal(p, &m.redrive) != nil:
		m.redrive = redrivePolicy{}
		return r.couldNotCheck(ctx, "queue", m.queueARN, fmt.Errorf("the redrive policy %s is not JSON", p))
	default:
		r.ok("queue", m.queueARN, fmt.Sprintf("moves a message to its dead-letter queue %s once it has been received %s times (maxReceiveCount) without being deleted",
			arnResourceName(m.redrive.DeadLetterTargetArn), m.redrive.MaxReceiveCount))
	}
	return nil
}

// queueAttributes reads the attributes of a queue named by URL or ARN.
func (d *Diagnoser) queueAttributes(ctx context.Context, queue string) (map[string]string, error) {
	url := queue
	if strings.HasPrefix(queue, "arn:") {
		var err error
		if url, err = d.queueURL(ctx, queue); err != nil {
			return nil, err
		}
	}
	out, err := d.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNameRedrivePolicy,
			sqstypes.QueueAttributeNameKmsMasterKeyId}})
	if err != nil {
		return nil, fmt.Errorf("GetQueueAttributes %s: %w", url, err)
	}
	return out.Attributes, nil
}

// queueARNOf is the ARN of a queue named by ARN or by URL, whose path is
// /<account>/<name> (Amazon SQS Developer Guide, "Amazon SQS queue and
// message identifiers"); the queue is in the client's region and the
// caller's partition, as the client reaches it.
func (d *Diagnoser) queueARNOf(ctx context.Context, queue string) (string, error) {
	if strings.HasPrefix(queue, "arn:") {
		return queue, nil
	}
	var path []string
	if u, err := neturl.Parse(queue); err == nil {
		path = strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	}
	if len(path) != 2 || path[0] == "" || path[1] == "" {
		return "", fmt.Errorf("%q is neither a queue's ARN nor its URL", queue)
	}
	partition, err := d.partition(ctx)
	if err != nil {
		return "", fmt.Errorf("the ARN of queue %s: %w", queue, err)
	}
	return "arn:" + partition + ":sqs:" + d.region + ":" + path[0] + ":" + path[1], nil
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
	uuid, function, state := aws.ToString(mapping.UUID), aws.ToString(mapping.FunctionArn), aws.ToString(mapping.State)
	queueName, functionName := arnResourceName(m.queueARN), arnResourceName(function)
	who := fmt.Sprintf("event source mapping %s (queue %s → function %s)", uuid, queueName, functionName)
	reads, how := mappingState(state)
	if !reads {
		reason := ""
		if s := aws.ToString(mapping.StateTransitionReason); s != "" {
			reason = " (" + s + ")"
		}
		r.broken("event source mapping", uuid, "%s is %s%s: it does not read the queue", who, state, reason)
		return false, nil
	}
	r.ok("event source mapping", uuid, state+": function "+functionName+" "+how+" queue "+queueName)
	if ok, err := d.checkMappingFilter(ctx, r, uuid, who, mappingFilterPatterns(mapping.FilterCriteria), m); err != nil || !ok {
		return false, err
	}
	cfg, err := d.lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(function)})
	if err != nil {
		if err := r.couldNotCheck(ctx, "role", function, err); err != nil {
			return false, err
		}
	} else {
		role := aws.ToString(cfg.Role)
		if ok, err := d.checkRole(ctx, r, "function "+functionName+" (reading queue "+queueName+")", role, queueConsumerActions, m.queueARN); err != nil || !ok {
			return false, err
		}
		if m.kmsKey != "" && m.kmsKey != awsManagedSQSKey {
			// The key's policy may grant kms:Decrypt as well as the role's,
			// and the policy simulator sees only the role's: not judged.
			err := fmt.Errorf("queue %s is encrypted with KMS key %s: role %s needs kms:Decrypt on it for Lambda to read the queue, which the diagnosis does not check (the key policy can grant it too)",
				queueName, m.kmsKey, role)
			if err := r.couldNotCheck(ctx, "queue encryption", m.kmsKey, err); err != nil {
				return false, err
			}
		}
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
			return false, d.deadLettered(ctx, r, aws.ToString(letters[0].MessageId), dlq, uuid, function, m, ev)
		default:
			r.ok("dead-letter queue", dlq, "does not hold the message")
		}
	}
	return d.functionErrors(ctx, r, function, ev)
}

// deadLettered reports the message found in the queue's dead-letter
// queue, with the function's logged error on it when there is one: that
// is what the person fixes.
func (d *Diagnoser) deadLettered(ctx context.Context, r *report, id, dlq, uuid, function string, m sentMessage, ev *evidence) error {
	var logged report
	if _, err := d.functionErrors(ctx, &logged, function, ev); err != nil {
		return err
	}
	cause := ""
	if failed := logged.done().Broken; failed != nil {
		cause = "; " + failed.Detail
	}
	// Lambda deletes a message only when the function succeeds on its
	// batch (or reports it outside its batch item failures): Lambda
	// Developer Guide, "Using Lambda with Amazon SQS".
	r.broken("dead-letter queue", dlq, "queue %s moved the message %s to its dead-letter queue %s after it was received %s times (maxReceiveCount) without being deleted: function %s, which reads it through event source mapping %s, did not succeed on it%s",
		arnResourceName(m.queueARN), id, arnResourceName(dlq), m.redrive.MaxReceiveCount, arnResourceName(function), uuid, cause)
	r.Path = append(r.Path, logged.Path...)
	return nil
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

// checkMappingFilter tests the message against a mapping's filter. Lambda
// matches a body that is a JSON object as that object and any other body
// as a string, and drops a message whose body's format differs from the
// format of the filter's body pattern (Lambda Developer Guide, "Using
// event filtering with an Amazon SQS event source" and "Control which
// events Lambda sends to your function", properly filtering Amazon SQS
// messages); that mismatch is named as such. It reports false when the
// filter drops the message.
func (d *Diagnoser) checkMappingFilter(ctx context.Context, r *report, uuid, who string, patterns []string, m sentMessage) (bool, error) {
	owner := filterOwner{link: "mapping filter", resource: uuid, who: who, item: "message"}
	if len(patterns) > 0 && m.body == "" {
		// SendMessage rejects an empty body, so "" is a trigger without it.
		return true, r.couldNotCheck(ctx, owner.link, uuid, errors.New("the act's trigger carries no message body to test the filter against"))
	}
	_, bodyIsObject := jsonObjectBody(m.body)
	var sameFormat []string
	for _, p := range patterns {
		if wantsObject, names := bodyPatternFormat(p); !names || wantsObject == bodyIsObject {
			sameFormat = append(sameFormat, p)
		}
	}
	if len(patterns) > 0 && len(sameFormat) == 0 {
		why := "the body is not a JSON object, and the filter names fields of a JSON body"
		if bodyIsObject {
			why = "the body is a JSON object, and the filter matches the body as a plain string"
		}
		r.broken(owner.link, uuid, "%s's filter drops the message: %s (Lambda drops a message whose body's format differs from the filter's)", who, why)
		return false, nil
	}
	event, err := sqsRecordEvent(m, arnPart(m.queueARN, 3))
	if err != nil {
		return false, err
	}
	return d.checkFilter(ctx, r, owner, sameFormat, event)
}

// jsonObjectBody is the body as the JSON object Lambda's filter sees,
// verbatim (so that large numbers keep their digits), when it is one.
func jsonObjectBody(body string) (json.RawMessage, bool) {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed)) {
		return json.RawMessage(trimmed), true
	}
	return nil, false
}

// bodyPatternFormat tells whether a filter pattern names the body, and
// whether it wants a JSON object there (a pattern naming its fields) or
// matches the body as a plain string.
func bodyPatternFormat(pattern string) (wantsObject, names bool) {
	var p map[string]json.RawMessage
	if json.Unmarshal([]byte(pattern), &p) != nil {
		return false, false // EventBridge will say what is wrong with it
	}
	body, ok := p["body"]
	if !ok {
		return false, false
	}
	return strings.HasPrefix(strings.TrimSpace(string(body)), "{"), true
}

// sqsRecordEvent renders the message as an event source mapping's filter
// sees it: the record Lambda passes its function, with a body that is a
// JSON object matched as that object and any other body as a string
// (Lambda Developer Guide, "Using event filtering with an Amazon SQS event
// source"); plus the envelope members TestEventPattern requires of an
// event, which a record does not have (as pipeEvent). The receive
// attributes the diagnosis cannot know (ApproximateReceiveCount,
// SenderId …) are left out: SQS mappings filter on the body only (same
// guide).
func sqsRecordEvent(m sentMessage, region string) ([]byte, error) {
	var body any = m.body
	if object, ok := jsonObjectBody(m.body); ok {
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

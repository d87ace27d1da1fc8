package sqs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types SQS owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::SQS::Queue":       queueProvisioner{s},
		"AWS::SQS::QueuePolicy": queuePolicyProvisioner{s},
	}
}

type queueProvisioner struct{ s *Service }

// queueAttributeProperties are the AWS::SQS::Queue properties that are
// queue attributes of the same name.
var queueAttributeProperties = []string{
	"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
	"VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
	"SqsManagedSseEnabled", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
}

// attributeString renders a template value as SQS stores attributes:
// JSON objects (RedrivePolicy) as JSON, scalars as their text.
func attributeString(v any) (string, error) {
	switch t := v.(type) {
	case string:
		return t, nil
	case float64: // JSON numbers: 1209600, not 1.2096e+06
		return strconv.FormatFloat(t, 'f', -1, 64), nil
	case map[string]any, []any:
		b, err := json.Marshal(t)
		return string(b), err
	default:
		return fmt.Sprint(t), nil
	}
}

func (p queueProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	attrs := map[string]string{}
	for _, name := range queueAttributeProperties {
		if v, ok := req.Properties[name]; ok && v != nil {
			s, err := attributeString(v)
			if err != nil {
				return cfnresource.Resource{}, fmt.Errorf("%s %s: property %s: %w", req.Type, req.LogicalID, name, err)
			}
			attrs[name] = s
		}
	}
	if attrs["FifoQueue"] == "false" {
		delete(attrs, "FifoQueue")
	}
	tags := map[string]string{}
	if list, ok := req.Properties["Tags"].([]any); ok {
		for _, t := range list {
			if m, ok := t.(map[string]any); ok {
				tags[fmt.Sprint(m["Key"])] = fmt.Sprint(m["Value"])
			}
		}
	}
	name, _ := req.Properties["QueueName"].(string)
	if name == "" {
		// A FIFO queue's name must end in .fifo, within the 80 characters.
		if attrs["FifoQueue"] == "true" {
			name = req.GeneratedName(80-len(".fifo")) + ".fifo"
		} else {
			name = req.GeneratedName(80)
		}
	}
	url, err := p.s.CreateQueue(ctx, name, attrs, tags)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create queue %s: %w", name, err)
	}
	return cfnresource.Resource{PhysicalID: url, Ref: url, Attributes: map[string]any{
		"Arn": arn.New("sqs", name), "QueueName": name, "QueueUrl": url}}, nil
}

func (p queueProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	if err := p.s.DeleteQueue(ctx, res.PhysicalID); err != nil {
		return fmt.Errorf("delete queue %s: %w", res.PhysicalID, err)
	}
	return nil
}

type queuePolicyProvisioner struct{ s *Service }

func policyQueues(req cfnresource.Request) []string {
	var urls []string
	list, _ := req.Properties["Queues"].([]any)
	for _, u := range list {
		if s, ok := u.(string); ok {
			urls = append(urls, s)
		}
	}
	return urls
}

// Create sets the Policy attribute of each queue in Queues (stored, not
// evaluated).
func (p queuePolicyProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	policy, err := attributeString(req.Properties["PolicyDocument"])
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s PolicyDocument: %w", req.LogicalID, err)
	}
	urls := policyQueues(req)
	for i, u := range urls {
		if err := p.s.SetQueueAttributes(ctx, u, map[string]string{"Policy": policy}); err != nil {
			for _, done := range urls[:i] {
				_ = p.s.SetQueueAttributes(ctx, done, map[string]string{"Policy": ""})
			}
			return cfnresource.Resource{}, fmt.Errorf("set policy of queue %s: %w", u, err)
		}
	}
	return cfnresource.Resource{PhysicalID: req.StackName + "-" + req.LogicalID}, nil
}

func (p queuePolicyProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	for _, u := range policyQueues(req) {
		if err := p.s.SetQueueAttributes(ctx, u, map[string]string{"Policy": ""}); err != nil {
			if e := awsproto.AsError(err); e.Code == "QueueDoesNotExist" {
				continue // the queue went first
			}
			return fmt.Errorf("remove policy of queue %s: %w", u, err)
		}
	}
	return nil
}

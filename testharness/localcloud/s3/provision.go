package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types S3 owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::S3::Bucket":       bucketProvisioner{s},
		"AWS::S3::BucketPolicy": bucketPolicyProvisioner{s},
	}
}

type bucketProvisioner struct{ s *Service }

// bucketProperties are the AWS::S3::Bucket properties the local cloud
// reads; the rest of the template's properties are ignored.
type bucketProperties struct {
	BucketName                string
	NotificationConfiguration *struct {
		EventBridgeConfiguration *struct{ EventBridgeEnabled any }
		LambdaConfigurations     []cfnNotification
		QueueConfigurations      []cfnNotification
		TopicConfigurations      []cfnNotification
	}
	BucketEncryption *struct {
		ServerSideEncryptionConfiguration []struct {
			ServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
			BucketKeyEnabled              any
		}
	}
	PublicAccessBlockConfiguration *struct {
		BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets any
	}
	VersioningConfiguration *struct{ Status string }
	LifecycleConfiguration  any
}

type cfnNotification struct {
	Event, Function, Queue, Topic string
	Filter                        *struct {
		S3Key struct{ Rules []FilterRule }
	}
}

func (n cfnNotification) filter() *NotificationFilter {
	if n.Filter == nil {
		return nil
	}
	return &NotificationFilter{Key: KeyFilter{FilterRules: n.Filter.S3Key.Rules}}
}

// truthy reads a CloudFormation boolean, which templates may write as a
// string.
func truthy(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

func (p bucketProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props bucketProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.BucketName
	if name == "" {
		// Bucket names are lower case, at most 63 characters.
		name = strings.ToLower(req.GeneratedName(63))
	}
	var cfg NotificationConfiguration
	if n := props.NotificationConfiguration; n != nil {
		if n.EventBridgeConfiguration != nil && truthy(n.EventBridgeConfiguration.EventBridgeEnabled) {
			cfg.EventBridgeConfiguration = &EventBridgeConfiguration{}
		}
		for _, c := range n.LambdaConfigurations {
			cfg.LambdaFunctionConfigurations = append(cfg.LambdaFunctionConfigurations,
				LambdaFunctionConfiguration{LambdaFunctionArn: c.Function, Events: []string{c.Event}, Filter: c.filter()})
		}
		for _, c := range n.QueueConfigurations {
			cfg.QueueConfigurations = append(cfg.QueueConfigurations,
				QueueConfiguration{QueueArn: c.Queue, Events: []string{c.Event}, Filter: c.filter()})
		}
		for _, c := range n.TopicConfigurations {
			cfg.TopicConfigurations = append(cfg.TopicConfigurations,
				TopicConfiguration{TopicArn: c.Topic, Events: []string{c.Event}, Filter: c.filter()})
		}
	}
	var enc *EncryptionConfiguration
	if be := props.BucketEncryption; be != nil {
		enc = &EncryptionConfiguration{}
		for _, r := range be.ServerSideEncryptionConfiguration {
			var rule EncryptionRule
			rule.Default.SSEAlgorithm = r.ServerSideEncryptionByDefault.SSEAlgorithm
			rule.Default.KMSMasterKeyID = r.ServerSideEncryptionByDefault.KMSMasterKeyID
			rule.BucketKeyEnabled = truthy(r.BucketKeyEnabled)
			enc.Rules = append(enc.Rules, rule)
		}
	}
	var pab *PublicAccessBlockConfiguration
	if c := props.PublicAccessBlockConfiguration; c != nil {
		pab = &PublicAccessBlockConfiguration{BlockPublicAcls: truthy(c.BlockPublicAcls), IgnorePublicAcls: truthy(c.IgnorePublicAcls),
			BlockPublicPolicy: truthy(c.BlockPublicPolicy), RestrictPublicBuckets: truthy(c.RestrictPublicBuckets)}
	}
	if err := p.s.CreateBucket(ctx, name); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create bucket %s: %w", name, err)
	}
	err := p.s.updateBucket(name, func(b *Bucket) error {
		b.Notification, b.Encryption, b.PublicAccess, b.Lifecycle = cfg, enc, pab, props.LifecycleConfiguration
		if props.VersioningConfiguration != nil {
			b.Versioning = props.VersioningConfiguration.Status
		}
		return nil
	})
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("configure bucket %s: %w", name, err)
	}
	return cfnresource.Resource{PhysicalID: name, Attributes: bucketAttributes(name)}, nil
}

// bucketAttributes are AWS::S3::Bucket's Fn::GetAtt values, with the
// names AWS gives them (us-east-1 website endpoints use a dash).
func bucketAttributes(name string) map[string]any {
	return map[string]any{
		"Arn":                 arn.S3(name),
		"DomainName":          name + ".s3.amazonaws.com",
		"RegionalDomainName":  name + ".s3." + arn.Region + ".amazonaws.com",
		"DualStackDomainName": name + ".s3.dualstack." + arn.Region + ".amazonaws.com",
		"WebsiteURL":          "http://" + name + ".s3-website-" + arn.Region + ".amazonaws.com",
	}
}

// Delete deletes the bucket; a bucket with objects fails with
// BucketNotEmpty, as CloudFormation's delete does.
func (p bucketProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	if err := p.s.DeleteBucket(ctx, res.PhysicalID); err != nil {
		return fmt.Errorf("delete bucket %s: %w", res.PhysicalID, err)
	}
	return nil
}

type bucketPolicyProvisioner struct{ s *Service }

func (p bucketPolicyProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	bucket, _ := req.Properties["Bucket"].(string)
	var policy string
	switch doc := req.Properties["PolicyDocument"].(type) {
	case string:
		policy = doc
	default:
		raw, err := json.Marshal(doc)
		if err != nil {
			return cfnresource.Resource{}, fmt.Errorf("%s PolicyDocument: %w", req.LogicalID, err)
		}
		policy = string(raw)
	}
	if err := p.s.PutBucketPolicy(ctx, bucket, policy); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("put policy of bucket %q: %w", bucket, err)
	}
	return cfnresource.Resource{PhysicalID: bucket}, nil
}

func (p bucketPolicyProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	if err := p.s.DeleteBucketPolicy(ctx, res.PhysicalID); err != nil {
		return fmt.Errorf("delete policy of bucket %s: %w", res.PhysicalID, err)
	}
	return nil
}

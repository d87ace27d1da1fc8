package logs

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types CloudWatch Logs
// owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{
		"AWS::Logs::LogGroup":           groupProvisioner{s},
		"AWS::Logs::LogStream":          streamProvisioner{s},
		"AWS::Logs::MetricFilter":       metricFilterProvisioner{s},
		"AWS::Logs::SubscriptionFilter": subscriptionProvisioner{s},
	}
}

// number reads a CloudFormation integer, which a template may write as a
// string ("7") or a number.
func number(v any) (int, error) {
	switch n := v.(type) {
	case nil:
		return 0, nil
	case float64:
		return int(n), nil
	case string:
		return strconv.Atoi(n)
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

// ignoreNotFound lets a delete of something already gone succeed, as
// CloudFormation's deletes do.
func ignoreNotFound(err error) error {
	var e *awsproto.Error
	if errors.As(err, &e) && e.Code == "ResourceNotFoundException" {
		return nil
	}
	return err
}

type groupProvisioner struct{ s *Service }

// groupProperties are the AWS::Logs::LogGroup properties read; the rest
// (DataProtectionPolicy, FieldIndexPolicies, ResourcePolicyDocument, …)
// are accepted and ignored.
type groupProperties struct {
	LogGroupName    string
	RetentionInDays any
	KmsKeyId        string
	LogGroupClass   string
	Tags            []struct{ Key, Value string }
}

func (p groupProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props groupProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.LogGroupName
	if name == "" {
		name = req.GeneratedName(512)
	}
	days, err := number(props.RetentionInDays)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("log group %s: RetentionInDays: %w", name, err)
	}
	cfg := GroupConfig{RetentionInDays: days, KmsKeyID: props.KmsKeyId, LogGroupClass: props.LogGroupClass, Tags: map[string]string{}}
	for _, t := range props.Tags {
		cfg.Tags[t.Key] = t.Value
	}
	if err := p.s.CreateGroup(ctx, name, cfg); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create log group %s: %w", name, err)
	}
	return cfnresource.Resource{PhysicalID: name, Attributes: map[string]any{"Arn": groupStarARN(name)}}, nil
}

func (p groupProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	if err := ignoreNotFound(p.s.DeleteGroup(ctx, res.PhysicalID)); err != nil {
		return fmt.Errorf("delete log group %s: %w", res.PhysicalID, err)
	}
	return nil
}

type streamProvisioner struct{ s *Service }

type streamProperties struct {
	LogGroupName  string
	LogStreamName string
}

func (p streamProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props streamProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.LogStreamName
	if name == "" {
		name = req.GeneratedName(512)
	}
	if err := p.s.CreateStream(ctx, props.LogGroupName, name); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("create log stream %s in %s: %w", name, props.LogGroupName, err)
	}
	return cfnresource.Resource{PhysicalID: name}, nil
}

func (p streamProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	var props streamProperties
	if err := req.DecodeProperties(&props); err != nil {
		return err
	}
	if err := ignoreNotFound(p.s.DeleteStream(ctx, props.LogGroupName, res.PhysicalID)); err != nil {
		return fmt.Errorf("delete log stream %s in %s: %w", res.PhysicalID, props.LogGroupName, err)
	}
	return nil
}

type metricFilterProvisioner struct{ s *Service }

type metricFilterProperties struct {
	LogGroupName          string
	FilterName            string
	FilterPattern         string
	MetricTransformations []struct {
		MetricName, MetricNamespace, MetricValue, Unit string
		DefaultValue                                   *float64
		Dimensions                                     []struct{ Key, Value string }
	}
}

func (p metricFilterProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props metricFilterProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.FilterName
	if name == "" {
		name = req.GeneratedName(512)
	}
	f := MetricFilter{FilterName: name, FilterPattern: props.FilterPattern, LogGroupName: props.LogGroupName}
	for _, t := range props.MetricTransformations {
		mt := MetricTransformation{MetricName: t.MetricName, MetricNamespace: t.MetricNamespace, MetricValue: t.MetricValue,
			Unit: t.Unit, DefaultValue: t.DefaultValue}
		for _, d := range t.Dimensions {
			if mt.Dimensions == nil {
				mt.Dimensions = map[string]string{}
			}
			mt.Dimensions[d.Key] = d.Value
		}
		f.MetricTransformations = append(f.MetricTransformations, mt)
	}
	if err := p.s.PutMetricFilter(ctx, f); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("put metric filter %s on %s: %w", name, props.LogGroupName, err)
	}
	return cfnresource.Resource{PhysicalID: name}, nil
}

func (p metricFilterProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	group, _ := req.Properties["LogGroupName"].(string)
	if err := ignoreNotFound(p.s.DeleteMetricFilter(ctx, group, res.PhysicalID)); err != nil {
		return fmt.Errorf("delete metric filter %s on %s: %w", res.PhysicalID, group, err)
	}
	return nil
}

type subscriptionProvisioner struct{ s *Service }

type subscriptionProperties struct {
	LogGroupName, FilterName, FilterPattern, DestinationArn, RoleArn, Distribution string
}

func (p subscriptionProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var props subscriptionProperties
	if err := req.DecodeProperties(&props); err != nil {
		return cfnresource.Resource{}, err
	}
	name := props.FilterName
	if name == "" {
		name = req.GeneratedName(512)
	}
	f := SubscriptionFilter{FilterName: name, FilterPattern: props.FilterPattern, DestinationArn: props.DestinationArn,
		RoleArn: props.RoleArn, Distribution: props.Distribution}
	if err := p.s.PutSubscriptionFilter(ctx, props.LogGroupName, f); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("put subscription filter %s on %s: %w", name, props.LogGroupName, err)
	}
	return cfnresource.Resource{PhysicalID: name}, nil
}

func (p subscriptionProvisioner) Delete(ctx context.Context, req cfnresource.Request, res cfnresource.Resource) error {
	group, _ := req.Properties["LogGroupName"].(string)
	if err := ignoreNotFound(p.s.DeleteSubscriptionFilter(ctx, group, res.PhysicalID)); err != nil {
		return fmt.Errorf("delete subscription filter %s on %s: %w", res.PhysicalID, group, err)
	}
	return nil
}

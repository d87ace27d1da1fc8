package lambda

import (
	"context"
	"fmt"
	"strconv"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// esmProvisioner provisions AWS::Lambda::EventSourceMapping: Ref is the
// mapping's UUID, GetAtt Id and EventSourceMappingArn (CloudFormation
// template reference).
type esmProvisioner struct{ s *Service }

func (p esmProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	in, err := esmProperties(props(req.Properties))
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	out, err := p.s.CreateEventSourceMapping(ctx, in)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("%s: %w", req.LogicalID, err)
	}
	return cfnresource.Resource{PhysicalID: out.UUID,
		Attributes: map[string]any{"Id": out.UUID, "EventSourceMappingArn": out.EventSourceMappingArn}}, nil
}

func (p esmProvisioner) Delete(_ context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	_, err := p.s.DeleteEventSourceMapping(res.PhysicalID)
	return ignoreNotFound(err)
}

// esmProperties reads the properties an SQS mapping takes; they have the
// API's names.
func esmProperties(pr props) (esmInput, error) {
	in := esmInput{FunctionName: pr.str("FunctionName"), EventSourceArn: pr.str("EventSourceArn")}
	var err error
	if in.BatchSize, err = pr.optionalInt("BatchSize"); err != nil {
		return esmInput{}, err
	}
	if in.MaximumBatchingWindowInSeconds, err = pr.optionalInt("MaximumBatchingWindowInSeconds"); err != nil {
		return esmInput{}, err
	}
	if _, ok := pr["Enabled"]; ok {
		enabled, err := strconv.ParseBool(pr.str("Enabled"))
		if err != nil {
			return esmInput{}, invalidParameter("Enabled must be a boolean, got %q", pr.str("Enabled"))
		}
		in.Enabled = &enabled
	}
	for _, t := range pr.list("FunctionResponseTypes") {
		in.FunctionResponseTypes = append(in.FunctionResponseTypes, fmt.Sprint(t))
	}
	if sc := pr.sub("ScalingConfig"); sc != nil {
		in.ScalingConfig = &scalingConfig{}
		if in.ScalingConfig.MaximumConcurrency, err = sc.optionalInt("MaximumConcurrency"); err != nil {
			return esmInput{}, err
		}
	}
	if fc := pr.sub("FilterCriteria"); fc != nil {
		in.FilterCriteria = &filterCriteria{}
		for _, f := range fc.list("Filters") {
			m, _ := f.(map[string]any)
			in.FilterCriteria.Filters = append(in.FilterCriteria.Filters, eventFilter{Pattern: props(m).str("Pattern")})
		}
	}
	return in, nil
}

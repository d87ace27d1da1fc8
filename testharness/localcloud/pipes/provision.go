package pipes

import (
	"context"
	"fmt"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/cfnresource"
)

// Provisioners returns the CloudFormation resource types Pipes owns.
func (s *Service) Provisioners() cfnresource.Registry {
	return cfnresource.Registry{"AWS::Pipes::Pipe": pipeProvisioner{s}}
}

type pipeProvisioner struct{ s *Service }

// Create makes the pipe the template describes. Ref is the pipe's name;
// GetAtt answers Arn, CurrentState, CreationTime and LastModifiedTime.
func (pp pipeProvisioner) Create(ctx context.Context, req cfnresource.Request) (cfnresource.Resource, error) {
	var spec Spec
	if err := req.DecodeProperties(&spec); err != nil {
		return cfnresource.Resource{}, err
	}
	if spec.Name == "" {
		spec.Name = req.GeneratedName(64)
	}
	d, err := pp.s.CreatePipe(ctx, spec)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("pipe %s (%s): %w", req.LogicalID, spec.Name, err)
	}
	return cfnresource.Resource{PhysicalID: d.Name, Ref: d.Name, Attributes: map[string]any{
		"Arn":              d.Arn,
		"CurrentState":     d.CurrentState,
		"CreationTime":     time.UnixMilli(int64(d.CreationTime * 1000)).UTC().Format(time.RFC3339),
		"LastModifiedTime": time.UnixMilli(int64(d.LastModifiedTime * 1000)).UTC().Format(time.RFC3339),
	}}, nil
}

// Delete removes the pipe; DeletePipe fails only for a pipe already gone,
// which is not an error when deleting a stack.
func (pp pipeProvisioner) Delete(_ context.Context, _ cfnresource.Request, res cfnresource.Resource) error {
	_, _ = pp.s.DeletePipe(res.PhysicalID)
	return nil
}

package pipes

import (
	"context"
	"crypto/rand"
	"encoding/json"
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
	raw, err := json.Marshal(req.Properties)
	if err != nil {
		return cfnresource.Resource{}, fmt.Errorf("pipe %s: properties: %w", req.LogicalID, err)
	}
	var spec Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return cfnresource.Resource{}, fmt.Errorf("pipe %s: properties: %w", req.LogicalID, err)
	}
	if spec.Name == "" {
		spec.Name = generatedName(req.StackName, req.LogicalID)
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

// generatedName is the name CloudFormation gives an unnamed pipe: stack
// name, logical id and a random suffix, within the 64-character limit.
func generatedName(stack, logicalID string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	prefix := stack + "-" + logicalID
	if max := 64 - 1 - len(b); len(prefix) > max {
		prefix = prefix[:max]
	}
	return prefix + "-" + string(b)
}

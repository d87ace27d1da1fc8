package logs

import (
	"context"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

// Tags live on log groups; TagResource and friends take a group's ARN.

type tagResourceInput struct {
	ResourceArn string            `json:"resourceArn"`
	Tags        map[string]string `json:"tags"`
}

type untagResourceInput struct {
	ResourceArn string   `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

type listTagsForResourceInput struct {
	ResourceArn string `json:"resourceArn"`
}

type listTagsForResourceOutput struct {
	Tags map[string]string `json:"tags"`
}

// taggedGroup finds the group an ARN names. Must hold s.mu.
func (s *Service) taggedGroup(resourceARN string) (*group, error) {
	a, err := arn.Parse(resourceARN)
	name, ok := strings.CutPrefix(a.Resource, "log-group:")
	if err != nil || a.Service != "logs" || !ok {
		return nil, invalidParameter("Invalid ARN: %s", resourceARN)
	}
	g, found := s.groups[strings.TrimSuffix(name, ":*")]
	if !found {
		return nil, awsproto.NewError("ResourceNotFoundException", http.StatusBadRequest, "The specified resource does not exist.")
	}
	return g, nil
}

func (s *Service) tagResource(ctx context.Context, in *tagResourceInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.taggedGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for k, v := range in.Tags {
		g.tags[k] = v
	}
	return &empty{}, nil
}

func (s *Service) untagResource(ctx context.Context, in *untagResourceInput) (*empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, err := s.taggedGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(g.tags, k)
	}
	return &empty{}, nil
}

func (s *Service) listTagsForResource(ctx context.Context, in *listTagsForResourceInput) (*listTagsForResourceOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, err := s.taggedGroup(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	out := &listTagsForResourceOutput{Tags: map[string]string{}}
	for k, v := range g.tags {
		out.Tags[k] = v
	}
	return out, nil
}

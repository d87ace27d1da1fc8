package eventbridge

import (
	"context"
	"encoding/json"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
)

var busNamePattern = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)

type createEventBusInput struct {
	Name        string
	Description string
}

type createEventBusOutput struct {
	EventBusArn string
	Description string `json:",omitempty"`
}

// CreateEventBus makes a custom bus.
func (s *Service) createEventBus(_ context.Context, in *createEventBusInput) (*createEventBusOutput, error) {
	if !busNamePattern.MatchString(in.Name) {
		return nil, constraint("name", "Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+")
	}
	if in.Name == DefaultBus || strings.HasPrefix(in.Name, "aws.") {
		return nil, awsproto.ValidationError("Event bus name must not start with 'aws.' or be 'default'.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.buses[in.Name] != nil {
		return nil, alreadyExists("Event bus %s already exists.", in.Name)
	}
	b := newBus(in.Name, s.clock.Now())
	b.description = in.Description
	s.buses[in.Name] = b
	return &createEventBusOutput{EventBusArn: b.arn(), Description: in.Description}, nil
}

type describeEventBusInput struct{ Name string }

type eventBusOutput struct {
	Name         string
	Arn          string
	Description  string  `json:",omitempty"`
	Policy       string  `json:",omitempty"`
	CreationTime float64 `json:",omitempty"`
}

func (s *Service) describeEventBus(_ context.Context, in *describeEventBusInput) (*eventBusOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b := s.buses[busName(in.Name)]
	if b == nil {
		return nil, busNotFound(busName(in.Name))
	}
	out := b.describe()
	return &out, nil
}

// describe renders a bus. Must hold s.mu.
func (b *bus) describe() eventBusOutput {
	out := eventBusOutput{Name: b.name, Arn: b.arn(), Description: b.description, CreationTime: awsproto.Epoch(b.created)}
	if len(b.policy) > 0 {
		sids := make([]string, 0, len(b.policy))
		for sid := range b.policy {
			sids = append(sids, sid)
		}
		sort.Strings(sids)
		statements := make([]json.RawMessage, 0, len(sids))
		for _, sid := range sids {
			statements = append(statements, b.policy[sid])
		}
		doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": statements})
		out.Policy = string(doc)
	}
	return out
}

type listEventBusesInput struct {
	NamePrefix string
	NextToken  string
	Limit      int
}

type listEventBusesOutput struct {
	EventBuses []eventBusOutput
	NextToken  string `json:",omitempty"`
}

func (s *Service) listEventBuses(_ context.Context, in *listEventBusesInput) (*listEventBusesOutput, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	page, next, err := paginate(namesWithPrefix(s.buses, in.NamePrefix), in.NextToken, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listEventBusesOutput{EventBuses: []eventBusOutput{}, NextToken: next}
	for _, n := range page {
		out.EventBuses = append(out.EventBuses, s.buses[n].describe())
	}
	return out, nil
}

func (s *Service) deleteEventBus(_ context.Context, in *describeEventBusInput) (*struct{}, error) {
	name := busName(in.Name)
	if name == DefaultBus {
		return nil, awsproto.ValidationError("Cannot delete event bus default.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[name]
	if b == nil {
		return &struct{}{}, nil // DeleteEventBus of a missing bus succeeds on AWS
	}
	delete(s.buses, name) // its rules go with it
	return &struct{}{}, nil
}

type putPermissionInput struct {
	EventBusName string
	StatementId  string
	Action       string
	Principal    string
	Condition    json.RawMessage
	Policy       string
}

// PutPermission stores a statement of the bus's resource policy. The
// policy is kept and described, not enforced: the local cloud has one
// account.
func (s *Service) putPermission(_ context.Context, in *putPermissionInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[busName(in.EventBusName)]
	if b == nil {
		return nil, busNotFound(busName(in.EventBusName))
	}
	if in.Policy != "" {
		var doc struct{ Statement []json.RawMessage }
		if err := json.Unmarshal([]byte(in.Policy), &doc); err != nil {
			return nil, awsproto.ValidationError("Policy is not valid JSON: %v", err)
		}
		clear(b.policy)
		for i, st := range doc.Statement {
			var sid struct{ Sid string }
			_ = json.Unmarshal(st, &sid)
			if sid.Sid == "" {
				sid.Sid = "statement-" + strconv.Itoa(i)
			}
			b.policy[sid.Sid] = st
		}
		return &struct{}{}, nil
	}
	if in.StatementId == "" || in.Principal == "" {
		return nil, awsproto.ValidationError("Parameters StatementId and Principal are required when Policy is not given.")
	}
	action := in.Action
	if action == "" {
		action = "events:PutEvents"
	}
	st := map[string]any{"Sid": in.StatementId, "Effect": "Allow", "Action": action,
		"Resource": b.arn(), "Principal": map[string]string{"AWS": in.Principal}}
	if len(in.Condition) > 0 {
		st["Condition"] = in.Condition
	}
	b.policy[in.StatementId], _ = json.Marshal(st)
	return &struct{}{}, nil
}

type removePermissionInput struct {
	EventBusName         string
	StatementId          string
	RemoveAllPermissions bool
}

func (s *Service) removePermission(_ context.Context, in *removePermissionInput) (*struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buses[busName(in.EventBusName)]
	if b == nil {
		return nil, busNotFound(busName(in.EventBusName))
	}
	if in.RemoveAllPermissions {
		clear(b.policy)
		return &struct{}{}, nil
	}
	if _, ok := b.policy[in.StatementId]; !ok {
		return nil, awsproto.Errorf("ResourceNotFoundException", 400, "Statement with the provided id does not exist.")
	}
	delete(b.policy, in.StatementId)
	return &struct{}{}, nil
}

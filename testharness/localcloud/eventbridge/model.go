package eventbridge

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventbridge/transform"
	"github.com/tracebridge/tracebridge/testharness/localcloud/eventpattern"
)

// DefaultBus is the bus every account has, which AWS services send to.
const DefaultBus = "default"

// Rule states.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
)

// MaxTargetsPerRule is EventBridge's quota of targets per rule.
const MaxTargetsPerRule = 5

type bus struct {
	name, description string
	created           time.Time
	policy            map[string]json.RawMessage // statements by Sid
	rules             map[string]*rule
}

func newBus(name string, now time.Time) *bus {
	return &bus{name: name, created: now, policy: map[string]json.RawMessage{}, rules: map[string]*rule{}}
}

func (b *bus) arn() string { return busARN(b.name) }

type rule struct {
	name, bus, arn string
	description    string
	pattern        string
	compiled       *eventpattern.Pattern // nil for a schedule-only rule
	schedule       string
	state          string
	roleARN        string
	targets        []*ruleTarget // in the order they were first put
}

func (r *rule) target(id string) (int, *ruleTarget) {
	for i, t := range r.targets {
		if t.Id == id {
			return i, t
		}
	}
	return -1, nil
}

// ruleTarget is a target as PutTargets takes it and ListTargetsByRule
// returns it.
type ruleTarget struct {
	Id               string
	Arn              string
	RoleArn          string                      `json:",omitempty"`
	Input            *string                     `json:",omitempty"`
	InputPath        string                      `json:",omitempty"`
	InputTransformer *transform.InputTransformer `json:",omitempty"`
	RetryPolicy      *retryPolicy                `json:",omitempty"`
	DeadLetterConfig *deadLetterConfig           `json:",omitempty"`
	SqsParameters    *sqsParameters              `json:",omitempty"`
}

type retryPolicy struct {
	MaximumRetryAttempts     *int `json:",omitempty"`
	MaximumEventAgeInSeconds *int `json:",omitempty"`
}

type deadLetterConfig struct {
	Arn string `json:",omitempty"`
}

type sqsParameters struct {
	MessageGroupId string `json:",omitempty"`
}

func (t *ruleTarget) spec() transform.Spec {
	return transform.Spec{Input: t.Input, InputPath: t.InputPath, Transformer: t.InputTransformer}
}

func busARN(name string) string { return arn.New("events", "event-bus/"+name) }

// ruleARN is rule/NAME on the default bus and rule/BUS/NAME on others.
func ruleARN(busName, name string) string {
	if busName == DefaultBus {
		return arn.New("events", "rule/"+name)
	}
	return arn.New("events", "rule/"+busName+"/"+name)
}

// busName returns the bus a name-or-ARN parameter names; "" is the
// default bus.
func busName(nameOrARN string) string {
	if nameOrARN == "" {
		return DefaultBus
	}
	if a, err := arn.Parse(nameOrARN); err == nil {
		if n, ok := strings.CutPrefix(a.Resource, "event-bus/"); ok {
			return n
		}
	}
	return nameOrARN
}

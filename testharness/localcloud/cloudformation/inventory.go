package cloudformation

import (
	"encoding/json"
	"fmt"
)

// StackSummary is a live stack and what it is made of, for a person
// looking at what is deployed (the local cloud's console).
type StackSummary struct {
	Name      string            `json:"name"`
	Status    string            `json:"status"`
	Reason    string            `json:"reason,omitempty"`
	Outputs   []Output          `json:"outputs"`
	Resources []ResourceSummary `json:"resources"`
}

// ResourceSummary is one resource of a stack, as ListStackResources
// names it.
type ResourceSummary struct {
	LogicalID  string `json:"logicalId"`
	Type       string `json:"type"`
	PhysicalID string `json:"physicalId"`
	Status     string `json:"status"`
	// Glue is what the resource connects, for the kinds that route events.
	Glue *Glue `json:"glue,omitempty"`
}

// Glue is one link of the glue between resources as deployed: where
// events come from, what lets them through, where they go.
type Glue struct {
	From []string `json:"from"`
	// Filter is the event pattern or filter criteria, as JSON.
	Filter string   `json:"filter,omitempty"`
	To     []string `json:"to"`
}

// glueOf reads the glue from a resource's resolved properties: a rule
// (bus, pattern, targets), a pipe (source, filter, target), an event
// source mapping (source, filter, function), a bucket or CDK's bucket
// notifications (bucket to EventBridge).
func glueOf(typ, physicalID string, props map[string]any) *Glue {
	str := func(k string) string { s, _ := props[k].(string); return s }
	switch typ {
	case "AWS::Events::Rule":
		g := &Glue{From: []string{str("EventBusName")}, Filter: asJSON(props["EventPattern"])}
		if g.From[0] == "" {
			g.From[0] = defaultBus
		}
		targets, _ := props["Targets"].([]any)
		for _, t := range targets {
			if m, ok := t.(map[string]any); ok {
				g.To = append(g.To, fmt.Sprint(m["Arn"]))
			}
		}
		return g
	case "AWS::Pipes::Pipe":
		source, _ := props["SourceParameters"].(map[string]any)
		return &Glue{From: []string{str("Source")}, Filter: asJSON(source["FilterCriteria"]), To: []string{str("Target")}}
	case "AWS::Lambda::EventSourceMapping":
		return &Glue{From: []string{str("EventSourceArn")}, Filter: asJSON(props["FilterCriteria"]), To: []string{str("FunctionName")}}
	case "Custom::S3BucketNotifications":
		return bucketGlue(str("BucketName"), props)
	case "AWS::S3::Bucket":
		return bucketGlue(physicalID, props)
	}
	return nil
}

// bucketGlue is a bucket sending its events to EventBridge's default bus
// (NotificationConfiguration.EventBridgeConfiguration), nil when it does
// not.
func bucketGlue(bucket string, props map[string]any) *Glue {
	cfg, _ := props["NotificationConfiguration"].(map[string]any)
	eb, _ := cfg["EventBridgeConfiguration"].(map[string]any)
	if enabled, _ := eb["EventBridgeEnabled"].(bool); eb == nil || (!enabled && eb["EventBridgeEnabled"] != nil) {
		return nil
	}
	return &Glue{From: []string{bucket}, To: []string{"EventBridge " + defaultBus + " bus"}}
}

// defaultBus is the bus a rule without EventBusName is on.
const defaultBus = "default"

// asJSON writes a property as JSON ("" for none); a string is kept as
// it is (CloudFormation takes patterns either way).
func asJSON(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// Stacks lists the live stacks by name, each with its resources by
// logical id.
func (e *Engine) Stacks() []StackSummary {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := []StackSummary{}
	for _, name := range sortedKeys(e.stacks) {
		s := e.stacks[name]
		sum := StackSummary{Name: s.name, Status: s.status, Reason: s.reason,
			Outputs: append([]Output{}, s.outputs...), Resources: []ResourceSummary{}}
		for _, r := range resourcesLocked(s) {
			sum.Resources = append(sum.Resources, ResourceSummary{LogicalID: r.logicalID, Type: r.typ,
				PhysicalID: r.res.PhysicalID, Status: r.status, Glue: glueOf(r.typ, r.res.PhysicalID, r.req.Properties)})
		}
		out = append(out, sum)
	}
	return out
}

package cloudformation

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
				PhysicalID: r.res.PhysicalID, Status: r.status})
		}
		out = append(out, sum)
	}
	return out
}

package faults

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
)

// Fault is a fault in the registry: its spec, its id and how often it
// has hit.
type Fault struct {
	ID string `json:"id"`
	Spec
	// Hits counts the requests it has hit so far.
	Hits int `json:"hits"`
}

// Request is what a fault is matched against.
type Request struct {
	Service string
	// Operations are the IAM actions the request asks for.
	Operations []string
	// Resources are the ARNs it acts on.
	Resources []string
	// Principal is the caller's role ARN, "" for a user or a service.
	Principal string
}

// Registry holds the faults of one cloud. It is safe for concurrent use.
type Registry struct {
	mu     sync.Mutex
	rand   *rand.Rand // must hold mu
	faults []*Fault   // must hold mu; in the order added
	nextID int        // must hold mu
}

// NewRegistry returns an empty registry whose probabilities draw from src
// (a seeded source makes them repeatable).
func NewRegistry(src rand.Source) *Registry {
	return &Registry{rand: rand.New(src)}
}

// Add validates s, fills in its defaults and adds it, returning its id.
func (r *Registry) Add(s Spec) (Fault, error) {
	if err := s.validate(); err != nil {
		return Fault{}, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	f := &Fault{ID: fmt.Sprintf("fault-%d", r.nextID), Spec: s}
	r.faults = append(r.faults, f)
	return *f, nil
}

// List returns the faults still in force, in the order added.
func (r *Registry) List() []Fault {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Fault, 0, len(r.faults))
	for _, f := range r.faults {
		out = append(out, *f)
	}
	return out
}

// Remove removes the fault with the id; false when there is none.
func (r *Registry) Remove(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.faults)
	r.faults = slices.DeleteFunc(r.faults, func(f *Fault) bool { return f.ID == id })
	return len(r.faults) < n
}

// Clear removes every fault.
func (r *Registry) Clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.faults = nil
}

// Targets tells whether any fault names service: callers skip the work of
// describing a request when none does.
func (r *Registry) Targets(service string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.faults {
		if f.Service == service {
			return true
		}
	}
	return false
}

// Hit finds the first fault, among those taking one of actions, that
// matches req and fires (its probability drawn), counts the hit and
// returns it; a fault whose count is spent is removed.
func (r *Registry) Hit(req Request, actions ...Action) (Fault, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, f := range r.faults {
		if !slices.Contains(actions, f.Action) || !f.matches(req) {
			continue
		}
		if f.Probability > 0 && f.Probability < 1 && r.rand.Float64() >= f.Probability {
			continue
		}
		f.Hits++
		if f.Count > 0 && f.Hits >= f.Count {
			r.faults = slices.Delete(r.faults, i, i+1)
		}
		return *f, true
	}
	return Fault{}, false
}

func (f *Fault) matches(req Request) bool {
	if f.Service != strings.ToLower(req.Service) {
		return false
	}
	if f.Operation != "" && !slices.ContainsFunc(req.Operations, f.operationMatches) {
		return false
	}
	if f.Resource != "" && !slices.ContainsFunc(req.Resources, f.resourceMatches) {
		return false
	}
	if f.Principal != "" && (req.Principal == "" || !anyGlob(f.Principal, req.Principal, afterLast(req.Principal, "/"))) {
		return false
	}
	return true
}

// operationMatches compares case-insensitively, as IAM compares actions;
// an operation without a service prefix matches the action's name.
func (f *Fault) operationMatches(action string) bool {
	if strings.Contains(f.Operation, ":") {
		return strings.EqualFold(f.Operation, action)
	}
	_, name, _ := strings.Cut(action, ":")
	return strings.EqualFold(f.Operation, name)
}

// resourceMatches matches the ARN, its resource part and the resource's
// name.
func (f *Fault) resourceMatches(resourceARN string) bool {
	candidates := []string{resourceARN}
	if parts := strings.SplitN(resourceARN, ":", 6); len(parts) == 6 {
		resource := parts[5]
		candidates = append(candidates, resource)
		if i := strings.IndexAny(resource, "/:"); i >= 0 {
			candidates = append(candidates, resource[i+1:])
		}
	}
	return anyGlob(f.Resource, candidates...)
}

func afterLast(s, sep string) string {
	return s[strings.LastIndex(s, sep)+1:]
}

func anyGlob(pattern string, candidates ...string) bool {
	return slices.ContainsFunc(candidates, func(c string) bool { return glob(pattern, c) })
}

// glob matches s against pattern, where * matches any run of characters
// (slashes too, unlike path.Match) and ? any one character.
func glob(pattern, s string) bool {
	p, i := []rune(pattern), []rune(s)
	// star and mark remember the last * and where its run in s ends, so a
	// mismatch after it retries with a longer run.
	star, mark := -1, 0
	pi, si := 0, 0
	for si < len(i) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == i[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			mark++
			pi, si = star+1, mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

package eventpattern

import (
	"fmt"
	"slices"
	"sync"
)

// Matcher holds named patterns (the rules of one event bus, say) and
// reports which of them an event matches. It is safe for concurrent use:
// rules can change while events are matched.
type Matcher struct {
	mu    sync.RWMutex
	names []string // sorted
	byKey map[string]*Pattern
}

// NewMatcher returns an empty Matcher.
func NewMatcher() *Matcher {
	return &Matcher{byKey: map[string]*Pattern{}}
}

// Add compiles pattern and stores it under name, replacing any pattern
// already there. On error the Matcher is unchanged.
func (m *Matcher) Add(name string, pattern []byte) error {
	p, err := Compile(pattern)
	if err != nil {
		return fmt.Errorf("eventpattern: add %q: %w", name, err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byKey[name]; !ok {
		i, _ := slices.BinarySearch(m.names, name)
		m.names = slices.Insert(m.names, i, name)
	}
	m.byKey[name] = p
	return nil
}

// Remove deletes the pattern stored under name, if any.
func (m *Matcher) Remove(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.byKey[name]; !ok {
		return
	}
	delete(m.byKey, name)
	i, _ := slices.BinarySearch(m.names, name)
	m.names = slices.Delete(m.names, i, i+1)
}

// MatchesFor returns, in name order, the names of the patterns ev matches.
func (m *Matcher) MatchesFor(ev *Event) []string {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []string
	for _, name := range m.names {
		if m.byKey[name].MatchesEvent(ev) {
			out = append(out, name)
		}
	}
	return out
}

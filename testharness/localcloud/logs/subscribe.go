package logs

// Subscribe calls fn with every event stored in the named group from now
// on (through PutLogEvents or PutEvents), so the harness can await a log
// entry without polling. fn runs on the writer's goroutine after the write
// is stored and outside the service's lock, in the order of each batch; it
// should return quickly. The returned function ends the subscription.
func (s *Service) Subscribe(group string, fn func(Event)) (cancel func()) {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	id := s.nextID
	s.nextID++
	if s.subs[group] == nil {
		s.subs[group] = map[int]func(Event){}
	}
	s.subs[group][id] = fn
	return func() {
		s.subMu.Lock()
		defer s.subMu.Unlock()
		delete(s.subs[group], id)
		if len(s.subs[group]) == 0 {
			delete(s.subs, group)
		}
	}
}

// listening tells whether a write to group must build Events for
// subscribers; checked before the write so an unwatched group costs none.
func (s *Service) listening(group string) bool {
	s.subMu.Lock()
	defer s.subMu.Unlock()
	return len(s.subs[group]) > 0
}

func (s *Service) notify(group string, events []Event) {
	if len(events) == 0 {
		return
	}
	s.subMu.Lock()
	fns := make([]func(Event), 0, len(s.subs[group]))
	for _, fn := range s.subs[group] {
		fns = append(fns, fn)
	}
	s.subMu.Unlock()
	for _, e := range events {
		for _, fn := range fns {
			fn(e)
		}
	}
}

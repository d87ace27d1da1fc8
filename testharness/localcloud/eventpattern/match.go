package eventpattern

// Matching walks the pattern tree alongside the event. Arrays in the event
// are transparent: a field matches if any element does, and nested arrays
// are flattened. An object pattern applied to an array must be satisfied by
// one element as a whole, so fields taken from different elements never
// combine (EventBridge's "array-consistent" matching).
//
// A field that is missing, or is an object or an array holding no scalar
// where the pattern expects a value, counts as absent: only
// {"exists": false} matches it.

// Matches parses event and reports whether the pattern matches it. To test
// one event against many patterns, parse it once with ParseEvent and call
// MatchesEvent.
func (p *Pattern) Matches(event []byte) (bool, error) {
	ev, err := ParseEvent(event)
	if err != nil {
		return false, err
	}
	return p.MatchesEvent(ev), nil
}

// MatchesEvent reports whether the pattern matches a parsed event.
func (p *Pattern) MatchesEvent(ev *Event) bool {
	return p.root.matchObject(&ev.root)
}

// matchValue applies an object pattern to any event value (nil if absent).
func (o *objectNode) matchValue(v *value) bool {
	if v == nil {
		return o.matchObject(nil)
	}
	switch v.kind {
	case kindObject:
		return o.matchObject(v)
	case kindArray:
		matched, sawObject := o.matchArray(v.elems)
		return matched || (!sawObject && o.matchObject(nil))
	default:
		return o.matchObject(nil)
	}
}

// matchArray tries the pattern on each object element, flattening nested
// arrays.
func (o *objectNode) matchArray(elems []value) (matched, sawObject bool) {
	for i := range elems {
		e := &elems[i]
		switch e.kind {
		case kindObject:
			sawObject = true
			if o.matchObject(e) {
				return true, true
			}
		case kindArray:
			m, s := o.matchArray(e.elems)
			if m {
				return true, true
			}
			sawObject = sawObject || s
		}
	}
	return false, sawObject
}

// matchObject applies the pattern to an event object; obj nil means every
// field is absent.
func (o *objectNode) matchObject(obj *value) bool {
	for _, f := range o.fields {
		var child *value
		if obj != nil {
			child = obj.get(f.key)
		}
		if f.leaf != nil {
			if !f.leaf.matchValue(child) {
				return false
			}
		} else if !f.object.matchValue(child) {
			return false
		}
	}
	for _, alts := range o.ors {
		if !anyAlternative(alts, obj) {
			return false
		}
	}
	return true
}

func anyAlternative(alts []*objectNode, obj *value) bool {
	for _, alt := range alts {
		if alt.matchObject(obj) {
			return true
		}
	}
	return false
}

// matchValue applies a field's value list to an event value (nil if
// absent).
func (l *leafNode) matchValue(v *value) bool {
	if v == nil {
		return l.existsFalse
	}
	switch v.kind {
	case kindObject:
		return l.existsFalse
	case kindArray:
		matched, sawScalar := l.matchArray(v.elems)
		return matched || (!sawScalar && l.existsFalse)
	default:
		return l.matchesScalar(v)
	}
}

func (l *leafNode) matchArray(elems []value) (matched, sawScalar bool) {
	for i := range elems {
		e := &elems[i]
		switch e.kind {
		case kindObject:
		case kindArray:
			m, s := l.matchArray(e.elems)
			if m {
				return true, true
			}
			sawScalar = sawScalar || s
		default:
			sawScalar = true
			if l.matchesScalar(e) {
				return true, true
			}
		}
	}
	return false, sawScalar
}

package eventbridge

import (
	"strings"
	"time"
)

// Observer hears what happens to events, for the local cloud's console
// and `tracebridge replay --follow`. Its methods run on the goroutine that
// routes or delivers and must not block.
type Observer interface {
	// EventRouted is told about every event matched against the enabled
	// rules of its bus (put or replayed).
	EventRouted(RoutedEvent)
	// DeliveryAttempted is told about every attempt to deliver an event
	// to a rule's target.
	DeliveryAttempted(DeliveryAttempt)
}

// RoutedEvent is an event and the rules it did and did not match.
type RoutedEvent struct {
	ID, Bus, Source, DetailType string
	Detail                      []byte
	TraceHeader                 string
	// Replay names the replay that sent the event again.
	Replay string
	// Matched and Unmatched are rule ARNs.
	Matched, Unmatched []string
}

// DeliveryAttempt is one attempt's outcome. ErrorCode is "" when the
// target accepted the event; otherwise Retryable tells whether EventBridge
// tries again, at RetryAt, as retry Attempt of MaxRetries.
type DeliveryAttempt struct {
	Delivery
	EventID string
	// InvocationID is the request id of the invocation a Lambda target
	// was asked for, "" for other targets.
	InvocationID string
	Attempt      int
	ErrorCode    string
	ErrorMessage string
	Retryable    bool
	RetryAt      time.Time
	MaxRetries   int
}

type noObserver struct{}

func (noObserver) EventRouted(RoutedEvent)           {}
func (noObserver) DeliveryAttempted(DeliveryAttempt) {}

// observeRoute tells the observer about a routed event.
func (s *Service) observeRoute(ev *event, matched, unmatched []string) {
	e := ev.entry
	s.opts.Observer.EventRouted(RoutedEvent{ID: ev.id, Bus: e.EventBusName, Source: e.Source, DetailType: e.DetailType,
		Detail: e.Detail, TraceHeader: e.TraceHeader, Replay: ev.replay, Matched: matched, Unmatched: unmatched})
}

// observeAttempt tells the observer how the n-th attempt to deliver an
// item went and, when it failed, when the next one comes.
func (s *Service) observeAttempt(it item, n int, err error) {
	a := DeliveryAttempt{Delivery: Delivery{RuleARN: it.ruleARN, TargetID: it.target.Id, TargetARN: it.target.Arn,
		RoleARN: it.target.RoleArn, TraceHeader: it.ev.entry.TraceHeader}, EventID: it.ev.id, Attempt: n}
	if strings.HasPrefix(it.target.Arn, "arn:aws:lambda:") {
		a.InvocationID = it.invocationID
	}
	if err != nil {
		var retryable bool
		a.ErrorCode, a.ErrorMessage, retryable = classify(err)
		// A retry comes unless the policy's attempts are used up (its
		// event age is checked when the retry is due).
		a.MaxRetries, _ = it.target.retryLimits()
		if retryable && n-1 < a.MaxRetries {
			a.Retryable, a.RetryAt = true, s.clock.Now().Add(retryDelay(n))
		}
	}
	s.opts.Observer.DeliveryAttempted(a)
}

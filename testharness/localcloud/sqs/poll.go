package sqs

import (
	"context"
	"time"
)

// Poll takes up to in.MaxNumberOfMessages visible messages of the queue
// with the ARN queueARN without waiting, as a consumer inside the cloud
// polls (Lambda's event source mappings), and tells when the earliest
// message still in flight or delayed becomes visible (zero when none), so
// that the consumer can wait for that moment on a timer of its own
// instead of long-polling. Redrive applies as it does to ReceiveMessage.
func (s *Service) Poll(ctx context.Context, queueARN string, in ReceiveInput) ([]ReceivedMessage, time.Time, error) {
	if in.MaxNumberOfMessages < 1 || in.MaxNumberOfMessages > 10 {
		return nil, time.Time{}, errInvalidParameterValue("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", in.MaxNumberOfMessages)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.queueByARN(queueARN)
	if err != nil {
		return nil, time.Time{}, err
	}
	got, next := s.takeLocked(ctx, q, in.MaxNumberOfMessages, in)
	return got, next, nil
}

// Watch calls wake whenever messages may have become receivable in the
// queue named by queueARN — one was sent, made visible again by
// ChangeMessageVisibility, or moved there by a redrive policy — until
// stop is called. It watches the name, so a queue deleted and created
// again is still watched. wake runs with the service's lock held: it
// must not call the service.
func (s *Service) Watch(queueARN string, wake func()) (stop func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, err := queueNameOf(queueARN)
	if err != nil {
		return nil, err
	}
	s.nextWatch++
	id := s.nextWatch
	if s.watchers[name] == nil {
		s.watchers[name] = map[uint64]func(){}
	}
	s.watchers[name][id] = wake
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		delete(s.watchers[name], id)
		if len(s.watchers[name]) == 0 {
			delete(s.watchers, name)
		}
	}, nil
}

// wakeLocked tells long polls and watchers that messages may be
// receivable in q. Must hold s.mu.
func (s *Service) wakeLocked(q *queue) {
	close(q.ready)
	q.ready = make(chan struct{})
	for _, wake := range s.watchers[q.name] {
		wake()
	}
}

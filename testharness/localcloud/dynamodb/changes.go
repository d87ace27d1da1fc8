package dynamodb

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/dynamodb/attr"
)

// ChangeSink receives the changes of tables with a stream enabled. The
// wiring connects it to the DynamoDB Streams service, which makes stream
// records of them.
//
// TableChanged is called after the write succeeded, without the service's
// lock held, once per changed item and in write order for the whole
// service (so also per table and per item). The write's API call returns
// only after its changes were delivered. TableChanged must not write to
// this DynamoDB service itself (it would wait for its own delivery).
type ChangeSink interface {
	TableChanged(ctx context.Context, c Change)
}

// Change is one item-level modification, what a stream record describes.
type Change struct {
	TableName string
	StreamARN string
	// StreamViewType is the stream's view type when the write happened:
	// KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES.
	StreamViewType string
	// EventName is INSERT, MODIFY or REMOVE.
	EventName string
	// Keys, OldImage and NewImage are DynamoDB-JSON maps
	// ({"PK":{"S":"USER#1"}}). The images are already cut to the view
	// type: OldImage is nil unless the view includes old images and the
	// item existed before; NewImage is nil unless the view includes new
	// images and the item exists after.
	Keys     json.RawMessage
	OldImage json.RawMessage
	NewImage json.RawMessage
	// SizeBytes is the size of Keys plus the images carried, by
	// DynamoDB's item-size rules (the documented stream record examples
	// add up this way).
	SizeBytes                   int
	ApproximateCreationDateTime time.Time
	// UserIdentity is set for deletions by TTL: Type "Service",
	// PrincipalID "dynamodb.amazonaws.com".
	UserIdentity *UserIdentity
}

// UserIdentity names who made a change when it was not a user's request.
type UserIdentity struct {
	Type        string
	PrincipalID string
}

// pendingChange is a change waiting for delivery, kept as items until the
// sink gets it.
type pendingChange struct {
	table, arn, view string
	keys, old, new   attr.Item
	at               time.Time
	ttl              bool
}

// record queues the change of one item, if the table has a stream and
// the write changed anything. Must hold s.mu.
func (s *Service) record(t *table, old, new attr.Item, ttl bool) {
	if t.stream == nil || s.sink == nil {
		return
	}
	if old == nil && new == nil || old != nil && new != nil && old.Equal(new) {
		return // "If you perform a PutItem or UpdateItem operation that does not change any data in an item, DynamoDB Streams does not write a stream record" (Developer Guide, Change data capture for DynamoDB Streams)
	}
	keySource := new
	if keySource == nil {
		keySource = old
	}
	s.pending = append(s.pending, pendingChange{table: t.name, arn: t.streamARN(), view: t.stream.StreamViewType,
		keys: t.keyOf(keySource), old: old, new: new, at: s.clock.Now(), ttl: ttl})
}

// flush delivers queued changes in order. Whoever holds s.deliver delivers
// everything queued so far, so when flush returns, every change queued
// before it was called has been delivered. Must not hold s.mu.
func (s *Service) flush(ctx context.Context) {
	if s.sink == nil {
		return
	}
	s.deliver.Lock()
	defer s.deliver.Unlock()
	s.mu.Lock()
	batch := s.pending
	s.pending = nil
	s.mu.Unlock()
	for _, p := range batch {
		s.sink.TableChanged(ctx, p.change())
	}
}

func (p pendingChange) change() Change {
	c := Change{TableName: p.table, StreamARN: p.arn, StreamViewType: p.view, ApproximateCreationDateTime: p.at}
	switch {
	case p.old == nil:
		c.EventName = "INSERT"
	case p.new == nil:
		c.EventName = "REMOVE"
	default:
		c.EventName = "MODIFY"
	}
	c.Keys, _ = p.keys.MarshalJSON()
	c.SizeBytes = p.keys.Size()
	if p.old != nil && (p.view == "OLD_IMAGE" || p.view == "NEW_AND_OLD_IMAGES") {
		c.OldImage, _ = p.old.MarshalJSON()
		c.SizeBytes += p.old.Size()
	}
	if p.new != nil && (p.view == "NEW_IMAGE" || p.view == "NEW_AND_OLD_IMAGES") {
		c.NewImage, _ = p.new.MarshalJSON()
		c.SizeBytes += p.new.Size()
	}
	if p.ttl {
		c.UserIdentity = &UserIdentity{Type: "Service", PrincipalID: "dynamodb.amazonaws.com"}
	}
	return c
}

// StreamWatcher is told when a table's stream starts and ends, so the
// stream exists before its first record: a pipe can subscribe to a new
// table's stream while the stack deploys. A ChangeSink may implement it.
type StreamWatcher interface {
	StreamEnabled(ctx context.Context, table TableDescription)
	StreamDisabled(ctx context.Context, streamARN string)
}

// announceStream tells a StreamWatcher sink that a table's enabled stream
// changed from before to after ("" for none). Must not hold s.mu.
func (s *Service) announceStream(ctx context.Context, before, after string, d TableDescription) {
	w, ok := s.sink.(StreamWatcher)
	if !ok || before == after {
		return
	}
	if before != "" {
		w.StreamDisabled(ctx, before)
	}
	if after != "" {
		w.StreamEnabled(ctx, d)
	}
}

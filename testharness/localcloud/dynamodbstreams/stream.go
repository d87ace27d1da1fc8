package dynamodbstreams

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// Stream view types, as a table's StreamSpecification names them.
const (
	KeysOnly        = "KEYS_ONLY"
	NewImage        = "NEW_IMAGE"
	OldImage        = "OLD_IMAGE"
	NewAndOldImages = "NEW_AND_OLD_IMAGES"
)

// KeySchemaElement is one key attribute of the stream's table.
type KeySchemaElement struct {
	AttributeName string
	KeyType       string // HASH or RANGE
}

// StreamSpec describes a stream the DynamoDB service enabled on a table.
type StreamSpec struct {
	TableName string
	// StreamARN is the ARN DynamoDB gave the stream (its label is the part
	// after "/stream/"); generated from the table name and the clock when
	// empty.
	StreamARN      string
	StreamViewType string
	KeySchema      []KeySchemaElement
}

// stream is one table stream with its single shard.
type stream struct {
	arn, label, table, viewType string
	keySchema                   []KeySchemaElement
	created                     time.Time
	enabled                     bool
	shardID                     string
	startCounter                uint64   // the shard's StartingSequenceNumber
	records                     []Record // retained, oldest first
	trimmedThrough              uint64   // counter of the newest trimmed record
	lastCounter                 uint64   // counter of the newest record ever
	subscribers                 map[*Subscription]struct{}
}

// EnableStream registers a table's new stream (ENABLED, one open shard)
// and returns its ARN. Enabling an ARN that exists is a no-op.
func (s *Service) EnableStream(_ context.Context, spec StreamSpec) (string, error) {
	if spec.TableName == "" {
		return "", fmt.Errorf("enable stream: table name is empty")
	}
	if !validViewType(spec.StreamViewType) {
		return "", fmt.Errorf("enable stream of table %s: invalid StreamViewType %q", spec.TableName, spec.StreamViewType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.ensureStream(spec)
	return st.arn, nil
}

// ensureStream returns the stream spec names, creating it. Must hold s.mu.
func (s *Service) ensureStream(spec StreamSpec) *stream {
	if st := s.streams[spec.StreamARN]; st != nil {
		return st
	}
	now := s.clock.Now().UTC()
	streamARN := spec.StreamARN
	if streamARN == "" {
		streamARN = s.newStreamARN(spec.TableName, now)
	}
	label := streamARN[strings.LastIndex(streamARN, "/")+1:]
	s.counter++
	st := &stream{
		arn: streamARN, label: label, table: spec.TableName, viewType: spec.StreamViewType,
		keySchema: spec.KeySchema, created: now, enabled: true,
		shardID:      fmt.Sprintf("shardId-%020d-%s", now.UnixMilli(), randomHex(4)),
		startCounter: s.counter, trimmedThrough: s.counter, lastCounter: s.counter,
		subscribers: map[*Subscription]struct{}{},
	}
	s.streams[streamARN] = st
	s.order = append(s.order, st)
	return st
}

// newStreamARN returns a fresh stream ARN for a table: the label is the
// creation time to the millisecond, as DynamoDB's is, made unique by
// moving it forward a millisecond at a time. Must hold s.mu.
func (s *Service) newStreamARN(table string, at time.Time) string {
	for {
		a := arn.New("dynamodb", "table/"+table+"/stream/"+at.Format("2006-01-02T15:04:05.000"))
		if s.streams[a] == nil {
			return a
		}
		at = at.Add(time.Millisecond)
	}
}

// DisableStream closes a stream: its shard gets an EndingSequenceNumber,
// its status becomes DISABLED, and its records stay readable until they
// age out. A later EnableStream of the table must use a new ARN.
func (s *Service) DisableStream(_ context.Context, streamARN string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[streamARN]
	if st == nil {
		return errStreamNotFound(streamARN)
	}
	st.enabled = false
	st.notify()
	return nil
}

// Change is one item change of a table with a stream, as the DynamoDB
// service reports it after the write. Images are DynamoDB JSON.
type Change struct {
	TableName      string
	StreamARN      string
	StreamViewType string
	EventName      string // INSERT, MODIFY or REMOVE
	Keys           json.RawMessage
	OldImage       json.RawMessage
	NewImage       json.RawMessage
	SizeBytes      int
	// ApproximateCreationDateTime is when the change happened; the
	// service's clock when zero.
	ApproximateCreationDateTime time.Time
	// TTLDelete marks a REMOVE done by Time to Live, which DynamoDB
	// Streams records with a service userIdentity.
	TTLDelete bool
}

// Append records a change on its stream and wakes the stream's
// subscribers. A stream not yet enabled is created from the change (with
// no key schema). Appending to a disabled stream is an error.
func (s *Service) Append(_ context.Context, c Change) error {
	if c.StreamARN == "" {
		return fmt.Errorf("append change of table %s: stream ARN is empty", c.TableName)
	}
	switch c.EventName {
	case "INSERT", "MODIFY", "REMOVE":
	default:
		return fmt.Errorf("append change to %s: invalid eventName %q", c.StreamARN, c.EventName)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.streams[c.StreamARN]
	if st == nil {
		if !validViewType(c.StreamViewType) {
			return fmt.Errorf("append change to %s: invalid StreamViewType %q", c.StreamARN, c.StreamViewType)
		}
		st = s.ensureStream(StreamSpec{TableName: c.TableName, StreamARN: c.StreamARN, StreamViewType: c.StreamViewType})
	}
	if !st.enabled {
		return fmt.Errorf("append change to %s: the stream is disabled", c.StreamARN)
	}
	now := s.clock.Now()
	s.trim(st, now)
	at := c.ApproximateCreationDateTime
	if at.IsZero() {
		at = now
	}
	s.counter++
	rec, err := newRecord(st, c, s.counter, at)
	if err != nil {
		return err
	}
	st.records = append(st.records, rec)
	st.lastCounter = s.counter
	st.notify()
	return nil
}

// TableChanged is Append in the shape of the DynamoDB service's change
// sink, for wiring that adapts one to the other; failures are dropped
// because a write that already happened cannot be undone.
func (s *Service) TableChanged(ctx context.Context, c Change) { _ = s.Append(ctx, c) }

// trim drops the records older than the retention period. Must hold s.mu.
func (s *Service) trim(st *stream, now time.Time) {
	cutoff := now.Add(-Retention)
	n := 0
	for n < len(st.records) && st.records[n].Dynamodb.ApproximateCreationDateTime.Before(cutoff) {
		n++
	}
	if n == 0 {
		return
	}
	st.trimmedThrough = st.records[n-1].counter
	st.records = append(st.records[:0:0], st.records[n:]...)
}

// notify wakes every subscriber of the stream. Must hold s.mu.
func (st *stream) notify() {
	for sub := range st.subscribers {
		if sub.wake != nil {
			sub.wake()
		}
		select {
		case sub.c <- struct{}{}:
		default:
		}
	}
}

func validViewType(v string) bool {
	switch v {
	case KeysOnly, NewImage, OldImage, NewAndOldImages:
		return true
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

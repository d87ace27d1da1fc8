package dynamodbstreams

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
)

// Record is one stream record. Its fields are those of the DynamoDB
// Streams API Record (API Reference, "Record" and "StreamRecord").
type Record struct {
	EventID      string
	EventName    string
	EventVersion string
	EventSource  string
	AWSRegion    string
	Dynamodb     StreamRecord
	// UserIdentity is set on deletions made by Time to Live.
	UserIdentity *Identity
	// EventSourceARN is the stream's ARN; consumers (Lambda, Pipes) add it
	// to the record they deliver.
	EventSourceARN string

	counter uint64
	event   []byte
}

// StreamRecord is the "dynamodb" part of a record.
type StreamRecord struct {
	ApproximateCreationDateTime time.Time
	Keys, NewImage, OldImage    json.RawMessage
	SequenceNumber              string
	SizeBytes                   int64
	StreamViewType              string
}

// Identity is who made a change; only TTL deletions carry one.
type Identity struct {
	PrincipalID string
	Type        string
}

// Event returns the record as Lambda and EventBridge Pipes deliver it: the
// API record plus eventSourceARN, with userIdentity in lower camel case
// (Lambda Developer Guide, "Using AWS Lambda with Amazon DynamoDB"; the
// EventBridge User Guide's DynamoDB pipe source example). The slice is
// shared: do not modify it.
func (r Record) Event() []byte { return r.event }

// eventRecord is the delivered JSON shape, fields in AWS's order.
type eventRecord struct {
	EventID        string         `json:"eventID"`
	EventName      string         `json:"eventName"`
	EventVersion   string         `json:"eventVersion"`
	EventSource    string         `json:"eventSource"`
	AWSRegion      string         `json:"awsRegion"`
	Dynamodb       wireDynamodb   `json:"dynamodb"`
	UserIdentity   *eventIdentity `json:"userIdentity,omitempty"`
	EventSourceARN string         `json:"eventSourceARN"`
}

type eventIdentity struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
}

// wireRecord is a record in a GetRecords response.
type wireRecord struct {
	EventID      string        `json:"eventID"`
	EventName    string        `json:"eventName"`
	EventVersion string        `json:"eventVersion"`
	EventSource  string        `json:"eventSource"`
	AWSRegion    string        `json:"awsRegion"`
	Dynamodb     wireDynamodb  `json:"dynamodb"`
	UserIdentity *wireIdentity `json:"userIdentity,omitempty"`
}

type wireIdentity struct {
	PrincipalID string `json:"PrincipalId"`
	Type        string `json:"Type"`
}

type wireDynamodb struct {
	// ApproximateCreationDateTime is epoch seconds, as records carry it.
	ApproximateCreationDateTime int64           `json:"ApproximateCreationDateTime"`
	Keys                        json.RawMessage `json:"Keys"`
	NewImage                    json.RawMessage `json:"NewImage,omitempty"`
	OldImage                    json.RawMessage `json:"OldImage,omitempty"`
	SequenceNumber              string          `json:"SequenceNumber"`
	SizeBytes                   int64           `json:"SizeBytes"`
	StreamViewType              string          `json:"StreamViewType"`
}

// newRecord builds the record of a change: the images the stream's view
// type keeps, a fresh eventID and the next sequence number.
func newRecord(st *stream, c Change, counter uint64, at time.Time) (Record, error) {
	for name, raw := range map[string]json.RawMessage{"Keys": c.Keys, "OldImage": c.OldImage, "NewImage": c.NewImage} {
		if len(raw) > 0 && !json.Valid(raw) {
			return Record{}, fmt.Errorf("append change to %s: %s is not JSON", st.arn, name)
		}
	}
	d := StreamRecord{
		ApproximateCreationDateTime: at.UTC().Truncate(time.Second),
		Keys:                        c.Keys,
		SequenceNumber:              formatSequence(counter),
		SizeBytes:                   int64(c.SizeBytes),
		StreamViewType:              st.viewType,
	}
	if len(d.Keys) == 0 {
		d.Keys = json.RawMessage("{}")
	}
	if (st.viewType == NewImage || st.viewType == NewAndOldImages) && c.EventName != "REMOVE" {
		d.NewImage = c.NewImage
	}
	if (st.viewType == OldImage || st.viewType == NewAndOldImages) && c.EventName != "INSERT" {
		d.OldImage = c.OldImage
	}
	r := Record{
		EventID: randomHex(16), EventName: c.EventName, EventVersion: "1.1",
		EventSource: "aws:dynamodb", AWSRegion: arn.Region, Dynamodb: d,
		EventSourceARN: st.arn, counter: counter,
	}
	if c.TTLDelete && c.EventName == "REMOVE" {
		r.UserIdentity = &Identity{PrincipalID: "dynamodb.amazonaws.com", Type: "Service"}
	}
	ev := eventRecord{EventID: r.EventID, EventName: r.EventName, EventVersion: r.EventVersion,
		EventSource: r.EventSource, AWSRegion: r.AWSRegion, Dynamodb: r.wireDynamodb(), EventSourceARN: r.EventSourceARN}
	if r.UserIdentity != nil {
		ev.UserIdentity = &eventIdentity{Type: r.UserIdentity.Type, PrincipalID: r.UserIdentity.PrincipalID}
	}
	event, err := json.Marshal(ev)
	if err != nil {
		return Record{}, fmt.Errorf("encode record of %s: %w", st.arn, err)
	}
	r.event = event
	return r, nil
}

func (r Record) wireDynamodb() wireDynamodb {
	d := r.Dynamodb
	return wireDynamodb{ApproximateCreationDateTime: d.ApproximateCreationDateTime.Unix(), Keys: d.Keys,
		NewImage: d.NewImage, OldImage: d.OldImage, SequenceNumber: d.SequenceNumber,
		SizeBytes: d.SizeBytes, StreamViewType: d.StreamViewType}
}

func (r Record) wire() wireRecord {
	w := wireRecord{EventID: r.EventID, EventName: r.EventName, EventVersion: r.EventVersion,
		EventSource: r.EventSource, AWSRegion: r.AWSRegion, Dynamodb: r.wireDynamodb()}
	if r.UserIdentity != nil {
		w.UserIdentity = &wireIdentity{PrincipalID: r.UserIdentity.PrincipalID, Type: r.UserIdentity.Type}
	}
	return w
}

// Sequence numbers are "1" followed by a 20-digit counter: 21 digits, like
// AWS's, increasing, and ordered as strings because they have one length.
const sequencePrefix = "1"

func formatSequence(counter uint64) string {
	return fmt.Sprintf("%s%020d", sequencePrefix, counter)
}

// parseSequence returns the counter of a sequence number this service
// issued.
func parseSequence(seq string) (uint64, bool) {
	if len(seq) != 21 || seq[:1] != sequencePrefix {
		return 0, false
	}
	n, err := strconv.ParseUint(seq[1:], 10, 64)
	return n, err == nil
}

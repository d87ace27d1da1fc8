package s3

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"

	"github.com/tracebridge/tracebridge/testharness/localcloud/arn"
	"github.com/tracebridge/tracebridge/testharness/localcloud/awsproto"
	"github.com/tracebridge/tracebridge/testharness/localcloud/identity"
)

// The detail-types and reasons S3 sends to EventBridge (Amazon S3 User
// Guide, "EventBridge event message structure").
const (
	DetailTypeObjectCreated = "Object Created"
	DetailTypeObjectDeleted = "Object Deleted"

	ReasonPutObject               = "PutObject"
	ReasonCopyObject              = "CopyObject"
	ReasonCompleteMultipartUpload = "CompleteMultipartUpload"
	ReasonDeleteObject            = "DeleteObject"
)

type eventDetail struct {
	Version      string      `json:"version"`
	Bucket       eventBucket `json:"bucket"`
	Object       eventObject `json:"object"`
	RequestID    string      `json:"request-id"`
	Requester    string      `json:"requester"`
	SourceIP     string      `json:"source-ip-address,omitempty"`
	Reason       string      `json:"reason"`
	DeletionType string      `json:"deletion-type,omitempty"`
}

type eventBucket struct {
	Name string `json:"name"`
}

// eventObject has size and etag for created objects only; the deleted
// example of the S3 guide carries key, version-id and sequencer.
type eventObject struct {
	Key       string `json:"key"`
	Size      *int64 `json:"size,omitempty"`
	ETag      string `json:"etag,omitempty"`
	VersionID string `json:"version-id,omitempty"`
	Sequencer string `json:"sequencer"`
}

type sourceIPKey struct{}

// withSourceIP remembers the client address of an HTTP request for the
// source-ip-address of the events it causes.
func withSourceIP(ctx context.Context, r *http.Request) context.Context {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return context.WithValue(ctx, sourceIPKey{}, host)
}

// objectEvent builds the event of a mutation of o in b, or returns nil when
// the bucket does not send events to EventBridge. Must hold s.mu.
func (s *Service) objectEvent(ctx context.Context, b *Bucket, o *Object, detailType, reason string) *Event {
	if b.Notification.EventBridgeConfiguration == nil || s.events == nil {
		return nil
	}
	// The sequencer only has to grow per key; a fixed-width hex counter
	// seeded from the clock grows per bucket, as S3's does in practice.
	seq := uint64(s.clock.Now().UnixNano())
	if seq <= b.sequence {
		seq = b.sequence + 1
	}
	b.sequence = seq
	ip, _ := ctx.Value(sourceIPKey{}).(string)
	d := eventDetail{
		Version:   "0",
		Bucket:    eventBucket{Name: b.Name},
		Object:    eventObject{Key: eventObjectKey(o.Key), VersionID: o.VersionID, Sequencer: fmt.Sprintf("%016X", seq)},
		RequestID: awsproto.RequestID(ctx),
		Requester: identity.FromContext(ctx).Account(),
		SourceIP:  ip,
		Reason:    reason,
	}
	if detailType == DetailTypeObjectCreated {
		size := o.Size()
		d.Object.Size = &size
		d.Object.ETag = unquote(o.ETag)
	} else {
		d.DeletionType = "Permanently Deleted"
	}
	detail, _ := json.Marshal(d) // strings and an int: cannot fail
	return &Event{Source: "aws.s3", DetailType: detailType, Resources: []string{arn.S3(b.Name)},
		Detail: detail, Time: s.clock.Now().UTC()}
}

// publish sends events built under the lock; call it after unlocking. An
// event does not continue the X-Ray trace of the request that caused it:
// AWS carries no trace context across S3 notifications, so the request's
// X-Amzn-Trace-Id (which the gateway puts in ctx) is left behind.
func (s *Service) publish(ctx context.Context, events ...*Event) {
	ctx = awsproto.WithTraceHeader(context.WithoutCancel(ctx), "")
	for _, e := range events {
		if e == nil {
			continue
		}
		if err := s.events.PublishEvent(ctx, *e); err != nil && s.onPubErr != nil {
			s.onPubErr(fmt.Errorf("publish S3 %s event for %s: %w", e.DetailType, e.Resources[0], err))
		}
	}
}

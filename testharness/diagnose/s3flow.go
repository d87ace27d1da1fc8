package diagnose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tracebridge/tracebridge/testharness"
)

// defaultBus is where S3 puts its events (Amazon S3 User Guide, "Using
// EventBridge").
const defaultBus = "default"

// objectFlow follows an object upload: the bucket's notification
// configuration must send events to EventBridge; the "Object Created"
// event S3 puts on the default bus for the object must match a rule; the
// rule must reach its targets.
func (d *Diagnoser) objectFlow(ctx context.Context, r *report, t testharness.Trigger, ev *evidence) error {
	bucket, key := t.S3Object.Bucket, t.S3Object.Key
	nc, err := d.s3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String(bucket)})
	switch {
	case err != nil:
		if err := r.couldNotCheck(ctx, "bucket notifications", bucket, err); err != nil {
			return err
		}
	case nc.EventBridgeConfiguration == nil:
		r.broken("bucket notifications", bucket, "bucket %s does not send events to EventBridge: its notification configuration has no EventBridgeConfiguration", bucket)
		return nil
	default:
		r.ok("bucket notifications", bucket, "sends events to EventBridge")
	}
	event, err := d.objectCreatedEvent(ctx, bucket, key, t.At)
	if err != nil {
		// Without the event no rule can be tested against it.
		return r.couldNotCheck(ctx, "rule", defaultBus, err)
	}
	if ev != nil {
		ev.terms = append(ev.terms, key)
	}
	return d.routeEvent(ctx, r, defaultBus, event, ev)
}

// objectCreatedEvent builds the event S3 puts on the default bus for a
// PutObject of the object, in the documented shape (Amazon S3 User Guide,
// "EventBridge event message structure", Object Created), with the size,
// ETag and version the object has now.
func (d *Diagnoser) objectCreatedEvent(ctx context.Context, bucket, key string, at time.Time) ([]byte, error) {
	head, err := d.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("HeadObject s3://%s/%s: %w", bucket, key, err)
	}
	object := map[string]any{
		"key":       key,
		"size":      aws.ToInt64(head.ContentLength),
		"etag":      strings.Trim(aws.ToString(head.ETag), `"`),
		"sequencer": fmt.Sprintf("%016X", at.UnixNano()),
	}
	if v := aws.ToString(head.VersionId); v != "" && v != "null" {
		object["version-id"] = v
	}
	account, err := d.account(ctx)
	if err != nil {
		return nil, err
	}
	if at.IsZero() {
		at = time.Now()
	}
	return json.Marshal(map[string]any{
		"version":     "0",
		"id":          "00000000-0000-0000-0000-000000000000",
		"detail-type": "Object Created",
		"source":      "aws.s3",
		"account":     account,
		"time":        at.UTC().Format(time.RFC3339),
		"region":      d.region,
		"resources":   []string{"arn:aws:s3:::" + bucket},
		"detail": map[string]any{
			"version":    "0",
			"bucket":     map[string]any{"name": bucket},
			"object":     object,
			"request-id": "0000000000000000",
			"requester":  account,
			"reason":     "PutObject",
		},
	})
}

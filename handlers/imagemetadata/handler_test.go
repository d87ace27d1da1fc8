package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/tracebridge/tracebridge/schemas"
	"github.com/tracebridge/tracebridge/testharness/localcloud/faults"
	"github.com/tracebridge/tracebridge/testharness/localtest"
)

func TestPNGHappyPathPreservesMetadata(t *testing.T) {
	f := newFixture(t)
	key := "uploads/flower.png"
	expires := time.Date(2037, 10, 21, 7, 28, 0, 0, time.UTC)
	f.put(t, key, object{Data: encode(t, "png", 172, 178), Metadata: map[string]string{"correlation-id": "c-123", "owner": "alice"},
		ContentType: "image/png", CacheControl: "max-age=60", ContentDisposition: `inline; filename="flower.png"`, ContentLanguage: "en",
		Expires: &expires, StorageClass: types.StorageClassStandardIa})
	if err := f.handle(t, lambdaCtx(), key, schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	obj := f.head(t, key)
	wantMeta := map[string]string{"correlation-id": "c-123", "owner": "alice", "image_width": "172", "image_height": "178"}
	if !maps.Equal(obj.Metadata, wantMeta) {
		t.Errorf("metadata %v, want exactly %v", obj.Metadata, wantMeta)
	}
	for name, c := range map[string]struct{ got, want string }{
		"Content-Type":        {aws.ToString(obj.ContentType), "image/png"},
		"Cache-Control":       {aws.ToString(obj.CacheControl), "max-age=60"},
		"Content-Disposition": {aws.ToString(obj.ContentDisposition), `inline; filename="flower.png"`},
		"Content-Language":    {aws.ToString(obj.ContentLanguage), "en"},
		"Expires":             {aws.ToString(obj.ExpiresString), "Wed, 21 Oct 2037 07:28:00 GMT"},
		"x-amz-storage-class": {string(obj.StorageClass), "STANDARD_IA"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q after the copy, want %q", name, c.got, c.want)
		}
	}
	// One ranged read (206, also for an object shorter than the range)
	// and one copy.
	if gets := f.requests(t, "REST.GET.OBJECT"); len(gets) != 1 || gets[0].Status != http.StatusPartialContent {
		t.Fatalf("reads %+v, want one ranged GetObject", gets)
	}
	if copies := f.requests(t, "REST.COPY.OBJECT"); len(copies) != 1 || copies[0].Status != http.StatusOK {
		t.Fatalf("copies %+v, want one", copies)
	}
	written := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
	want := schemas.ImageMetadataWritten{Bucket: f.bucket, Key: key, Width: 172, Height: 178, Format: "png", CorrelationID: "c-123"}
	if len(written) != 1 || written[0] != want {
		t.Fatalf("ImageMetadataWritten events %+v, want [%+v]", written, want)
	}
	if th := f.bus.Events(t)[0].TraceHeader; !strings.Contains(th, "Root=1-5759e988-bd862e3fe1be46a994272793") {
		t.Errorf("trace header %q does not carry the invocation's trace", th)
	}
}

func TestFormats(t *testing.T) {
	for _, c := range []struct {
		format string
		w, h   int
	}{{"jpeg", 640, 480}, {"gif", 33, 7}, {"webp", 1024, 768}} {
		t.Run(c.format, func(t *testing.T) {
			f := newFixture(t)
			f.put(t, "img", object{Data: encode(t, c.format, c.w, c.h)})
			if err := f.handle(t, context.Background(), "img", schemas.S3ReasonPutObject); err != nil {
				t.Fatal(err)
			}
			got := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
			if len(got) != 1 || got[0].Format != c.format || got[0].Width != c.w || got[0].Height != c.h || got[0].CorrelationID != "" {
				t.Fatalf("events %+v, want %s %d×%d without correlation id", got, c.format, c.w, c.h)
			}
		})
	}
}

func TestRedeliveredUploadAnnouncesAgainAndOwnCopyEventIsSilent(t *testing.T) {
	f := newFixture(t)
	f.put(t, "a.png", object{Data: encode(t, "png", 172, 178), Metadata: map[string]string{"correlation-id": "c-1"}})
	put := objectCreated(t, f.bucket, "a.png", schemas.S3ReasonPutObject)
	ownCopy := objectCreated(t, f.bucket, "a.png", schemas.S3ReasonCopyObject)
	for i, c := range []struct {
		event  events.EventBridgeEvent
		events int // ImageMetadataWritten events so far
	}{{put, 1}, {ownCopy, 1}, {put, 2}, {ownCopy, 2}} {
		if err := f.h.Handle(context.Background(), c.event); err != nil {
			t.Fatal(err)
		}
		written := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
		if len(written) != c.events || written[len(written)-1].CorrelationID != "c-1" || written[len(written)-1].Width != 172 {
			t.Fatalf("after delivery %d (%s): ImageMetadataWritten %+v, want %d", i+1, c.event.Detail, written, c.events)
		}
	}
	if copies := f.requests(t, "REST.COPY.OBJECT"); len(copies) != 1 {
		t.Errorf("%d copies, want 1: the metadata is written once", len(copies))
	}
}

// TestOutcomeAnnouncedByTheRetryWhenItsEventCouldNotBePut: the metadata is
// written but PutEvents keeps failing, so Handle fails and Lambda retries
// the event; the retry finds the metadata right and announces it.
func TestOutcomeAnnouncedByTheRetryWhenItsEventCouldNotBePut(t *testing.T) {
	f := newFixture(t)
	f.put(t, "a.png", object{Data: encode(t, "png", 8, 8), Metadata: map[string]string{"correlation-id": "c-2"}})
	unavailable := localtest.Fault(t, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: f.bus.Name, Action: faults.Error,
		ErrorCode: "ServiceUnavailable", StatusCode: http.StatusServiceUnavailable, Message: "Service is unavailable",
		Count: 3}) // every attempt of the publisher
	if err := f.handle(t, context.Background(), "a.png", schemas.S3ReasonPutObject); err == nil || !strings.Contains(err.Error(), "ServiceUnavailable") {
		t.Fatalf("Handle = %v, want the PutEvents error (for Lambda to retry)", err)
	}
	if !localtest.Spent(t, unavailable) {
		t.Fatal("the publisher gave up before its three attempts")
	}
	if obj := f.head(t, "a.png"); obj.Metadata["image_width"] != "8" {
		t.Fatalf("metadata %v, want the dimensions written before the announcement failed", obj.Metadata)
	}
	if err := f.handle(t, context.Background(), "a.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	written := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
	if len(written) != 1 || written[0].CorrelationID != "c-2" {
		t.Fatalf("ImageMetadataWritten %+v, want one for c-2 from the retry", written)
	}
}

// TestConcurrentOverwriteIsReRead: the object is replaced between the
// handler's read and its copy; the conditional copy fails (412) instead
// of stamping the new image with the old dimensions, and the handler reads
// the new one.
func TestConcurrentOverwriteIsReRead(t *testing.T) {
	f := newFixture(t)
	f.put(t, "race.png", object{Data: encode(t, "png", 172, 178)})
	f.h.S3 = &racingS3{S3API: f.h.S3, beforeCopy: func() { f.put(t, "race.png", object{Data: encode(t, "png", 50, 60)}) }}
	if err := f.handle(t, context.Background(), "race.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	gets, copies := f.requests(t, "REST.GET.OBJECT"), f.requests(t, "REST.COPY.OBJECT")
	if c := statuses(copies); len(gets) != 2 || !slices.Equal(slices.Sorted(slices.Values(c)), []int{http.StatusOK, http.StatusPreconditionFailed}) {
		t.Fatalf("%d reads and copies answered %v, want 2 reads and a 412 copy then a good one", len(gets), c)
	}
	if obj := f.head(t, "race.png"); obj.Metadata["image_width"] != "50" || obj.Metadata["image_height"] != "60" {
		t.Fatalf("metadata %v, want the new object's 50×60", obj.Metadata)
	}
	got := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
	if len(got) != 1 || got[0].Width != 50 {
		t.Fatalf("events %+v", got)
	}
}

func TestUnsizableObjectsEmitFailure(t *testing.T) {
	png := encode(t, "png", 172, 178)
	absurd := append([]byte(nil), png...)
	binary.BigEndian.PutUint32(absurd[16:20], 1_000_000)
	for name, c := range map[string]struct {
		data        []byte
		reason      string
		correlation string
	}{
		"not an image":  {[]byte("just some text, definitely not pixels"), "not a PNG, JPEG, GIF or WebP", "c-9"},
		"truncated png": {png[:20], "truncated", "c-9"},
		"absurd":        {absurd, "out of bounds", "c-9"},
		"empty":         {nil, "empty object", ""}, // 416 carries no metadata
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			f.put(t, "x", object{Data: c.data, Metadata: map[string]string{"correlation-id": "c-9"}})
			if err := f.handle(t, context.Background(), "x", schemas.S3ReasonPutObject); err != nil {
				t.Fatalf("Handle returned %v, want nil (no retry storm)", err)
			}
			if copies := f.requests(t, "REST.COPY.OBJECT"); len(copies) != 0 {
				t.Errorf("%d copies, want none", len(copies))
			}
			failed := eventsOf[schemas.ImageMetadataFailed](t, f, schemas.DetailTypeImageMetadataFailed)
			if len(failed) != 1 || !strings.Contains(failed[0].Reason, c.reason) || failed[0].CorrelationID != c.correlation || failed[0].Key != "x" {
				t.Fatalf("failure events %+v, want one with reason containing %q", failed, c.reason)
			}
		})
	}
}

// s3Fault fails the next request asking action on bucket/key: s3:GetObject
// is GetObject's, s3:PutObject CopyObject's (which reads with
// s3:GetObject too).
func s3Fault(bucket, key, action string, status int, code, message string) faults.Spec {
	return faults.Spec{Service: "s3", Operation: action, Resource: bucket + "/" + key, Action: faults.Error,
		StatusCode: status, ErrorCode: code, Message: message, Count: 1}
}

func TestS3ThrottlingAndServerErrorsAreRetriedByThePlatform(t *testing.T) {
	for _, c := range []struct {
		action, code, message string
		status                int
	}{
		{"s3:GetObject", "SlowDown", "Please reduce your request rate.", http.StatusServiceUnavailable},
		{"s3:PutObject", "SlowDown", "Please reduce your request rate.", http.StatusServiceUnavailable},
		{"s3:PutObject", "InternalError", "We encountered an internal error. Please try again.", http.StatusInternalServerError},
	} {
		t.Run(c.action+" "+c.code, func(t *testing.T) {
			f := newFixture(t)
			f.put(t, "a.png", object{Data: encode(t, "png", 4, 4)})
			localtest.Fault(t, s3Fault(f.bucket, "a.png", c.action, c.status, c.code, c.message))
			err := f.handle(t, context.Background(), "a.png", schemas.S3ReasonPutObject)
			if err == nil || !strings.Contains(err.Error(), c.code) {
				t.Fatalf("Handle = %v, want the %s error", err, c.code)
			}
			if evs := f.bus.Events(t); len(evs) != 0 {
				t.Fatalf("events %+v after a transient error, want none", evs)
			}
		})
	}
}

// denialOf is S3's AccessDenied message for the function's role lacking
// action on the object (AWS IAM User Guide, "Troubleshoot access denied
// error messages"; the local cloud words it the same).
func denialOf(action, bucket, key string) string {
	return `User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: ` + action +
		` on resource: "arn:aws:s3:::` + bucket + `/` + key + `" because no identity-based policy allows the ` + action + ` action`
}

func TestPermanentS3ErrorsAreAnnouncedAtOnce(t *testing.T) {
	const tooLarge = "The specified copy source is larger than the maximum allowable size for a copy source: 5368709120"
	for _, c := range []struct {
		name          string
		action        string // the injected fault's; "" for the cloud's own answer
		status        int
		code          string
		message       func(bucket string) string
		missingBucket bool   // the event names a bucket that does not exist
		reason        string // before the message
		correlation   string // the read is what finds the correlation id
	}{
		{"GetObject AccessDenied", "s3:GetObject", http.StatusForbidden, "AccessDenied",
			func(b string) string { return denialOf("s3:GetObject", b, "a.png") }, false, "s3:GetObject denied: ", ""},
		{"GetObject NoSuchBucket", "", 0, "NoSuchBucket",
			func(string) string { return "The specified bucket does not exist" }, true, "GetObject failed: NoSuchBucket: ", ""},
		{"CopyObject AccessDenied", "s3:PutObject", http.StatusForbidden, "AccessDenied",
			func(b string) string { return denialOf("s3:PutObject", b, "a.png") }, false, "s3:PutObject denied: ", "c-3"},
		{"CopyObject InvalidRequest", "s3:PutObject", http.StatusBadRequest, "InvalidRequest",
			func(string) string { return tooLarge }, false, "CopyObject failed: InvalidRequest: ", "c-3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.put(t, "a.png", object{Data: encode(t, "png", 4, 4), Metadata: map[string]string{"correlation-id": "c-3"}})
			bucket := f.bucket
			if c.missingBucket {
				bucket += "-gone"
			}
			msg := c.message(bucket)
			if c.action != "" {
				localtest.Fault(t, s3Fault(bucket, "a.png", c.action, c.status, c.code, msg))
			}
			if err := f.h.Handle(context.Background(), objectCreated(t, bucket, "a.png", schemas.S3ReasonPutObject)); err != nil {
				t.Fatalf("Handle = %v, want nil: retrying cannot help", err)
			}
			failed := eventsOf[schemas.ImageMetadataFailed](t, f, schemas.DetailTypeImageMetadataFailed)
			want := schemas.ImageMetadataFailed{Bucket: bucket, Key: "a.png", Reason: c.reason + msg,
				ErrorCode: c.code, ErrorMessage: msg, CorrelationID: c.correlation}
			if len(failed) != 1 || failed[0] != want {
				t.Fatalf("ImageMetadataFailed %+v\nwant [%+v]", failed, want)
			}
			if n := len(f.bus.Events(t)); n != 1 {
				t.Errorf("%d events, want only the failure", n)
			}
			if obj := f.head(t, "a.png"); obj.Metadata["image_width"] != "" {
				t.Errorf("metadata %v written despite the failure", obj.Metadata)
			}
		})
	}
}

// TestFailureEventThatCannotBePutIsAnError: denied S3 and denied PutEvents
// → the error is returned (Lambda retries, its log keeps it) after one log
// line naming PutEvents' code and message and the correlation id.
func TestFailureEventThatCannotBePutIsAnError(t *testing.T) {
	f := newFixture(t)
	var logged bytes.Buffer
	f.h.Log = slog.New(slog.NewJSONHandler(&logged, nil))
	f.put(t, "a.png", object{Data: encode(t, "png", 4, 4), Metadata: map[string]string{"correlation-id": "c-4"}})
	localtest.Fault(t, s3Fault(f.bucket, "a.png", "s3:PutObject", http.StatusForbidden, "AccessDenied", denialOf("s3:PutObject", f.bucket, "a.png")))
	putDenial := "User: arn:aws:sts::000000000000:assumed-role/ImageRole/fn is not authorized to perform: events:PutEvents on resource: arn:aws:events:us-east-1:000000000000:event-bus/" +
		f.bus.Name + " because no identity-based policy allows the events:PutEvents action"
	denied := localtest.Fault(t, faults.Spec{Service: "events", Operation: "events:PutEvents", Resource: f.bus.Name, Action: faults.Error,
		ErrorCode: "AccessDeniedException", StatusCode: http.StatusBadRequest, Message: putDenial})
	err := f.handle(t, context.Background(), "a.png", schemas.S3ReasonPutObject)
	if err == nil || !strings.Contains(err.Error(), "AccessDeniedException") {
		t.Fatalf("Handle = %v, want PutEvents' AccessDeniedException", err)
	}
	if n := localtest.Hits(t, denied); n != 1 {
		t.Errorf("%d PutEvents calls, want 1: a denial is not retried", n)
	}
	if !slices.ContainsFunc(strings.Split(logged.String(), "\n"), func(l string) bool {
		return strings.Contains(l, schemas.DetailTypeImageMetadataFailed) && strings.Contains(l, `"correlation_id":"c-4"`) &&
			strings.Contains(l, `"error_code":"AccessDeniedException"`) && strings.Contains(l, `"error_message":"`+putDenial+`"`)
	}) {
		t.Fatalf("no log line naming ImageMetadataFailed, PutEvents' code and message and c-4 in:\n%s", logged.String())
	}
}

func TestDeletedObjectIsIgnored(t *testing.T) {
	f := newFixture(t)
	if err := f.handle(t, context.Background(), "gone.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	if evs, copies := f.bus.Events(t), f.requests(t, "REST.COPY.OBJECT"); len(evs) != 0 || len(copies) != 0 {
		t.Fatalf("a deleted object produced copies %+v or events %+v", copies, evs)
	}
	// Deleted between the read and the copy: the copy's source is gone.
	f.put(t, "going.png", object{Data: encode(t, "png", 4, 4)})
	f.h.S3 = &racingS3{S3API: f.h.S3, beforeCopy: func() {
		if _, err := f.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(f.bucket), Key: aws.String("going.png")}); err != nil {
			t.Error(err)
		}
	}}
	if err := f.handle(t, context.Background(), "going.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	if copies := f.requests(t, "REST.COPY.OBJECT"); len(copies) != 1 || copies[0].ErrorCode != "NoSuchKey" {
		t.Fatalf("copies %+v, want one answered NoSuchKey", copies)
	}
	if evs := f.bus.Events(t); len(evs) != 0 || f.head(t, "going.png") != nil {
		t.Fatalf("an object deleted before its copy produced events %+v or came back", evs)
	}
}

func TestKeyWithSpacesPlusAndNonASCII(t *testing.T) {
	f := newFixture(t)
	key := "uploads/red flower+größe 日本.png"
	f.put(t, key, object{Data: encode(t, "png", 3, 2)})
	if err := f.handle(t, context.Background(), key, schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	if obj := f.head(t, key); obj.Metadata["image_width"] != "3" {
		t.Fatalf("metadata of %q: %v", key, obj.Metadata)
	}
	got := eventsOf[schemas.ImageMetadataWritten](t, f, schemas.DetailTypeImageMetadataWritten)
	if len(got) != 1 || got[0].Key != key {
		t.Fatalf("events %+v, want key %q", got, key)
	}
}

// largeObject is big enough that reading it whole would show: 256 times
// the header the handler reads.
const largeObject = 16 << 20

func TestLargeObjectReadsOnlyTheHeader(t *testing.T) {
	f := newFixture(t)
	f.put(t, "huge.png", object{Data: encode(t, "png", 172, 178), Size: largeObject})
	if err := f.handle(t, context.Background(), "huge.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	gets := f.requests(t, "REST.GET.OBJECT")
	if len(gets) != 1 || gets[0].BytesSent > 64<<10 || gets[0].ObjectSize != largeObject {
		t.Fatalf("reads %+v, want one of at most 64 KiB of the %d-byte object", gets, largeObject)
	}
	if obj := f.head(t, "huge.png"); aws.ToInt64(obj.ContentLength) != largeObject || obj.Metadata["image_height"] != "178" {
		t.Fatalf("object after copy: size %d, metadata %v", aws.ToInt64(obj.ContentLength), obj.Metadata)
	}
}

// TestPutEventsPartialFailureIsRetried: PutEvents accepts the request but
// fails its entry; the entry is sent again and put once.
func TestPutEventsPartialFailureIsRetried(t *testing.T) {
	f := newFixture(t)
	f.put(t, "a.png", object{Data: encode(t, "png", 8, 8)})
	failed := localtest.Fault(t, faults.Spec{Service: "events", Resource: f.bus.Name, Action: faults.EntryError, Count: 1})
	if err := f.handle(t, context.Background(), "a.png", schemas.S3ReasonPutObject); err != nil {
		t.Fatal(err)
	}
	if !localtest.Spent(t, failed) {
		t.Fatal("the entry did not fail")
	}
	if evs := f.bus.Events(t); len(evs) != 1 {
		t.Fatalf("%d events delivered, want 1", len(evs))
	}
}

func TestRejectsOtherEvents(t *testing.T) {
	f := newFixture(t)
	ev := objectCreated(t, f.bucket, "a.png", schemas.S3ReasonPutObject)
	ev.DetailType = "Object Deleted"
	if err := f.h.Handle(context.Background(), ev); err == nil {
		t.Fatal("Handle accepted an Object Deleted event")
	}
	ev = objectCreated(t, f.bucket, "a.png", schemas.S3ReasonPutObject)
	ev.Detail = json.RawMessage(`{"bucket":{"name":"b"},"object":{"key":""}}`)
	if err := f.h.Handle(context.Background(), ev); err == nil {
		t.Fatal("Handle accepted an event without a key")
	}
}

// BenchmarkHandleHeaderOf100MB runs the whole read path (ranged GET through
// the SDK to the local cloud, header decode, no-op because the dimensions
// are already recorded and the event is our copy's) against a 100 MB
// object.
func BenchmarkHandleHeaderOf100MB(b *testing.B) {
	f := newFixture(b)
	f.put(b, "huge.png", object{Data: encode(b, "png", 172, 178), Size: 100 << 20})
	if err := f.handle(b, context.Background(), "huge.png", schemas.S3ReasonPutObject); err != nil {
		b.Fatal(err)
	}
	ev := objectCreated(b, f.bucket, "huge.png", schemas.S3ReasonCopyObject)
	before := len(f.requests(b, "REST.GET.OBJECT"))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := f.h.Handle(context.Background(), ev); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var sent int64
	gets := f.requests(b, "REST.GET.OBJECT")
	for _, g := range gets {
		sent += g.BytesSent
	}
	b.ReportMetric(float64(sent)/float64(len(gets)), "bytes-read/op")
	if len(gets)-before != b.N {
		b.Errorf("%d reads for %d iterations", len(gets)-before, b.N)
	}
}
